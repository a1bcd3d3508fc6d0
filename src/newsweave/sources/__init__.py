"""Sources: turn files, directories, globs, stdin, URLs, feeds and web archives into RawItems.

``iter_raw`` is the one entry point; it yields a RawItem per article found and a
``Failure(stage="source")`` per bad input or record, and never raises for a bad input.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from ..config import Settings
from ..models import Failure, RawItem
# Bound here, eagerly, so the name means the function and not the submodule of the same name.
from .watch import read_feed_list, watch

__all__ = ["iter_raw", "fetch", "poll_feed", "watch", "read_feed_list", "FeedState",
           "MemoryFeedState", "FeedStateRecord", "FetchResult"]


def iter_raw(inputs: Sequence[str], settings: Settings,
             stdin: BinaryIO | None = None) -> Iterator[RawItem | Failure]:
    """Every article in ``inputs`` (paths, directories, globs, "-" for stdin, http(s) URLs)."""
    from .files import expand_input, iter_path, iter_stdin
    from .formats import STAGE
    from .urls import is_url, iter_url

    for value in inputs:
        if value == "-":
            yield from iter_stdin(stdin if stdin is not None else sys.stdin.buffer, settings)
        elif is_url(value):
            yield from iter_url(value, settings)
        elif "://" in value:
            yield Failure(value, f"unsupported URL scheme {value.split('://', 1)[0]!r}", STAGE)
        else:
            for path in expand_input(value):
                if isinstance(path, Failure):
                    yield path
                else:
                    yield from iter_path(path, settings)


def __getattr__(name: str) -> object:
    # Keep `import newsweave.sources` cheap: httpx and feedparser load on first use.
    if name in ("fetch", "FetchResult"):
        from . import urls
        return getattr(urls, name)
    if name in ("poll_feed", "FeedState", "MemoryFeedState", "FeedStateRecord"):
        from . import feeds
        return getattr(feeds, name)
    raise AttributeError(name)
