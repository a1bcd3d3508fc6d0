"""Local inputs: formats by extension and by content, directories, globs, stdin, bad files."""
from __future__ import annotations

import os
import random
import shutil
import tracemalloc
from pathlib import Path

import pytest
from source_inputs import SRC, run, where

from newsweave.config import Settings
from newsweave.models import Failure, RawItem


def one(*inputs: str | Path, **kw: object) -> RawItem | Failure:
    out = run(*inputs, **kw)  # type: ignore[arg-type]
    assert len(out) == 1, out
    return out[0]


def failure(*inputs: str | Path, **kw: object) -> Failure:
    f = one(*inputs, **kw)
    assert isinstance(f, Failure), f
    assert f.stage == "source"
    return f


def test_text_file_is_kept_as_received_with_stem_id() -> None:
    item = one(SRC / "article.txt")
    assert isinstance(item, RawItem)
    assert (item.kind, item.id, item.source) == ("text", "article", str(SRC / "article.txt"))
    assert item.content == (SRC / "article.txt").read_text(encoding="utf-8")
    assert item.url is None and item.meta["encoding"] == "utf-8"


def test_markdown_is_text_and_html_is_html() -> None:
    md, html = run(SRC / "notes.md", SRC / "page.html")
    assert (md.kind, md.id) == ("text", "notes")
    assert (html.kind, html.id) == ("html", "page")
    assert "Library reopens – readers return" in html.content


def test_malformed_html_still_yields_an_item() -> None:
    item = one(SRC / "malformed.html")
    assert isinstance(item, RawItem) and item.kind == "html"
    assert "Broken markup still counts" in item.content


def test_declared_latin1_html_is_decoded() -> None:
    item = one(SRC / "latin1_meta.html")
    assert "Município aprova orçamento" in item.content
    assert "orçamento – por" in item.content  # cp1252 en dash under an ISO-8859-1 label
    assert item.meta["encoding_source"] == "html-meta"


def test_undeclared_latin1_text_is_detected() -> None:
    item = one(SRC / "undeclared_latin1.txt")
    assert item.content.startswith("Governo anuncia programa de formação")
    assert "ministério da Educação" in item.content
    assert item.meta["encoding_source"] == "detected"


def test_wrongly_declared_encoding_is_corrected_and_noted() -> None:
    item = one(SRC / "wrong_declared.html")
    assert "Zürich – Öffnungszeiten" in item.content
    assert "Ã" not in item.content
    assert "declared iso-8859-1" in item.meta["notes"][0]


def test_utf16_with_bom() -> None:
    item = one(SRC / "utf16_bom.txt")
    assert item.content.startswith("Ночной поезд")


def test_directory_is_walked_recursively_sorted_without_hidden_files() -> None:
    items = run(SRC / "dir")
    assert [Path(i.source).relative_to(SRC / "dir").as_posix() for i in items] == [
        "a.txt", "sub/nested.txt"]
    assert all(isinstance(i, RawItem) for i in items)


def test_glob_pattern_expands_sorted() -> None:
    items = run(SRC / "*.md", SRC / "dir" / "**" / "*.txt")
    assert [Path(i.source).name for i in items] == ["notes.md", "a.txt", "nested.txt"]


def test_glob_matching_nothing() -> None:
    f = failure(SRC / "*.nothing")
    assert f.item == str(SRC / "*.nothing")
    assert f.reason == "glob pattern matched no files"


def test_missing_path() -> None:
    f = failure(SRC / "no-such-file.txt")
    assert f.reason == "no such file or directory"


def test_unsupported_url_scheme() -> None:
    assert "unsupported URL scheme 'ftp'" in failure("ftp://example.org/a.txt").reason


def test_png_is_refused_as_binary() -> None:
    f = failure(SRC / "tiny.png")
    assert f.item == str(SRC / "tiny.png")
    assert f.reason == "not a text document: the file is a PNG image"


@pytest.mark.parametrize("name", ["noise.txt", "noise.html", "noise.json", "noise", "noise.jsonl"])
def test_random_bytes_are_refused_as_binary(tmp_path: Path, name: str) -> None:
    p = tmp_path / name
    p.write_bytes(random.Random(7).randbytes(4096))
    f = failure(p)
    assert f.reason.startswith("not a text document: the file is binary data")


def test_png_renamed_to_txt_is_still_binary(tmp_path: Path) -> None:
    p = tmp_path / "photo.txt"
    shutil.copy(SRC / "tiny.png", p)
    assert failure(p).reason == "not a text document: the file is a PNG image"


@pytest.mark.parametrize("content,reason", [
    (b"", "empty file (0 bytes)"), (b" \n\t\n", "empty: only whitespace")])
def test_empty_files(tmp_path: Path, content: bytes, reason: str) -> None:
    p = tmp_path / "empty.txt"
    p.write_bytes(content)
    assert failure(p).reason == reason


def test_huge_single_article_file_fails_without_being_read(tmp_path: Path) -> None:
    p = tmp_path / "huge.txt"
    with open(p, "wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: takes no disk
    tracemalloc.start()
    f = failure(p)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert f.reason == "file is 200.0 MiB, over max_bytes (20.0 MiB); not read"
    assert peak < 5 * 1024 * 1024


def test_huge_file_without_extension_is_sniffed_then_refused(tmp_path: Path) -> None:
    p = tmp_path / "huge"
    with open(p, "wb") as f:
        f.write(b"Plain words at the start of a very large text file.\n")
        f.truncate(200 * 1024 * 1024)
    assert "binary" in failure(p).reason  # the sparse tail is NUL bytes


def test_text_over_a_small_limit(tmp_path: Path) -> None:
    p = tmp_path / "long.txt"
    p.write_text("word " * 1000, encoding="utf-8")
    f = failure(p, settings=Settings(max_bytes=1000))
    assert f.reason == "file is 5000 bytes, over max_bytes (1000 bytes); not read"


def test_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    (tmp_path / "story.dat").write_text("<!doctype html><html><body><p>Hi</p></body></html>")
    (tmp_path / "feed.dat").write_bytes((SRC / "feed.rss").read_bytes())
    (tmp_path / "plain").write_text("Just a plain story.\n")
    html, e1, e2, plain = run(tmp_path / "story.dat", tmp_path / "feed.dat", tmp_path / "plain")
    assert html.kind == "html" and plain.kind == "text"
    assert [e1.title, e2.title] == ["Ferry resumes after storm", "Council approves cycle lanes"]


def test_xml_that_is_not_a_feed(tmp_path: Path) -> None:
    p = tmp_path / "data.xml"
    p.write_text('<?xml version="1.0"?><inventory><thing/></inventory>')
    f = failure(p)
    assert f.item == str(p) and f.reason.startswith("not an RSS/Atom feed")


def test_bad_inputs_do_not_stop_the_batch() -> None:
    out = run(SRC / "missing.txt", SRC / "tiny.png", SRC / "article.txt", SRC / "*.none")
    assert [type(o).__name__ for o in out] == ["Failure", "Failure", "RawItem", "Failure"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path) -> None:
    p = tmp_path / "secret.txt"
    p.write_text("hidden")
    p.chmod(0)
    assert failure(p).reason == "cannot read: Permission denied"


# ---- stdin ---------------------------------------------------------------------------------

def test_stdin_text() -> None:
    item = one("-", stdin="Ein Artikel über Zürich.\n".encode("utf-8"))
    assert (item.source, item.kind, item.content) == ("<stdin>", "text", "Ein Artikel über Zürich.\n")


def test_stdin_sniffs_jsonl_records() -> None:
    out = run("-", stdin=(SRC / "records.jsonl").read_bytes())
    assert [where(o) for o in out] == [f"<stdin>:{n}" for n in (1, 2, 3, 5, 6)]
    assert [type(o).__name__ for o in out] == ["RawItem", "Failure", "Failure", "Failure", "RawItem"]


def test_stdin_sniffs_feed_html_csv_and_warc() -> None:
    assert len(run("-", stdin=(SRC / "feed.rss").read_bytes())) == 2
    assert one("-", stdin=(SRC / "page.html").read_bytes()).kind == "html"
    csv_out = run("-", stdin=(SRC / "records.csv").read_bytes())
    assert [where(o) for o in csv_out] == ["<stdin>:2", "<stdin>:3", "<stdin>:5"]
    assert [o.url for o in run("-", stdin=(SRC / "small.warc.gz").read_bytes())] == [
        "https://gazette.example/ferry", "https://gazette.example/cafe"]


def test_stdin_bad_inputs() -> None:
    assert failure("-", stdin=b"").reason == "empty input"
    assert failure("-", stdin=(SRC / "tiny.png").read_bytes()).reason == (
        "not a text document: the input is a PNG image")
    big = failure("-", stdin=b"x" * 2000, settings=Settings(max_bytes=1000))
    assert big.reason == "larger than max_bytes (1000 bytes)"


# ---- the real feeds beside the project -------------------------------------------------------

def test_real_feed_directory_reads_every_feed() -> None:
    from conftest import shared_path

    feeds = shared_path("eval", "feeds")
    out = run(feeds)
    assert not [o for o in out if isinstance(o, Failure)]
    entries = [o for o in out if o.kind == "html"]  # README and licence come through as text
    assert len(entries) == 55 + 15 + 15 + 40 + 15 + 20
