"""Route a document (bytes or an open stream) to the reader for its format."""
from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlsplit

from ..config import Settings
from ..models import Failure, RawItem
from .formats import SNIFF_BYTES, STAGE, Format, binary_kind, document_item, sniff_format

if TYPE_CHECKING:  # pragma: no cover
    from .urls import FetchResult

__all__ = ["STAGE", "STREAMED", "iter_blob", "iter_stream", "iter_fetched"]

Result = RawItem | Failure
STREAMED: frozenset[Format] = frozenset({"jsonl", "csv", "warc"})  # read in bounded pieces


def iter_stream(stream: BinaryIO, name: str, fmt: Format, settings: Settings) -> Iterator[Result]:
    """Items from a seekable binary stream in a line- or record-oriented format."""
    if fmt == "jsonl":
        from .records import iter_jsonl
        yield from iter_jsonl(stream, name, settings)
    elif fmt == "csv":
        from .records import iter_csv
        yield from iter_csv(stream, name, settings)
    elif fmt == "warc":
        from .warc import iter_warc
        yield from iter_warc(stream, name, settings)
    else:
        yield from iter_blob(stream.read(settings.max_bytes + 1), name, fmt, settings)


def iter_blob(data: bytes, name: str, fmt: Format, settings: Settings, *,
              item_id: str | None = None, charset: str | None = None, url: str | None = None,
              fetched_at: datetime | None = None, meta: dict[str, Any] | None = None
              ) -> Iterator[Result]:
    """Items from a whole document held in memory."""
    if len(data) > settings.max_bytes:
        yield Failure(name, f"larger than max_bytes ({settings.max_bytes} bytes)", STAGE)
    elif fmt in ("text", "html"):
        yield document_item(data, name, fmt, item_id=item_id, charset=charset, url=url,
                            fetched_at=fetched_at, meta=meta)
    elif fmt == "feed":
        from .feeds import parse_feed
        yield from parse_feed(data, name, charset=charset, feed_url=url, fetched_at=fetched_at)
    elif fmt == "json":
        from .records import iter_json
        yield from iter_json(data, name, settings)
    else:
        yield from iter_stream(io.BytesIO(data), name, fmt, settings)


def iter_fetched(res: FetchResult, settings: Settings) -> Iterator[Result]:
    """Items from a fetched HTTP response: a feed's entries, one page, records or a WARC."""
    head = res.body[:SNIFF_BYTES]
    if not res.body.strip():
        yield Failure(res.url, f"empty response body (HTTP {res.status})", STAGE)
        return
    from .archives import archive_kind, iter_archive  # (archives reads through this module)

    kind = archive_kind(head)
    if kind is not None:  # a compressed file or an archive: what is inside, as from a file
        name = PurePosixPath(urlsplit(res.final_url or res.url).path).name or "download"
        # The body is in memory already (at most max_bytes): read it from there.
        yield from iter_archive(io.BytesIO(res.body), res.url, name, kind, settings)
        return
    what = binary_kind(head)
    if what:
        ct = res.content_type or "no Content-Type"
        yield Failure(res.url, f"not a text document: the response is {what} ({ct})", STAGE)
        return
    fmt = sniff_format(head, res.content_type)
    meta = {"final_url": res.final_url, "status": res.status, "content_type": res.content_type}
    yield from iter_blob(res.body, res.url, fmt, settings, charset=res.encoding,
                         url=res.final_url, fetched_at=res.fetched_at, meta=meta)
