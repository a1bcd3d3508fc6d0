"""`eval extraction` on folders laid out otherwise than the bundled one: pages unpacked (as
html/ or upstream's eval/ and cache/), pages missing, no evaldata.json."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from newsweave.cli import app
from newsweave.eval.extraction import run_extraction_eval

PROSE = ("The river burst its banks early on Tuesday, flooding the lower town and forcing about "
         "two hundred families to leave their homes, the regional emergency office said.")
MORE = ("Rescue teams used boats to reach residents trapped on upper floors, and the mayor asked "
        "people to stay away from the bridges until engineers had checked them.")


def _page(title: str) -> str:
    return (f"<html><head><title>{title}</title></head><body><nav>Home | News | Sport</nav>"
            f"<article><h1>{title}</h1><p>{PROSE}</p><p>{MORE}</p></article>"
            "<footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>")


def _folder(root: Path, layout: dict[str, str]) -> Path:
    evaldata = {}
    for name, where in layout.items():
        evaldata[f"https://news.example.org/{name}"] = {
            "file": name, "with": [PROSE[:60], MORE[-50:]], "without": ["All rights reserved"]}
        if where:
            (root / where).mkdir(parents=True, exist_ok=True)
            (root / where / name).write_text(_page(name), encoding="utf-8")
    (root / "evaldata.json").write_text(json.dumps(evaldata), encoding="utf-8")
    return root


def test_unpacked_pages_in_any_subfolder_and_missing_ones_named(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "ev", {"a.html": "html", "b.html": "eval", "c.html": "cache",
                                       "gone.html": ""})
    result = run_extraction_eval(folder, cache_dir=tmp_path / "cache")
    assert result.docs == 3 and result.missing == ["gone.html"]
    assert result.with_segments == 6 and result.without_segments == 3
    assert result.newsweave.tp == 6 and result.newsweave.fp == 0
    assert "1 documents left out: page not in the folder (gone.html)" in result.format_table()


def test_a_folder_without_evaldata_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    r = CliRunner().invoke(app, ["eval", "extraction", str(tmp_path / "pages")])
    assert r.exit_code == 2
    assert "no evaldata.json" in r.output and "pages" in r.output
