"""Web archives (WARC, WARC.gz): HTML responses with status 200 become kind="html" items."""
from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO

from ..config import Settings
from ..models import Failure, RawItem
from .decode import charset_from_content_type
from .formats import SNIFF_BYTES, STAGE, document_item, is_warc

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def iter_warc(stream: BinaryIO, name: str, settings: Settings) -> Iterator[RawItem | Failure]:
    """kind="html" items for the 200 text/html responses of a WARC; a cut-short or corrupt
    archive yields the records before the damage, then one Failure."""
    from warcio.archiveiterator import ArchiveIterator  # lazy: only archives need it
    from warcio.exceptions import ArchiveLoadFailed
    from warcio.statusandheaders import StatusAndHeadersParserException

    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if not is_warc(head):
        # warcio would read stray text as an old-style ARC record and find nothing in it.
        yield Failure(name, "not a WARC file: it does not start with a WARC/ header", STAGE)
        return
    count = 0
    offset: int | None = None
    try:
        archive = ArchiveIterator(stream)
        for record in archive:
            count += 1
            item = _response_item(record, settings)
            _drain(record)
            offset = archive.get_record_offset()  # only valid once the record is read through
            if isinstance(item, RawItem):
                item.source = f"{name}#{offset}"
            elif isinstance(item, Failure):
                item.item = f"{name}#{offset}"
            # The payload's own length is the only sign of a cut inside the last record.
            if getattr(record.raw_stream, "limit", 0) > 0:
                uri = record.rec_headers.get_header("WARC-Target-URI") or record.rec_type
                yield Failure(name, f"WARC is cut short: the record at offset {offset} "
                              f"({uri}) is incomplete", STAGE)
                return
            if item is not None:
                yield item
    except (ArchiveLoadFailed, StatusAndHeadersParserException, EOFError, zlib.error,
            ValueError, OSError) as e:
        where = f" after the record at offset {offset}" if offset is not None else ""
        what = "not a readable WARC" if count == 0 else "WARC is cut short or corrupt"
        yield Failure(name, f"{what}{where}: {type(e).__name__}: {e}".rstrip(": "), STAGE)
        return
    if offset is None:
        yield Failure(name, "not a WARC file, or an empty one: no records found", STAGE)
        return
    # A cut inside a record's headers ends warcio's iteration quietly: look for leftovers.
    end = offset + archive.get_record_length()
    stream.seek(end)
    rest = stream.read(65536)
    if rest.strip():
        yield Failure(name, f"WARC is cut short or corrupt: bytes after the record at offset "
                      f"{offset} do not form a complete record", STAGE)


def _response_item(record: Any, settings: Settings) -> RawItem | Failure | None:
    """The item for one record, a Failure for an oversized one, None for records we skip.
    The caller names it: the record's offset is known only after it is read."""
    source = ""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status = record.http_headers.get_statuscode()
    ctype = record.http_headers.get_header("Content-Type") or ""
    if status != "200" or ctype.split(";")[0].strip().lower() not in _HTML_TYPES:
        return None
    if record.length is not None and record.length > settings.max_bytes:
        return Failure(source, f"record is {record.length} bytes, over max_bytes "
                       f"({settings.max_bytes})", STAGE)
    body = record.content_stream().read(settings.max_bytes + 1)
    if len(body) > settings.max_bytes:
        return Failure(source, f"decoded payload is over max_bytes ({settings.max_bytes})", STAGE)
    url = record.rec_headers.get_header("WARC-Target-URI")
    meta = {"warc_date": record.rec_headers.get_header("WARC-Date"),
            "warc_record_id": record.rec_headers.get_header("WARC-Record-ID")}
    return document_item(body, source, "html", charset=charset_from_content_type(ctype),
                         url=url, fetched_at=_warc_date(meta["warc_date"]), meta=meta)


def _drain(record: Any) -> None:
    # Read what is left of the record so its length can be checked against what arrived.
    while record.raw_stream.read(65536):
        pass
