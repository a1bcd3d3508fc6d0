"""The publication day an article's URL gives (``/2004/11/19/``, ``2004-12/29``), for items
that come without a date and whose text and markup name none.

htmldate (trafilatura's date library) reads the URL; an archived copy's address
(``web.archive.org/web/<capture time>/<original URL>``) is read for the original URL inside it,
since the capture time is when the page was archived, not when it was published.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_WAYBACK = re.compile(r"^https?://(?:web\.)?archive\.org/web/\d+[a-z_]*/(.+)$", re.IGNORECASE)
EARLIEST = datetime(1995, 1, 1)  # before this, a "date" in a URL is an id, not a day


def url_date(url: str | None, now: datetime | None = None) -> datetime | None:
    """The day in a URL's path (midnight UTC), or None when it names none (or one after
    ``now``)."""
    if not url:
        return None
    inner = _WAYBACK.match(url.strip())
    if inner:
        url = inner.group(1)
        if not re.match(r"^https?://", url, re.IGNORECASE):
            url = "http://" + url
    from htmldate.extractors import extract_url_date
    from htmldate.utils import Extractor

    latest = (now or datetime.now(timezone.utc)).replace(tzinfo=None) + timedelta(days=1)
    found = extract_url_date(url, Extractor(False, latest, EARLIEST, True, "%Y-%m-%d"))
    if not found:
        return None
    try:
        return datetime.strptime(found, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
