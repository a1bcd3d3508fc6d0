"""Publication dates given with an input: ISO 8601, RFC 2822 (also with non-English names)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

# Month abbreviations of the languages whose feeds write RFC 822 dates in their own words
# (pt, es, fr, de, it, nl); no abbreviation means two different months.
_MONTHS = {
    **dict.fromkeys(("jan", "janv", "ene", "gen", "jän"), 1),
    **dict.fromkeys(("feb", "fev", "fév", "févr", "fevr"), 2),
    **dict.fromkeys(("mar", "mär", "mrz", "mars", "maa", "mrt"), 3),
    **dict.fromkeys(("apr", "abr", "avr"), 4),
    **dict.fromkeys(("may", "mai", "mag", "mei"), 5),
    **dict.fromkeys(("jun", "juin", "giu"), 6),
    **dict.fromkeys(("jul", "juil", "lug"), 7),
    **dict.fromkeys(("aug", "ago", "août", "aou"), 8),
    **dict.fromkeys(("sep", "set", "sept"), 9),
    **dict.fromkeys(("oct", "out", "okt", "ott"), 10),
    **dict.fromkeys(("nov",), 11),
    **dict.fromkeys(("dec", "dez", "dic", "déc"), 12),
}
_RFC822_ANY = re.compile(
    r"^(?:[^\W\d]+\.?,?\s*)?(\d{1,2})\s+([^\W\d]+)\.?\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*(?:([+-])(\d{2}):?(\d{2})|(GMT|UTC|UT|Z))?\s*$",
    re.IGNORECASE,
)


def _localized_rfc822(s: str) -> datetime | None:
    m = _RFC822_ANY.match(s)
    if not m:
        return None
    day, mon, year, hh, mm, ss, sign, oh, om, utc = m.groups()
    month = _MONTHS.get(mon.lower()[:4]) or _MONTHS.get(mon.lower()[:3])
    if not month:
        return None
    tz = timezone.utc
    if sign:
        off = timedelta(hours=int(oh), minutes=int(om))
        tz = timezone(off if sign == "+" else -off)
    try:
        dt = datetime(int(year), month, int(day), int(hh), int(mm), int(ss or 0), tzinfo=tz)
    except ValueError:
        return None
    return dt if (sign or utc) else dt.replace(tzinfo=None)


def parse_date(value: Any) -> tuple[datetime | None, str | None]:
    """An aware datetime from ISO 8601, RFC 2822 (English or pt/es/fr/de/it/nl names) or epoch
    seconds, and a note when the value was unparseable or had no time zone (UTC assumed)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, timezone.utc), None
        except (OverflowError, OSError, ValueError):
            return None, f"published {value!r} is not a valid timestamp"
    if not isinstance(value, str):
        return None, f"published {value!r} is not a date string"
    s = value.strip()
    dt: datetime | None = None
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        try:
            dt = parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError):
            dt = _localized_rfc822(s)
    if dt is None:
        return None, f"published {s!r} is not an ISO 8601 or RFC 2822 date"
    if dt.tzinfo is None:
        if len(s) <= 10:  # a bare day ("2024-10-02"): no time of day, so no zone to miss
            return dt.replace(tzinfo=timezone.utc), None
        return dt.replace(tzinfo=timezone.utc), f"published {s!r} has no time zone; assumed UTC"
    return dt, None
