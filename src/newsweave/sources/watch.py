"""Poll a list of feeds on an interval, handing on new entries, backing off on errors.

What counts as new: ``watch`` remembers, per feed and for the life of the call, the entries it
has already handed on (by entry id, else link, else content hash), and conditional GET
(ETag/Last-Modified kept in the FeedState) skips unchanged feeds across runs. Across separate
runs an entry can be handed on again when its feed changes; ``on_items`` (the store) dedupes
those by id, canonical URL and content hash.
"""
from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from pathlib import Path

from ..config import Settings
from ..errors import InputError
from ..models import RawItem, text_hash
from .feeds import FeedState, poll_feed

log = logging.getLogger(__name__)
SEEN_PER_FEED = 10_000  # bounds memory on a feed that never repeats an entry
_COMMENT = re.compile(r"\s+#.*$")


def read_feed_list(path: str | Path) -> list[str]:
    """Feed URLs from a file: one per line; blank lines and # comments are ignored."""
    urls: list[str] = []
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        line = _COMMENT.sub("", line).strip()
        if line and not line.startswith("#"):
            urls.append(line)
    return urls


def entry_key(item: RawItem) -> str:
    """What identifies a feed entry across polls: its id, else its link, else its content."""
    return str(item.meta.get("entry_id") or item.url or text_hash(item.content))


def watch(feed_urls: list[str], every_seconds: float, on_items: Callable[[list[RawItem]], None],
          settings: Settings, state: FeedState, rounds: int | None = None,
          sleep: Callable[[float], None] = time.sleep,
          on_error: Callable[[str, str], None] | None = None,
          max_backoff_seconds: float = 3600.0) -> None:
    """Poll every feed each ``every_seconds`` for ``rounds`` rounds (None: forever).

    A feed that fails waits 2, 4, 8 … intervals (at most ``max_backoff_seconds``) before its
    next try and is back to every interval after a success. Errors go to ``on_error(url,
    reason)`` (default: logged); an exception raised by ``on_items`` stops the watch.
    """
    if every_seconds <= 0:
        raise ValueError("every_seconds must be positive")
    feed_urls = list(dict.fromkeys(feed_urls))
    report = on_error or (lambda url, reason: log.warning("%s: %s", url, reason))
    # Time is counted in rounds, so a fake ``sleep`` in tests sees the same schedule.
    max_skip = max(1, math.ceil(max_backoff_seconds / every_seconds))
    due = {url: 0 for url in feed_urls}
    errors = {url: 0 for url in feed_urls}
    seen: dict[str, dict[str, None]] = {url: {} for url in feed_urls}
    n = 0
    while rounds is None or n < rounds:
        if n:
            sleep(every_seconds)
        for url in feed_urls:
            if due[url] > n:
                continue
            try:
                items, record = poll_feed(url, settings, state)
            except InputError as e:
                errors[url] += 1
                due[url] = n + min(2 ** errors[url], max_skip)
                report(url, e.reason)
                continue
            errors[url] = 0
            due[url] = n + 1
            for failure in record.failures:
                report(failure.item, failure.reason)
            new = _unseen(items, seen[url])
            if new:
                on_items(new)
        n += 1


def _unseen(items: list[RawItem], seen: dict[str, None]) -> list[RawItem]:
    new: list[RawItem] = []
    for item in items:
        key = entry_key(item)
        if key in seen:
            continue
        seen[key] = None
        new.append(item)
    while len(seen) > SEEN_PER_FEED:
        del seen[next(iter(seen))]  # dicts keep insertion order: drop the oldest
    return new
