"""Structured article records: JSON (object or list), JSON Lines and CSV with a header row."""
from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from ..config import Settings
from ..models import Failure, RawItem
from .decode import DecodeError, decode_bytes, detect
from .formats import STAGE
from .timestamps import parse_date

FIELDS = ("id", "url", "title", "text", "html", "published", "outlet", "author", "language",
          "description")
_STRING_FIELDS = ("url", "title", "outlet", "author", "language", "description")
_SAMPLE = 65536

Result = RawItem | Failure

# Other names the same fields go by in common exports (news-please, newspaper3k, NewsAPI, GDELT-style
# CSVs, spreadsheets): used only when the field's own name is absent, first name found wins.
ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("body", "content", "maintext", "article", "article_text", "full_text"),
    "html": ("raw_html", "page_html"),
    "title": ("headline",),
    "url": ("link", "canonical_url", "source_url"),
    "published": ("date", "published_at", "publishedat", "publish_date", "date_publish",
                  "date_published", "datepublished", "pubdate", "pub_date", "datetime", "timestamp"),
    "outlet": ("source", "site", "site_name", "source_domain", "publisher", "domain"),
    "author": ("authors", "byline"),
    "language": ("lang",),
    "description": ("summary", "abstract", "standfirst"),
}
TEXT_NAMES = frozenset(("text", "html", *ALIASES["text"], *ALIASES["html"]))


def _alias_value(key: str, v: Any) -> Any:
    if key == "outlet" and isinstance(v, dict):  # NewsAPI: "source": {"id": ..., "name": "BBC"}
        return v.get("name")
    if key == "author" and isinstance(v, list):  # news-please, newspaper3k: a list of names
        return ", ".join(str(x) for x in v if isinstance(x, str) and x.strip()) or None
    return v


def canonical_fields(rec: dict[str, Any]) -> dict[str, Any]:
    """The record with aliased fields under their own names (``body`` -> ``text`` ...)."""
    out = dict(rec)
    for key, names in ALIASES.items():
        if out.get(key) not in (None, ""):
            continue
        for name in names:
            v = _alias_value(key, out.get(name))
            if v not in (None, "") and (key not in ("text", "html") or isinstance(v, str)):
                out[key] = v
                out.pop(name)
                break
    return out


def record_item(rec: Any, source: str, meta: Mapping[str, Any] | None = None) -> Result:
    """A kind="record" RawItem from one decoded record, or a Failure naming why not."""
    if not isinstance(rec, dict):
        return Failure(source, f"expected a JSON object, got {type(rec).__name__}", STAGE)
    rec = canonical_fields({str(k).strip().lower() if k is not None else "": v
                            for k, v in rec.items()})
    for key in ("text", "html"):
        v = rec.get(key)
        if v is not None and not isinstance(v, str):
            return Failure(source, f"field {key!r} is not a string ({type(v).__name__})", STAGE)
    text, html = rec.get("text"), rec.get("html")
    m: dict[str, Any] = dict(meta or {})
    notes: list[str] = list(m.pop("notes", []))
    if text and text.strip():
        content = text
    elif html and html.strip():
        content, m["is_html"] = html, True
    else:
        return Failure(source, "record has no text or html (both absent or empty)", STAGE)
    published, note = parse_date(rec.get("published"))
    if note:
        notes.append(note)
        if published is None:
            m["published_raw"] = rec.get("published")
    fields: dict[str, str | None] = {}
    for key in _STRING_FIELDS:
        v = rec.get(key)
        if v is None or v == "":
            fields[key] = None
        elif isinstance(v, (str, int, float)):
            fields[key] = str(v).strip() or None
        else:
            fields[key] = None
            notes.append(f"field {key!r} ignored: not a string")
    rid = rec.get("id")
    extra = {k: v for k, v in rec.items() if k not in FIELDS and k}
    if extra:
        m["extra"] = extra  # e.g. labels in evaluation sets; kept for whoever needs them
    if notes:
        m["notes"] = notes
    return RawItem(source=source, kind="record", content=content,
                   id=(str(rid).strip() or None) if rid is not None else None,
                   published=published, meta=m, **fields)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def iter_json(data: bytes, name: str, settings: Settings) -> Iterator[Result]:
    """Records from a JSON document holding one article object or a list of them."""
    try:
        text = decode_bytes(data, markup=False).text
    except DecodeError as e:
        yield Failure(name, str(e), STAGE)
        return
    dec = json.JSONDecoder()
    pos = _skip_ws(text, 0)
    if pos >= len(text):
        yield Failure(name, "empty JSON document", STAGE)
        return
    if text[pos] != "[":
        try:
            obj, end = dec.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            yield Failure(f"{name}:{e.lineno}", f"invalid JSON: {e.msg} (column {e.colno})", STAGE)
            return
        if _skip_ws(text, end) < len(text):
            yield Failure(f"{name}:{_line_of(text, end)}", "invalid JSON: extra data after the object", STAGE)
        yield record_item(obj, f"{name}:{_line_of(text, pos)}")
        return
    # Walk the list element by element so each record is named by its line and a syntax
    # error late in the list still lets the earlier records through.
    pos = _skip_ws(text, pos + 1)
    if pos < len(text) and text[pos] == "]":
        return
    while True:
        try:
            obj, end = dec.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            yield Failure(f"{name}:{e.lineno}", f"invalid JSON: {e.msg} (column {e.colno}); "
                          "the rest of the list is skipped", STAGE)
            return
        yield record_item(obj, f"{name}:{_line_of(text, pos)}")
        pos = _skip_ws(text, end)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
            continue
        if pos < len(text) and text[pos] == "]":
            return
        yield Failure(f"{name}:{_line_of(text, pos)}", "invalid JSON: expected ',' or ']' in the list", STAGE)
        return


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n\ufeff":
        pos += 1
    return pos


def iter_jsonl(stream: BinaryIO, name: str, settings: Settings) -> Iterator[Result]:
    """Records from JSON Lines, streamed line by line; a bad line fails alone."""
    limit = settings.max_bytes
    lineno = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        lineno += 1
        src = f"{name}:{lineno}"
        if len(line) > limit and not line.endswith(b"\n"):
            yield Failure(src, f"line longer than max_bytes ({limit} bytes); skipped", STAGE)
            while line and not line.endswith(b"\n"):  # skip the rest of the line in bounded reads
                line = stream.readline(limit + 1)
            continue
        if lineno == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if not line.strip():
            continue
        meta: dict[str, Any] = {}
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            found = detect(line)
            if found is None:
                yield Failure(src, "line is not text in any encoding we can determine", STAGE)
                continue
            text = found[1]
            meta["notes"] = [f"line is not UTF-8; decoded as {found[0]}"]
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            yield Failure(src, f"invalid JSON: {e.msg} (column {e.colno})", STAGE)
            continue
        yield record_item(obj, src, meta)


def _csv_encoding(sample: bytes) -> str | None:
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    # The sample may end inside a multi-byte character; only the complete part must be UTF-8.
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        if e.start >= len(sample) - 3 and e.reason.startswith("unexpected end"):
            return "utf-8"
    found = detect(sample)
    return found[0] if found else None


def iter_csv(stream: BinaryIO, name: str, settings: Settings) -> Iterator[Result]:
    """Records from a CSV file with a header row, streamed; needs a text or html column."""
    sample = stream.read(_SAMPLE)
    stream.seek(0)
    if not sample.strip():
        yield Failure(name, "empty file: no header row", STAGE)
        return
    encoding = _csv_encoding(sample)
    if encoding is None:
        yield Failure(name, "cannot determine the text encoding of the CSV", STAGE)
        return
    head = sample.decode(encoding, "ignore").split("\n", 1)[0]
    # Only the delimiter is taken from the sniffer: sniffing a header row without quotes turns off
    # doubled-quote escaping ("" inside a quoted field), which spreadsheet and pandas exports use
    # for every quotation in an article body.
    try:
        delimiter = csv.Sniffer().sniff(head, ",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    # Process-wide, but only ever raised: article bodies are longer than csv's 128 KiB default.
    csv.field_size_limit(max(csv.field_size_limit(), min(sys.maxsize, settings.max_bytes)))
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        yield from _csv_records(csv.reader(text, csv.excel, delimiter=delimiter), name, encoding)
    finally:
        text.detach()  # leave the caller's stream open; it owns it


def _csv_records(reader: Any, name: str, encoding: str) -> Iterator[Result]:
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (csv.Error, UnicodeDecodeError, StopIteration) as e:
        yield Failure(name, f"cannot read the CSV header: {e}", STAGE)
        return
    if not TEXT_NAMES & set(header):
        cols = ", ".join(header) or "none"
        yield Failure(name, f"CSV has no 'text' or 'html' column (columns: {cols})", STAGE)
        return
    meta = {"encoding": encoding} if encoding not in ("utf-8", "utf-8-sig") else {}
    yield from _csv_rows(reader, header, name, encoding, meta)


def _csv_rows(reader: Any, header: list[str], name: str, encoding: str,
              meta: dict[str, Any]) -> Iterator[Result]:
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as e:
            yield Failure(f"{name}:{start}", f"bytes not valid {encoding}: {e.reason}; "
                          "the rest of the file is skipped", STAGE)
            return
        except csv.Error as e:
            yield Failure(f"{name}:{start}", f"malformed CSV: {e}; the rest of the file is skipped", STAGE)
            return
        src = f"{name}:{start}"
        start = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            yield Failure(src, f"row has {len(row)} fields but the header has {len(header)}", STAGE)
            continue
        yield record_item(dict(zip(header, row)), src, meta)
