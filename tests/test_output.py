"""Tables on the terminal: ids and days stay whole when there is room, nothing is cut when not."""
from __future__ import annotations

import pytest

from newsweave.output import Format, emit

ROWS = [{"id": "ev_a30686922a0b32e8", "date": "2019-01-18", "latest": "2019-01-19", "articles": 3,
         "sources": 3, "languages": "en, fr",
         "title": "Mueller disputes BuzzFeed report that Trump told Michael Cohen to lie to Congress",
         "outlets": "www.washingtonpost.com, edition.cnn.com, www.nytimes.com, www.dailymail.co.uk"}]
BORDER = set("┏┓┗┛┡┩└┘┳╇┻┴━─┃│")
COLS = ["id", "date", "latest", "articles", "sources", "languages", "title", "outlets"]


def _render(width: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    emit(ROWS, Format.table, COLS)
    return capsys.readouterr().out


def test_wide_console_keeps_ids_and_days_whole(capsys, monkeypatch) -> None:
    out = _render(120, capsys, monkeypatch)
    assert "ev_a30686922a0b32e8" in out and "2019-01-18" in out and "2019-01-19" in out
    assert max(len(line) for line in out.splitlines()) <= 120


def test_narrow_console_folds_everything_and_crops_nothing(capsys, monkeypatch) -> None:
    out = _render(70, capsys, monkeypatch)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 70
    assert all(line.rstrip()[-1] in "┓┃┩│┘" for line in lines if line.strip())  # right edge drawn
    # Every character of every cell and header is printed somewhere: folded, not cropped.
    printed = sum(1 for ch in out if not ch.isspace() and ch not in BORDER)
    assert printed == sum(len(str(ROWS[0][c]).replace(" ", "")) + len(c) for c in COLS)
