"""RSS/Atom feeds: entries as RawItems, and polling with conditional GET (ETag/Last-Modified)."""
from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol

from ..config import Settings
from ..errors import InputError
from ..models import Failure, RawItem
from ..stages.textmeta import word_count
from .decode import DecodeError, decode_bytes
from .formats import STAGE
from .timestamps import parse_date

_XML_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")
_TAG = re.compile(r"<[^>]+>")
TITLE_ONLY_MIN_WORDS = 3  # a headline-only entry needs a headline of at least this many words


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _plain(detail: Any, value: Any) -> str | None:
    # feedparser keeps markup in html-typed titles; a title is plain text.
    text = _clean(value)
    if text and detail and "html" in str(detail.get("type", "")):
        text = _clean(html.unescape(_TAG.sub(" ", text)))
    return text


def _when(entry: Any) -> tuple[datetime | None, str | None]:
    # dict.get: feedparser's own get() warns while aliasing "updated" to "published".
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        t = dict.get(entry, key)
        if t:  # feedparser has already converted it to UTC
            return datetime(*t[:6], tzinfo=timezone.utc), None
    # feedparser only knows English names; "Seg, 24 Set 2018 19:42:40 -0300" is common.
    raw = dict.get(entry, "published") or dict.get(entry, "updated")
    if not raw:
        return None, "feed entry has no date"
    return parse_date(raw)


def parse_feed(data: bytes, source: str, *, charset: str | None = None,
               feed_url: str | None = None, fetched_at: datetime | None = None
               ) -> Iterator[RawItem | Failure]:
    """One kind="html" RawItem per feed entry (content:encoded, content or summary)."""
    try:
        dec = decode_bytes(data, declared=charset)
    except DecodeError as e:
        yield Failure(source, str(e), STAGE)
        return
    # We decoded the bytes ourselves; re-label them UTF-8 so feedparser does not decode again.
    body = _XML_ENCODING.sub(r'\1"utf-8"', dec.text, count=1).encode("utf-8")
    import feedparser  # lazy: only feeds need it

    parsed = feedparser.parse(io.BytesIO(body), response_headers={
        "content-type": "application/xml; charset=utf-8", "content-location": feed_url or ""})
    if not parsed.get("version") and not parsed.entries:
        why = f": {parsed.get('bozo_exception')}" if parsed.get("bozo") else ""
        yield Failure(source, f"not an RSS/Atom feed{why}", STAGE)
        return
    feed = parsed.feed
    notes = list(dec.notes)
    if parsed.get("bozo"):
        notes.append(f"feed is not well-formed ({parsed.get('bozo_exception')}); read leniently")
    outlet = _plain(feed.get("title_detail"), feed.get("title"))
    language = _clean(feed.get("language"))
    self_link = next((ln.get("href") for ln in feed.get("links", []) if ln.get("rel") == "self"), None)
    for n, entry in enumerate(parsed.entries, 1):
        src = f"{source}#{n}"
        contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value", "").strip()]
        summary = entry.get("summary") or None
        if contents:
            content, description = contents[0], (summary if summary != contents[0] else None)
        elif summary and summary.strip():
            content, description = summary, None
        else:
            content, description = "", None
        title = _plain(entry.get("title_detail"), entry.get("title"))
        entry_notes = list(notes)
        if not content:
            link = entry.get("link") or n
            if not title:
                yield Failure(src, f"feed entry {link} has no content, summary or title", STAGE)
                continue
            # Headline-only entries are common; the headline is still worth grouping, and
            # the link can be fetched for the full text. A word or two ("A", "Update") is no
            # headline to group by.
            words = word_count(title)  # CJK characters count half a word each
            if words < TITLE_ONLY_MIN_WORDS:
                yield Failure(src, f"feed entry {link} has no content or summary, and its "
                                   f"title ({title!r}, {words} word{'s' if words != 1 else ''}) is "
                                   f"too short to stand for an article", STAGE)
                continue
            content = f"<h1>{html.escape(title)}</h1>"
            entry_notes.append("feed entry has no content or summary; content is the title only")
        meta: dict[str, Any] = {
            "feed_url": feed_url or self_link or source, "feed_title": outlet,
            "entry_id": entry.get("id"),
            "encoding": dec.encoding, "encoding_source": dec.how,
        }
        published, date_note = _when(entry)
        if date_note:
            entry_notes.append(date_note)
        if not published and entry.get("published"):
            meta["published_raw"] = entry.get("published")
        if content.startswith("<h1>") and not (contents or summary):
            meta["title_only"] = True
        if entry_notes:
            meta["notes"] = entry_notes
        yield RawItem(
            source=src, kind="html", content=content, url=entry.get("link") or None,
            title=title, published=published,
            outlet=outlet, author=_clean(entry.get("author")),
            language=_clean(entry.get("language")) or language,
            description=_plain({"type": "text/html"}, description) if description else None,
            fetched_at=fetched_at, meta=meta)


class FeedState(Protocol):
    """Where conditional-GET validators and the last check of each feed are kept.

    ``get_feed_state`` returns a dict with keys ``etag``, ``last_modified``, ``checked_at``
    and ``error`` (or None for a feed never polled).
    """

    def get_feed_state(self, url: str) -> dict[str, Any] | None: ...

    def set_feed_state(self, url: str, etag: str | None, last_modified: str | None,
                       checked_at: datetime, error: str | None) -> None: ...


class MemoryFeedState:
    """FeedState kept in a dict (tests, one-off runs)."""

    def __init__(self) -> None:
        self.feeds: dict[str, dict[str, Any]] = {}

    def get_feed_state(self, url: str) -> dict[str, Any] | None:
        """The stored state of ``url``, or None."""
        state = self.feeds.get(url)
        return dict(state) if state else None

    def set_feed_state(self, url: str, etag: str | None, last_modified: str | None,
                       checked_at: datetime, error: str | None) -> None:
        """Record the outcome of one poll of ``url``."""
        self.feeds[url] = {"etag": etag, "last_modified": last_modified,
                           "checked_at": checked_at, "error": error}


@dataclass
class FeedStateRecord:
    """The outcome of one poll, as stored in the FeedState."""

    url: str
    etag: str | None
    last_modified: str | None
    checked_at: datetime
    error: str | None = None
    status: int | None = None
    not_modified: bool = False
    failures: list[Failure] = field(default_factory=list)  # entries that could not be read


def poll_feed(url: str, settings: Settings, state: FeedState) -> tuple[list[RawItem], FeedStateRecord]:
    """Fetch a feed with conditional GET; 304 gives no items. Raises InputError after
    recording the error in ``state`` when the feed cannot be fetched or read."""
    from .urls import fetch

    prev = state.get_feed_state(url) or {}
    etag, modified = prev.get("etag"), prev.get("last_modified")
    now = datetime.now(timezone.utc)
    try:
        res = fetch(url, settings, etag=etag, last_modified=modified)
    except InputError as e:
        state.set_feed_state(url, etag, modified, now, e.reason)
        raise
    if res.not_modified:
        rec = FeedStateRecord(url, res.headers.get("etag") or etag,
                              res.headers.get("last-modified") or modified, now,
                              status=res.status, not_modified=True)
        state.set_feed_state(url, rec.etag, rec.last_modified, now, None)
        return [], rec
    items: list[RawItem] = []
    failures: list[Failure] = []
    for r in parse_feed(res.body, url, charset=res.encoding, feed_url=res.final_url,
                        fetched_at=res.fetched_at):
        (items if isinstance(r, RawItem) else failures).append(r)  # type: ignore[arg-type]
    whole = [f for f in failures if f.item == url]
    if whole:
        # Keep the old validators: a broken body must be fetched again next time.
        state.set_feed_state(url, etag, modified, now, whole[0].reason)
        raise InputError(url, whole[0].reason)
    rec = FeedStateRecord(url, res.headers.get("etag"), res.headers.get("last-modified"), now,
                          status=res.status, failures=failures)
    state.set_feed_state(url, rec.etag, rec.last_modified, now, None)
    return items, rec
