"""Compressed files and archives: each document inside is read like a file, named ARCHIVE!MEMBER."""
from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile
from pathlib import Path

import pytest
from source_inputs import SRC, run, where

from newsweave.config import Settings
from newsweave.models import Failure, RawItem


def sig(o: RawItem | Failure, prefix: str) -> tuple:
    """What an item says, with where it came from relative to ``prefix`` (a file or member)."""
    at = where(o)[len(prefix):]
    return (type(o).__name__, at, o.reason if isinstance(o, Failure) else (o.title, o.content))


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _tar(path: Path, members: dict[str, bytes], mode: str) -> Path:
    with tarfile.open(path, mode) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


MEMBERS = {
    "news/page.html": (SRC / "page.html").read_bytes(),
    "news/article.txt": (SRC / "article.txt").read_bytes(),
    "records.jsonl": (SRC / "records.jsonl").read_bytes(),
    "feed.rss": (SRC / "feed.rss").read_bytes(),
}


def test_a_zip_gives_each_member_as_a_file_would(tmp_path: Path) -> None:
    alone = {m: run(SRC / Path(m).name) for m in MEMBERS}
    archive = _zip(tmp_path / "a.zip", {**MEMBERS, "img/tiny.png": (SRC / "tiny.png").read_bytes(),
                                        ".hidden.txt": b"secret", "__MACOSX/._page.html": b"x",
                                        "news/.cache/old.txt": b"old"})
    out = run(archive)
    for member, items in alone.items():
        got = [o for o in out if where(o).startswith(f"{archive}!{member}")]
        plain = str(SRC / Path(member).name)
        assert [sig(o, f"{archive}!{member}") for o in got] == [sig(o, plain) for o in items]
        if member.endswith((".html", ".txt")):  # one document: its id is the member's stem
            assert got[0].id == Path(member).stem
    png = [o for o in out if where(o) == f"{archive}!img/tiny.png"]
    assert len(png) == 1 and isinstance(png[0], Failure)
    assert png[0].reason == "not a text document: the member is a PNG image"
    assert not any("hidden" in where(o) or "MACOSX" in where(o) or ".cache" in where(o)
                   for o in out)


@pytest.mark.parametrize("mode,suffix", [("w:gz", ".tar.gz"), ("w:bz2", ".tar.bz2"),
                                         ("w:xz", ".tar.xz"), ("w", ".tar"), ("w:gz", ".tgz")])
def test_tarballs_compressed_or_not(tmp_path: Path, mode: str, suffix: str, monkeypatch) -> None:
    from newsweave.sources import archives

    archive = _tar(tmp_path / f"b{suffix}", MEMBERS, mode)
    # A compressed tarball is read as it is decompressed, not spooled to disk first: the one
    # temporary file is the JSON Lines member's (record readers seek).
    spooled = []
    real = archives.tempfile.TemporaryFile
    monkeypatch.setattr(archives.tempfile, "TemporaryFile",
                        lambda *a, **k: spooled.append(1) or real(*a, **k))
    out = run(archive)
    assert len(spooled) == 1
    assert {where(o).split("!")[1].split(":")[0].split("#")[0] for o in out} == set(MEMBERS)
    for member in MEMBERS:
        got = [sig(o, f"{archive}!{member}") for o in out
               if where(o).startswith(f"{archive}!{member}")]
        plain = str(SRC / Path(member).name)
        assert got == [sig(o, plain) for o in run(plain)]


@pytest.mark.parametrize("suffix,compress", [(".gz", gzip.compress), (".bz2", bz2.compress),
                                             (".xz", lzma.compress)])
def test_a_compressed_file_is_read_by_its_inner_name(tmp_path: Path, suffix: str, compress) -> None:
    page = tmp_path / f"page.html{suffix}"
    page.write_bytes(compress((SRC / "page.html").read_bytes()))
    [item] = run(page)
    [plain] = run(SRC / "page.html")
    assert item.id == "page" and item.content == plain.content and item.source == str(page)
    records = tmp_path / f"records.jsonl{suffix}"
    records.write_bytes(compress((SRC / "records.jsonl").read_bytes()))
    want = [sig(o, str(SRC / "records.jsonl")) for o in run(SRC / "records.jsonl")]
    assert [sig(o, str(records)) for o in run(records)] == want
    sniffed = tmp_path / f"noname{suffix}"  # no inner extension: the content is sniffed
    sniffed.write_bytes(compress((SRC / "feed.rss").read_bytes()))
    want = [sig(o, str(SRC / "feed.rss")) for o in run(SRC / "feed.rss")]
    assert [sig(o, str(sniffed)) for o in run(sniffed)] == want and want


def test_a_gzipped_warc_is_still_a_warc() -> None:
    assert [o.url for o in run(SRC / "small.warc.gz")] == [o.url for o in run(SRC / "small.warc")]


def test_nested_archives_up_to_a_depth(tmp_path: Path) -> None:
    # l2.zip holds l1.zip, which holds l0.zip, which holds inner.zip, which holds article.txt.
    prev = _zip(tmp_path / "inner.zip", {"article.txt": MEMBERS["news/article.txt"]})
    for i in range(3):
        prev = _zip(tmp_path / f"l{i}.zip", {prev.name: prev.read_bytes()})
    [f] = run(tmp_path / "l2.zip")  # inner.zip would be the fourth level
    assert isinstance(f, Failure) and "nested more than 3 levels" in f.reason
    assert f.item == f"{tmp_path / 'l2.zip'}!l1.zip!l0.zip!inner.zip"
    [item] = run(tmp_path / "l1.zip")  # three levels: read
    assert item.source == f"{tmp_path / 'l1.zip'}!l0.zip!inner.zip!article.txt"
    assert item.content == run(SRC / "article.txt")[0].content


def test_broken_archives_fail_with_their_name_and_the_rest_goes_on(tmp_path: Path) -> None:
    truncated = tmp_path / "cut.jsonl.gz"
    whole = gzip.compress((SRC / "records.jsonl").read_bytes() * 50)
    truncated.write_bytes(whole[: len(whole) // 2])
    bad_zip = tmp_path / "bad.zip"
    bad_zip.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    empty = tmp_path / "empty.txt.gz"
    empty.write_bytes(gzip.compress(b""))
    out = run(truncated, bad_zip, empty, SRC / "article.txt")
    fails = {where(o): o.reason for o in out if isinstance(o, Failure)}
    assert "cannot read the gzip archive" in fails[str(truncated)]
    assert fails[str(bad_zip)].startswith("cannot read the zip archive")
    assert fails[str(empty)] == "empty once decompressed (gzip)"
    assert any(isinstance(o, RawItem) and o.source == str(SRC / "article.txt") for o in out)


def test_a_small_file_that_decompresses_past_max_bytes_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "big.html.gz"
    bomb.write_bytes(gzip.compress(b"<html><body><p>" + b"a" * 200_000 + b"</p></body></html>"))
    [f] = run(bomb, settings=Settings(max_bytes=50_000))
    assert isinstance(f, Failure) and "larger than max_bytes" in f.reason


def test_compressed_standard_input(tmp_path: Path) -> None:
    out = run("-", stdin=gzip.compress((SRC / "records.jsonl").read_bytes()))
    want = [sig(o, str(SRC / "records.jsonl")) for o in run(SRC / "records.jsonl")]
    assert [sig(o, "<stdin>") for o in out] == want


def test_a_document_is_read_no_further_than_max_bytes(tmp_path: Path) -> None:
    import tracemalloc

    bomb = tmp_path / "huge.html.gz"  # 40 MB of HTML in ~40 KB
    bomb.write_bytes(gzip.compress(b"<html><body><p>" + b"a" * 40_000_000, 1))
    tracemalloc.start()
    try:
        [f] = run(bomb, settings=Settings(max_bytes=1_000_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(f, Failure) and "larger than max_bytes" in f.reason
    assert peak < 8_000_000


def test_sniffed_bytes_are_given_again() -> None:
    from newsweave.sources.archives import _Prefixed

    p = _Prefixed(b"abc", io.BytesIO(b"defgh"))
    assert p.read(2) == b"ab" and p.read(3) == b"cde" and p.read() == b"fgh" and p.read(1) == b""
    assert _Prefixed(b"ab", io.BytesIO(b"cd")).read(-1) == b"abcd"
