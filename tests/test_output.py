"""Tables on the terminal: ids and days stay whole, in a table when there is room and one field
per line when not; nothing is cut."""
from __future__ import annotations

import pytest

from newsweave.output import Format, emit

ROWS = [{"id": "ev_a30686922a0b32e8", "date": "2019-01-18", "latest": "2019-01-19", "articles": 3,
         "sources": 3, "languages": "en, fr",
         "title": "Mueller disputes BuzzFeed report that Trump told Michael Cohen to lie to Congress",
         "outlets": "www.washingtonpost.com, edition.cnn.com, www.nytimes.com, www.dailymail.co.uk"}]
COLS = ["id", "date", "latest", "articles", "sources", "languages", "title", "outlets"]


def _render(width: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    emit(ROWS, Format.table, COLS)
    return capsys.readouterr().out


def test_wide_console_keeps_ids_and_days_whole(capsys, monkeypatch) -> None:
    out = _render(120, capsys, monkeypatch)
    assert "ev_a30686922a0b32e8" in out and "2019-01-18" in out and "2019-01-19" in out
    assert max(len(line) for line in out.splitlines()) <= 120


def test_narrow_console_shows_one_field_per_line_and_crops_nothing(capsys, monkeypatch) -> None:
    out = _render(70, capsys, monkeypatch)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 70
    # Ids and days stay whole, each field on its own line beside its name.
    assert any(line.split() == ["id", "ev_a30686922a0b32e8"] for line in lines)
    assert any(line.split() == ["latest", "2019-01-19"] for line in lines)
    # Every character of every cell and field name is printed somewhere: folded, not cropped.
    printed = sum(1 for ch in out if not ch.isspace())
    assert printed == sum(len(str(ROWS[0][c]).replace(" ", "")) + len(c) for c in COLS)


def test_text_columns_fold_so_that_ids_and_times_fit_in_a_table(capsys, monkeypatch) -> None:
    # Names and lists fold; the id and the publication time stay whole, in a table.
    rows = [{"id": "ent_d34ed11cf0755110", "name": "United States of America", "type": "LOC",
             "published": "2023-04-16 09:30", "variants": "U.S., US, United States, USA, America"}]
    monkeypatch.setenv("COLUMNS", "90")
    emit(rows, Format.table, list(rows[0]))
    out = capsys.readouterr().out
    assert out.startswith("┏") and max(len(line) for line in out.splitlines()) <= 90
    assert "ent_d34ed11cf0755110" in out and "2023-04-16 09:30" in out


@pytest.mark.parametrize("width", [200, 40])
def test_cells_are_shown_as_written_not_as_markup(width, capsys, monkeypatch) -> None:
    # Search snippets mark matches with brackets; "[protesters]" is not a rich style, and a
    # text holding "[/b]" must not stop the table (it was a MarkupError).
    row = {"id": "a1", "snippet": "thousands of [protesters] marched [/b] on [Hong] [Kong]"}
    monkeypatch.setenv("COLUMNS", str(width))
    emit([row], Format.table, list(row))
    out = " ".join(capsys.readouterr().out.split())
    for word in ("[protesters]", "[/b]", "[Hong]"):
        assert word in out.replace(" │ ", " ").replace("│", "")


def test_counts_are_said_in_the_singular_for_one() -> None:
    from newsweave.output import plural

    assert plural(1, "independent source") == "1 independent source"
    assert [plural(n, "article") for n in (0, 2)] == ["0 articles", "2 articles"]
