"""WARC and WARC.gz: 200 text/html responses only; damaged archives fail after what was read."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA

from newsweave.config import Settings
from newsweave.models import Failure, RawItem
from newsweave.sources import iter_raw

SRC = DATA / "sources"
URLS = ["https://gazette.example/ferry", "https://gazette.example/cafe"]


def run(path: Path, settings: Settings = Settings()) -> list[RawItem | Failure]:
    return list(iter_raw([str(path)], settings))


@pytest.mark.parametrize("name", ["small.warc", "small.warc.gz"])
def test_html_200_responses_only(name: str) -> None:
    items = run(SRC / name)
    assert [i.url for i in items] == URLS  # the PNG and the 404 are left out
    ferry, cafe = items
    assert ferry.kind == "html" and ferry.id is None
    assert ferry.source.startswith(f"{SRC / name}#") and int(ferry.source.rsplit("#", 1)[1]) > 0
    assert "après la tempête" in ferry.content
    assert "Café reopens" in cafe.content and cafe.meta["encoding_source"] == "html-meta"
    assert ferry.fetched_at is not None and ferry.meta["warc_record_id"].startswith("<urn:uuid:")


@pytest.mark.parametrize("name", ["small.warc", "small.warc.gz"])
def test_cut_short_yields_records_before_the_cut_then_a_failure(tmp_path: Path, name: str) -> None:
    data = (SRC / name).read_bytes()
    cut = tmp_path / name
    cut.write_bytes(data[:-40])  # inside the last record (the café page)
    out = run(cut)
    assert [type(o).__name__ for o in out] == ["RawItem", "Failure"]
    assert out[0].url == URLS[0]
    assert out[1].item == str(cut)
    assert out[1].reason.startswith("WARC is cut short")


@pytest.mark.parametrize("name,cut_at", [("small.warc", "header"), ("small.warc.gz", 900)])
def test_cut_in_the_middle(tmp_path: Path, name: str, cut_at: str | int) -> None:
    data = (SRC / name).read_bytes()
    if cut_at == "header":  # inside the WARC headers of the third response
        cut_at = data.index(b"https://gazette.example/gone") + 10
    cut = tmp_path / name
    cut.write_bytes(data[:cut_at])
    out = run(cut)
    assert [type(o).__name__ for o in out] == ["RawItem", "Failure"]
    assert out[0].url == URLS[0]
    assert out[1].item == str(cut) and out[1].reason.startswith("WARC is cut short")


def test_gzip_that_is_not_a_warc(tmp_path: Path) -> None:
    import gzip

    p = tmp_path / "notes.warc.gz"
    p.write_bytes(gzip.compress(b"just some text"))
    (f,) = run(p)
    assert f.reason == "not a WARC file: it does not start with a WARC/ header"


def test_not_a_warc(tmp_path: Path) -> None:
    p = tmp_path / "fake.warc"
    p.write_text("This is plain text pretending to be an archive.\n")
    (f,) = run(p)
    assert f == Failure(str(p), "not a WARC file: it does not start with a WARC/ header", "source")


def test_record_over_max_bytes_fails_alone() -> None:
    out = run(SRC / "small.warc", Settings(max_bytes=180))  # ferry 185 bytes, café 176
    assert [type(o).__name__ for o in out] == ["Failure", "RawItem"]
    assert out[0].reason == "record is 185 bytes, over max_bytes (180)" and "#" in out[0].item
