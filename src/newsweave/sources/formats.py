"""Which format an input is in (by name or by sniffing its first bytes), and single documents."""
from __future__ import annotations

import codecs
import csv
import json
import re
import zlib
from datetime import datetime
from typing import Any, Literal

from ..models import Failure, RawItem
from .decode import DecodeError, decode_bytes

Format = Literal["text", "html", "json", "jsonl", "csv", "feed", "warc"]
STAGE = "source"
SNIFF_BYTES = 8192

_EXTENSIONS: dict[str, Format] = {
    ".txt": "text", ".text": "text", ".md": "text", ".markdown": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv",
    ".xml": "feed", ".rss": "feed", ".atom": "feed", ".rdf": "feed",
    ".warc": "warc", ".warc.gz": "warc", ".arc": "warc", ".arc.gz": "warc",
}
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"), (b"GIF89a", "a GIF image"), (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"), (b"\x1f\x8b", "gzip-compressed data"),
    (b"BZh", "bzip2-compressed data"), (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"\x7fELF", "an executable"), (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0", "an MS Office document"), (b"OggS", "Ogg media"), (b"ID3", "MP3 audio"),
    (b"wOFF", "a web font"), (b"RIFF", "RIFF media (WAV/AVI/WebP)"),
)
_TEXT_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_HTML_TAG = re.compile(r"<(!doctype\s+html|html|head|body|meta|title|div|p|article|section|!--)[\s>/]")
_FEED_ROOT = re.compile(r"<(rss|feed|rdf:rdf)[\s>]")


def format_for_name(name: str) -> Format | None:
    """The format implied by a file name's extension, or None when it must be sniffed."""
    low = name.lower()
    for ext in (".warc.gz", ".arc.gz"):
        if low.endswith(ext):
            return _EXTENSIONS[ext]
    dot = low.rfind(".")
    return _EXTENSIONS.get(low[dot:]) if dot > 0 else None


def is_warc(head: bytes) -> bool:
    """True for the start of a WARC file, plain or gzip-compressed."""
    if head.startswith(b"WARC/"):
        return True
    if head.startswith(b"\x1f\x8b"):
        try:
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16).startswith(b"WARC/")
        except zlib.error:
            return False
    return False


def binary_kind(head: bytes) -> str | None:
    """A description of what the bytes are when they are not text (None when they look like text)."""
    if not head or head.startswith(_TEXT_BOMS) or is_warc(head):
        return None
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if b"\x00" in head:
        return "binary data (contains NUL bytes)"
    controls = sum(head.count(bytes([c])) for c in _CONTROL)
    if controls > len(head) * 0.05:
        return "binary data (mostly control bytes)"
    return None


def _head_text(head: bytes) -> str:
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[2:].decode(codec, "ignore")
    return head.decode("utf-8", "ignore").lstrip("\ufeff")


def sniff_format(head: bytes, content_type: str | None = None) -> Format:
    """Guess the format of a document from its first bytes (and HTTP Content-Type, if any)."""
    if is_warc(head):
        return "warc"
    ct = (content_type or "").split(";")[0].strip().lower()
    if ct in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return "feed"
    if ct in ("text/html", "application/xhtml+xml"):
        return "html"
    if ct == "text/csv":
        return "csv"
    s = _head_text(head).lstrip()
    low = s[:4096].lower()
    if low.startswith("<?xml"):
        if _FEED_ROOT.search(low):
            return "feed"
        return "html" if "<html" in low else "feed"
    if _FEED_ROOT.match(low):
        return "feed"
    if low.startswith("<") and _HTML_TAG.search(low):
        return "html"
    if s.startswith("["):
        return "json"
    if s.startswith("{"):
        first = s.split("\n", 1)[0]
        try:
            return "jsonl" if isinstance(json.loads(first), dict) else "json"
        except ValueError:
            return "json"
    first_line = s.split("\n", 1)[0]
    if "," in first_line or "\t" in first_line:
        try:
            header = next(csv.reader([first_line], csv.Sniffer().sniff(first_line, ",;\t")))
        except (csv.Error, StopIteration):
            header = []
        if {h.strip().lower() for h in header} & {"text", "html"}:
            return "csv"
    return "text"


def document_item(data: bytes, source: str, kind: Literal["text", "html"], *,
                  item_id: str | None = None, charset: str | None = None,
                  url: str | None = None, fetched_at: datetime | None = None,
                  meta: dict[str, Any] | None = None) -> RawItem | Failure:
    """One text or HTML article from its bytes, or a Failure saying why it is not one."""
    if not data.strip():
        return Failure(source, "empty: no content" if data == b"" else "empty: only whitespace", STAGE)
    what = binary_kind(data[:SNIFF_BYTES])
    if what:
        return Failure(source, f"not a text document: the bytes are {what}", STAGE)
    try:
        dec = decode_bytes(data, declared=charset, markup=(kind == "html"))
    except DecodeError as e:
        return Failure(source, str(e), STAGE)
    m: dict[str, Any] = {"encoding": dec.encoding, "encoding_source": dec.how}
    if dec.notes:
        m["notes"] = list(dec.notes)
    m.update(meta or {})
    return RawItem(source=source, kind=kind, content=dec.text, id=item_id, url=url,
                   fetched_at=fetched_at, meta=m)
