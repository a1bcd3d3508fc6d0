"""Records: JSON (object or list), JSON Lines and CSV, with dates, bad lines and big files."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import DATA

from newsweave.config import Settings
from newsweave.models import Failure, RawItem
from newsweave.sources import iter_raw
from newsweave.sources.timestamps import parse_date

SRC = DATA / "sources"
S = Settings()


def run(*paths: Path, settings: Settings = S) -> list[RawItem | Failure]:
    return list(iter_raw([str(p) for p in paths], settings))


def test_json_list_records_with_all_fields() -> None:
    out = run(SRC / "records.json")
    name = str(SRC / "records.json")
    first, html, missing, bad_date, naive = out
    assert isinstance(first, RawItem) and first.kind == "record"
    assert first.source == f"{name}:2"
    assert (first.id, first.url, first.title, first.outlet, first.author, first.language,
            first.description) == ("rec-1", "https://news.example/a", "Bridge opens",
                                   "Example News", "A. Writer", "en", "Bridge")
    assert first.content == "The new bridge opened to traffic on Friday."
    assert first.published == datetime(2023, 4, 16, 7, 30, tzinfo=timezone.utc)
    assert first.published.utcoffset() == timedelta(hours=2)
    assert "is_html" not in first.meta

    assert html.id == "2" and html.meta["is_html"] is True
    assert html.content == "<p>Only <b>HTML</b> here.</p>"
    assert html.published == datetime(2023, 4, 16, 10, tzinfo=timezone.utc)

    assert missing == Failure(f"{name}:6", "record has no text or html (both absent or empty)", "source")

    assert bad_date.published is None and bad_date.id is None
    assert bad_date.meta["published_raw"] == "last Tuesday"
    assert "not an ISO 8601 or RFC 2822 date" in bad_date.meta["notes"][0]

    assert naive.published == datetime(2023, 4, 16, 8, tzinfo=timezone.utc)
    assert "assumed UTC" in naive.meta["notes"][0]
    assert naive.meta["extra"] == {"event_id": "e1"}


def test_single_json_object() -> None:
    (item,) = run(SRC / "single.json")
    assert (item.id, item.title, item.source) == ("solo", "Solo", f"{SRC / 'single.json'}:1")


def test_json_syntax_error_keeps_earlier_records(tmp_path: Path) -> None:
    p = tmp_path / "broken.json"
    p.write_text('[\n {"text": "one"},\n {"text": "two"},\n {"text": oops}\n]\n')
    out = run(p)
    assert [o.content for o in out[:2]] == ["one", "two"]
    assert isinstance(out[2], Failure) and out[2].item == f"{p}:4"
    assert out[2].reason.startswith("invalid JSON: Expecting value")


def test_json_that_is_not_records(tmp_path: Path) -> None:
    p = tmp_path / "numbers.json"
    p.write_text("[1, 2]")
    assert [o.reason for o in run(p)] == ["expected a JSON object, got int"] * 2
    (tmp_path / "empty.json").write_text("  \n")
    assert run(tmp_path / "empty.json")[0].reason == "empty JSON document"


def test_jsonl_invalid_lines_fail_alone() -> None:
    out = run(SRC / "records.jsonl")
    name = str(SRC / "records.jsonl")
    assert [(type(o).__name__, o.source if isinstance(o, RawItem) else o.item) for o in out] == [
        ("RawItem", f"{name}:1"), ("Failure", f"{name}:2"), ("Failure", f"{name}:3"),
        ("Failure", f"{name}:5"), ("RawItem", f"{name}:6")]
    assert out[1].reason == "invalid JSON: Expecting ',' delimiter (column 1)"
    assert out[2].reason == "record has no text or html (both absent or empty)"
    assert out[3].reason == "expected a JSON object, got list"
    assert out[4].meta["is_html"] is True and out[4].outlet == "Example"


def test_jsonl_is_streamed_past_max_bytes(tmp_path: Path) -> None:
    p = tmp_path / "many.jsonl"
    with open(p, "w", encoding="utf-8") as f:
        for i in range(2000):
            f.write(json.dumps({"id": f"n{i}", "text": f"Article number {i}."}) + "\n")
    assert p.stat().st_size > 50_000
    out = run(p, settings=Settings(max_bytes=10_000))
    assert len(out) == 2000 and all(isinstance(o, RawItem) for o in out)
    assert out[-1].id == "n1999"


def test_jsonl_line_over_the_limit_fails_alone(tmp_path: Path) -> None:
    p = tmp_path / "long.jsonl"
    lines = [{"text": "short"}, {"text": "x" * 5000}, {"text": "after"}]
    p.write_text("".join(json.dumps(d) + "\n" for d in lines))
    out = run(p, settings=Settings(max_bytes=1000))
    assert [type(o).__name__ for o in out] == ["RawItem", "Failure", "RawItem"]
    assert out[1].item == f"{p}:2" and "longer than max_bytes" in out[1].reason
    assert out[2].content == "after"


def test_jsonl_line_in_latin1_is_decoded_and_noted(tmp_path: Path) -> None:
    p = tmp_path / "mixed.jsonl"
    p.write_bytes('{"text": "Três notícias de Portugal e do Brasil hoje."}\n'.encode("latin-1"))
    (item,) = run(p)
    assert item.content == "Três notícias de Portugal e do Brasil hoje."
    assert "not UTF-8" in item.meta["notes"][0]


def test_csv_records() -> None:
    out = run(SRC / "records.csv")
    name = str(SRC / "records.csv")
    first, second, empty = out
    assert (first.source, first.id, first.title, first.outlet) == (f"{name}:2", "c1", "First", "Example")
    assert first.content == "The first CSV article, with a comma."
    assert first.published == datetime(2023, 4, 16, 9, 30, tzinfo=timezone.utc)
    assert second.source == f"{name}:3" and second.content == "A body\nover two lines."
    assert second.published is None and "notes" not in second.meta  # empty cell: simply absent
    assert empty == Failure(f"{name}:5", "record has no text or html (both absent or empty)", "source")


def test_csv_without_text_column_is_one_failure(tmp_path: Path) -> None:
    p = tmp_path / "no_text.csv"
    p.write_text("id,title,notes\nx1,Nope,There is no text column here.\n")
    (f,) = run(p)
    assert f == Failure(str(p), "CSV has no 'text' or 'html' column (columns: id, title, notes)",
                        "source")


def test_common_export_field_names_are_read() -> None:
    # A "body" column is the text (news-please, spreadsheets): no longer refused.
    (item,) = run(SRC / "no_text.csv")
    assert item.content == "There is no text column here." and item.title == "Nope"


def test_aliases_of_news_please_newsapi_and_wikinews_exports(tmp_path: Path) -> None:
    p = tmp_path / "exports.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in [
        {"headline": "Bridge opens", "maintext": "The bridge opened on Friday.",
         "date_publish": "2023-04-16 09:30:00", "source_domain": "example.org",
         "authors": ["Ann Lee", "Bo Chen"], "lang": "en", "link": "https://example.org/a"},
        {"title": "Dam", "content": "The dam held.", "publishedAt": "2023-04-17T08:00:00Z",
         "source": {"id": None, "name": "BBC News"}},
        {"title": "Both", "text": "The text field wins.", "body": "not this", "date": "2023-04-18"},
    ]) + "\n")
    a, b, c = run(p)
    assert (a.title, a.content, a.outlet, a.author, a.language, a.url) == (
        "Bridge opens", "The bridge opened on Friday.", "example.org", "Ann Lee, Bo Chen", "en",
        "https://example.org/a")
    assert a.published == datetime(2023, 4, 16, 9, 30, tzinfo=timezone.utc)
    assert (b.content, b.outlet) == ("The dam held.", "BBC News")
    assert b.published == datetime(2023, 4, 17, 8, tzinfo=timezone.utc)
    assert c.content == "The text field wins." and c.published.date().isoformat() == "2023-04-18"
    assert c.meta["extra"] == {"body": "not this"}


def test_csv_semicolons_latin1_and_html_column(tmp_path: Path) -> None:
    p = tmp_path / "export.csv"
    p.write_bytes("id;html;titulo\nz1;<p>Olá, coração de Lisboa e Porto</p>;Capa\n".encode("cp1252"))
    (item,) = run(p)
    assert item.content == "<p>Olá, coração de Lisboa e Porto</p>" and item.meta["is_html"]
    assert item.meta["extra"] == {"titulo": "Capa"}


def test_csv_bigger_than_max_bytes_is_streamed(tmp_path: Path) -> None:
    p = tmp_path / "big.csv"
    p.write_text("id,text\n" + "".join(f"r{i},Row text {i} " + "y" * 200 + "\n" for i in range(500)))
    out = run(p, settings=Settings(max_bytes=50_000))
    assert len(out) == 500 and out[-1].id == "r499"


def test_csv_quoted_bodies_over_many_lines_with_doubled_quotes(tmp_path: Path) -> None:
    # The shape of a pandas/spreadsheet export: an unquoted header, then quoted bodies that span
    # paragraphs and quote people with doubled quotes.
    p = tmp_path / "export.csv"
    p.write_text('url,date,title,text\n'
                 '"https://example.org/a,b",2019-01-04,"Title, with comma","Friday, January 4\n\n\n'
                 'The minister spoke of ""presumably 36 to 40 people"" under the rubble.\n\nMore."\n'
                 'https://example.org/c,2019-01-05,Second,"One ""quoted"" word"\n', encoding="utf-8")
    first, second = run(p)
    assert first.content == ('Friday, January 4\n\n\nThe minister spoke of "presumably 36 to 40 '
                             'people" under the rubble.\n\nMore.')
    assert (first.url, first.title) == ("https://example.org/a,b", "Title, with comma")
    assert second.source == f"{p}:8" and second.content == 'One "quoted" word'


def test_csv_ragged_row(tmp_path: Path) -> None:
    p = tmp_path / "ragged.csv"
    p.write_text("id,text\na,one\nb,two,extra\nc,three\n")
    out = run(p)
    assert [type(o).__name__ for o in out] == ["RawItem", "Failure", "RawItem"]
    assert out[1].reason == "row has 3 fields but the header has 2"


@pytest.mark.parametrize("value,expected", [
    ("2023-04-16T09:30:00Z", datetime(2023, 4, 16, 9, 30, tzinfo=timezone.utc)),
    ("Sun, 16 Apr 2023 10:00:00 +0200", datetime(2023, 4, 16, 8, tzinfo=timezone.utc)),
    ("Seg, 24 Set 2018 19:42:40 -0300", datetime(2018, 9, 24, 22, 42, 40, tzinfo=timezone.utc)),
    ("Mo, 03 Dez 2018 10:00:00 GMT", datetime(2018, 12, 3, 10, tzinfo=timezone.utc)),
    (1681637400, datetime(2023, 4, 16, 9, 30, tzinfo=timezone.utc)),
])
def test_parse_date(value: object, expected: datetime) -> None:
    got, note = parse_date(value)
    assert got == expected and got.tzinfo is not None and note is None


def test_parse_date_failures() -> None:
    assert parse_date(None) == (None, None)
    assert parse_date("")[0] is None
    assert parse_date("yesterday")[0] is None and "yesterday" in parse_date("yesterday")[1]
    assert parse_date(["2023"])[0] is None


def test_record_notes_and_impossible_dates_reach_the_article(tmp_path: Path) -> None:
    """What the reader noticed (an unreadable date) stays on the article, and a date after the
    ingest time (2099) is ignored with a note instead of placing the article in the future."""
    from newsweave.stages.extract import extract

    body = "The council voted on Monday to close the old bridge in Leeds for repairs."
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (
        {"id": "bad", "text": body, "published": "not a date"},
        {"id": "future", "text": body, "published": "2099-01-01"},
        {"id": "day", "text": body, "published": "2024-10-02"},
    )) + "\n")
    now = datetime(2026, 1, 5, tzinfo=timezone.utc)
    arts = {a.id: a for a in (extract(i, now=now) for i in run(path))}
    assert arts["bad"].published is None and arts["bad"].date_source == "ingest"
    assert any("'not a date' is not an ISO 8601" in n for n in arts["bad"].notes)
    assert arts["future"].published is None
    assert any("2099-01-01" in n and "future" in n for n in arts["future"].notes)
    assert arts["day"].published == datetime(2024, 10, 2, tzinfo=timezone.utc)
    assert arts["day"].notes == []  # a bare day has no time zone to miss


def test_a_record_without_a_date_takes_the_day_its_url_gives(tmp_path: Path) -> None:
    """No date given and none in the text: the day in the URL's path (an archived copy's
    original URL), flagged; a URL without one, or with a future one, leaves the article undated."""
    from newsweave.stages.extract import extract

    body = "The council voted to close the old bridge in Leeds for repairs, the mayor said."
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (
        {"id": "path", "text": body, "url": "https://news.example.org/2004/11/19/bridge.html"},
        {"id": "archived", "text": body, "url": "https://web.archive.org/web/20050301000000/"
                                                "http://www.example.com/news/2004/12/29/a.htm"},
        {"id": "none", "text": body, "url": "https://news.example.org/uk/4099899.stm"},
        {"id": "future", "text": body, "url": "https://news.example.org/2030/01/02/later.html"},
        {"id": "given", "text": body, "url": "https://news.example.org/2004/11/19/b.html",
         "published": "2004-11-20"},
    )) + "\n")
    now = datetime(2026, 1, 5, tzinfo=timezone.utc)
    arts = {a.id: a for a in (extract(i, now=now) for i in run(path))}
    assert arts["path"].published == datetime(2004, 11, 19, tzinfo=timezone.utc)
    assert arts["path"].date_source == "url"
    assert "publication day taken from the URL" in arts["path"].notes
    assert arts["archived"].published == datetime(2004, 12, 29, tzinfo=timezone.utc)
    for undated in ("none", "future"):
        assert arts[undated].published is None and arts[undated].date_source == "ingest"
    assert arts["given"].published == datetime(2004, 11, 20, tzinfo=timezone.utc)
    assert arts["given"].date_source == "given"
