"""Date expressions: article text -> DateMention ranges resolved against the publication date.

Candidates are found with patterns built from dateparser's own locale tables (month and weekday
names, the fixed relative phrases such as "last month" / "le mois dernier" / "上个月", and each
language's day/month order), so every language dateparser knows is covered without a hand-kept
word list. Each candidate is then resolved by calendar arithmetic rather than by a second
``dateparser.parse`` call: measured here, ``parse`` costs 1-5 ms per call (170 ms on a language's
first use, 4 s on some misses without a language hint) and ``search_dates`` ~110 ms per
600-word article, while the fields the pattern captured (day, month, year, offset, unit) already
fix the date. The year of a yearless date is the one that puts it closest to the publication
date; a weekday alone is the closest such day on or before publication (news reports "on Monday"
from the Monday itself); "last week" is the previous Monday-Sunday week.

Without a publication date only absolute dates (with a year) are returned: a relative or yearless
expression has nothing to be resolved against.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Iterator

from ..models import DateMention

__all__ = ["find_dates", "setup"]

# Texts beyond this are scanned only in their first part: dates that matter are near the top, and
# a pathological input must not stall a batch.
MAX_CHARS = 200_000

_CJK = {"zh", "ja"}
# Languages that capitalise month and weekday names: lower case there is another word ("may").
_CAPITALISED = {"en", "de"}
# Forms the locale tables lack (Russian prepositional case: "в феврале 2022 года").
_EXTRA_MONTHS = {
    "ru": {m: i for i, m in enumerate(
        "январе феврале марте апреле мае июне июле августе сентябре октябре ноябре декабре".split(), 1)},
}
# Prepositions that make a bare month name or a bare year a date ("in May", "since 2019"); a
# capitalised "May" or a number like 2000 is otherwise too often something else.
_PREPOSITIONS = {
    "en": "in|since|until|till|by|from|through|to|early|late|mid|mid-|end of|beginning of|before|after|during|of",
    "fr": "en|depuis|dès|jusqu'en|jusqu’en|avant|après|fin|début|mi-|de|d'|d’",
    "de": "im|in|seit|bis|ab|vor|nach|Anfang|Ende|Mitte|von",
    "es": "en|desde|hasta|antes de|después de|de|a finales de|a principios de",
    "it": "a|in|da|dal|fino a|entro|nel|di",
    "pt": "em|desde|até|de|no",
    "nl": "in|sinds|tot|vanaf|voor|na|begin|eind|medio",
    "ru": "в|с|до|к|после|со|по|начале|конце|середине",
}
_MONTHS = (
    "january february march april may june july august september october november december".split()
)
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_UNITS = {"day", "week", "month", "year"}
_ORDINAL = r"(?:st|nd|rd|th|er|e|\.|º|°)?"


@dataclass(frozen=True)
class _Grammar:
    language: str
    order: str  # "DMY", "MDY" or "YMD" for all-numeric dates
    months: dict[str, int]
    weekdays: dict[str, int]
    relative: dict[str, tuple[int, str, int | None]]  # phrase -> (offset, unit, weekday)
    patterns: tuple[tuple[str, re.Pattern[str]], ...]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _relative_meaning(key: str) -> tuple[int, str, int | None] | None:
    """dateparser's normalized keys: '1 month ago', 'in 2 day', 'last monday', 'this week'."""
    m = re.fullmatch(r"(\d+) (day|week|month|year) ago", key)
    if m:
        return -int(m.group(1)), m.group(2), None
    m = re.fullmatch(r"in (\d+) (day|week|month|year)", key)
    if m:
        return int(m.group(1)), m.group(2), None
    m = re.fullmatch(r"(last|this|next) (\w+day)", key)
    if m and m.group(2) in _WEEKDAYS:
        return {"last": -1, "this": 0, "next": 1}[m.group(1)], "weekday", _WEEKDAYS.index(m.group(2))
    return None


@lru_cache(maxsize=64)
def _grammar(language: str) -> _Grammar:
    from dateparser.languages.loader import default_loader

    try:
        info = default_loader.get_locale(language).info
    except Exception:  # a language dateparser lacks: English names, numeric forms still work
        language = "en"
        info = default_loader.get_locale("en").info
    cjk = language in _CJK
    months: dict[str, int] = {}
    if not cjk:
        for i, key in enumerate(_MONTHS, 1):
            for name in info.get(key, []):
                if len(name) >= 3:
                    months[name.lower()] = i
        months.update(_EXTRA_MONTHS.get(language, {}))
    weekdays: dict[str, int] = {}
    for i, key in enumerate(_WEEKDAYS):
        names = info.get(key, [])
        longest = max(names, key=len) if names else ""
        for name in names:
            # Short forms ("Sun", "Sat", "so", "Do") are ordinary words too; only full names, or
            # any form in scripts without spaces, stand alone as a weekday.
            if name == longest or cjk or len(name) >= 5:
                weekdays[name.lower()] = i
    relative: dict[str, tuple[int, str, int | None]] = {}
    for key, phrases in (info.get("relative-type") or {}).items():
        meaning = _relative_meaning(key)
        if meaning:
            for p in phrases:
                if len(p) >= 3 or cjk:
                    relative[p.lower()] = meaning
    order = str(info.get("date_order") or "DMY").upper()
    return _Grammar(language, order, months, weekdays, relative,
                    _compile(language, info, months, weekdays, relative))


def _compile(language, info, months, weekdays, relative) -> tuple[tuple[str, re.Pattern[str]], ...]:
    b, e = (r"(?<!\w)", r"(?!\w)")
    prep = _PREPOSITIONS.get(language)
    pats: list[tuple[str, str]] = [
        ("iso", rf"{b}(?P<y>(?:19|20)\d\d)-(?P<m>[01]?\d)-(?P<d>[0-3]?\d){e}"),
        ("numeric", rf"(?<![\w./-])(?P<a>[0-3]?\d)(?P<sep>[./])(?P<b>[0-3]?\d)(?P=sep)(?P<y>(?:19|20)\d\d){e}"),
        ("cjk_ymd", r"(?:(?P<y>(?:19|20)\d\d)\s*年\s*)?(?P<m>[01]?\d)\s*月\s*(?P<d>[0-3]?\d)\s*[日号號]"),
        ("cjk_ym", r"(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>[01]?\d)\s*月(?!\s*\d)"),
        ("cjk_y", r"(?P<y>(?:19|20)\d\d)\s*年(?!\s*[\d前后後])"),
    ]
    if months:
        M = rf"(?P<mon>{_alternation(list(months))})\.?"
        W = rf"(?:(?P<wd>{_alternation(list(weekdays))}),?\s+)?" if weekdays else ""
        Y = r"(?P<y>(?:19|20)\d\d)"
        D = rf"(?P<d>[0-3]?\d){_ORDINAL}"
        D2 = rf"(?:\s*[-–]\s*(?P<d2>[0-3]?\d){_ORDINAL})?"
        # After the month a trailing period ends the sentence, it is no ordinal ("through April 19.")
        DM = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
        D2M = r"(?:\s*[-–]\s*(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?)?"
        year_tail = r"(?:\s*(?:года|г\.|год))?"
        pats += [
            # 16 April 2023 / dimanche 16 avril / 16. April / 16 de abril de 2023 / 16 апреля
            ("dmy", rf"{b}{W}(?:the\s+)?{D}{D2}\s+(?:de\s+|of\s+)?{M}(?:,?\s+(?:de\s+|del\s+)?{Y}{year_tail})?{e}"),
            # Sunday, April 16 / April 16, 2023 / April 16-19
            ("mdy", rf"{b}{W}{M}\s+{DM}{D2M}(?:,?\s+{Y})?{e}(?!\s*(?:%|percent))"),
            ("my", rf"{b}{M},?\s+(?:de\s+|del\s+|of\s+)?{Y}{year_tail}{e}"),
        ]
        if prep:
            pats.append(("m", rf"{b}(?:{prep})(?:\s+|(?<=-)){M}{e}"))
    if weekdays:
        pats.append(("weekday", rf"{b}(?P<wd>{_alternation(list(weekdays))}){e}"))
    if relative:
        pats.append(("relative", rf"{b}(?P<rel>{_alternation(list(relative))}){e}"))
    # "3 days before the vote" is relative to the vote, not to publication
    ago = [a for a in info.get("ago", []) if a.strip() and a not in ("before", "after")]
    unit_words = {u: [w for w in info.get(u, []) if len(w) >= 2 or language in _CJK] for u in _UNITS}
    unit_alt = "|".join(f"(?P<u_{u}>{_alternation(ws)})" for u, ws in unit_words.items() if ws)
    if ago and unit_alt:
        ago_alt = _alternation(ago)
        if language in _CJK:
            pats.append(("ago", rf"(?P<n>\d+)\s*(?:{unit_alt})\s*(?:{ago_alt})"))
        elif language in ("fr", "de", "es", "it", "pt", "nl"):  # the word comes first: "il y a 3 jours"
            pats.append(("ago", rf"{b}(?:{ago_alt})\s+(?P<n>\d+)\s+(?:{unit_alt}){e}"))
        else:
            pats.append(("ago", rf"{b}(?P<n>\d+|an?|one|two|three|four|five|six)\s+(?:{unit_alt})\s+(?:{ago_alt}){e}"))
    year = r"(?P<y>(?:19|20)\d\d)(?![\w%/-]|[.,]\d)"
    if prep:
        # A bare year only after a preposition ("in 2023", "depuis 2019") or before punctuation;
        # otherwise 2000 is as likely a count ("2000 troops").
        pats.append(("y", rf"{b}(?:{prep})(?:\s+|(?<=-)){year}"))
    pats.append(("y", rf"(?<![\w$€£.,/-]){year}(?=\s*[.,;:)!?]|\s*$)"))
    return tuple((kind, re.compile(p, re.IGNORECASE)) for kind, p in pats)


# ---- resolution ----------------------------------------------------------------------------

def _month_range(y: int, m: int) -> tuple[date, date]:
    return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])


def _closest_year(m: int, d: int | None, base: date) -> int:
    """The year putting (m, d) closest to the publication date (Dec 30 read in January -> last year)."""
    best = None
    for y in (base.year - 1, base.year, base.year + 1):
        day = min(d or 1, calendar.monthrange(y, m)[1])
        dist = abs((date(y, m, day) - base).days)
        if d is None:  # a month: distance to its nearest edge
            lo, hi = _month_range(y, m)
            dist = 0 if lo <= base <= hi else min(abs((lo - base).days), abs((hi - base).days))
        if best is None or dist < best[0]:
            best = (dist, y)
    return best[1]


def _shift(base: date, offset: int, unit: str) -> tuple[date, date, str]:
    if unit == "day":
        d = base + timedelta(days=offset)
        return d, d, "day"
    if unit == "week":
        monday = base - timedelta(days=base.weekday()) + timedelta(weeks=offset)
        return monday, monday + timedelta(days=6), "week"
    if unit == "month":
        total = base.year * 12 + base.month - 1 + offset
        lo, hi = _month_range(total // 12, total % 12 + 1)
        return lo, hi, "month"
    y = base.year + offset
    return date(y, 1, 1), date(y, 12, 31), "year"


def _weekday(base: date, wd: int, direction: int) -> date:
    """direction 0: on or before base; -1: strictly before ("last Monday"); 1: strictly after."""
    back = (base.weekday() - wd) % 7
    if direction == 0:
        return base - timedelta(days=back)
    if direction < 0:
        return base - timedelta(days=back or 7)
    return base + timedelta(days=(wd - base.weekday()) % 7 or 7)


def _day(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def _resolve(kind: str, g: re.Match[str], gram: _Grammar, base: date | None):
    """(date_from, date_to, granularity) for one candidate, or None when it is not a date."""
    gd = g.groupdict()
    year = int(gd["y"]) if gd.get("y") else None
    if kind in ("iso", "cjk_ymd"):
        if year is None:
            if base is None:
                return None
            year = _closest_year(int(gd["m"]), int(gd["d"]), base)
        d = _day(year, int(gd["m"]), int(gd["d"]))
        return (d, d, "day") if d else None
    if kind == "numeric":
        a, b_ = int(gd["a"]), int(gd["b"])
        m, d = (a, b_) if gram.order.startswith("M") else (b_, a)
        day = _day(year, m, d) or _day(year, d, m)  # "25/12/2023" in a MDY language
        return (day, day, "day") if day else None
    if kind in ("cjk_ym",):
        if not 1 <= int(gd["m"]) <= 12:
            return None
        return (*_month_range(year, int(gd["m"])), "month")
    if kind in ("cjk_y", "y"):
        return date(year, 1, 1), date(year, 12, 31), "year"
    if kind in ("dmy", "mdy", "my", "m"):
        if gram.language in _CAPITALISED and not gd["mon"][:1].isupper():
            return None  # "to march", "you may"
        month = gram.months.get(gd["mon"].lower().rstrip("."))
        if not month:
            return None
        if kind in ("my", "m"):
            if year is None:
                if base is None:
                    return None
                year = _closest_year(month, None, base)
            return (*_month_range(year, month), "month")
        day = int(gd["d"])
        if year is None:
            if base is None:
                return None
            year = _closest_year(month, day, base)
        lo = _day(year, month, day)
        if lo is None:
            return None
        hi = _day(year, month, int(gd["d2"])) if gd.get("d2") else lo
        return (lo, hi, "day") if hi and hi >= lo else (lo, lo, "day")
    if base is None:
        return None
    if kind == "weekday":
        wd = gram.weekdays.get(gd["wd"].lower())
        if wd is None or (gram.language in _CAPITALISED and not gd["wd"][:1].isupper()):
            return None
        d = _weekday(base, wd, 0)
        return d, d, "day"
    if kind == "relative":
        if len(gd["rel"]) > 3 and gd["rel"].isupper():
            return None  # "USA TODAY" is a newspaper
        offset, unit, wd = gram.relative[gd["rel"].lower()]
        if unit == "weekday":
            d = _weekday(base, wd, offset)
            return d, d, "day"
        return _shift(base, offset, unit)
    if kind == "ago":
        n = gd["n"].lower()
        count = int(n) if n.isdigit() else _NUMBER_WORDS.get(n, 1)
        unit = next(u for u in _UNITS if gd.get(f"u_{u}"))
        return _shift(base, -count, unit)
    return None


# Longer, more specific patterns win overlaps: "Sunday, April 16" over "Sunday".
_PRIORITY = {"iso": 0, "numeric": 0, "cjk_ymd": 0, "dmy": 1, "mdy": 1, "cjk_ym": 2, "my": 2,
             "relative": 3, "ago": 3, "m": 4, "cjk_y": 5, "weekday": 6, "y": 7}


def _candidates(text: str, gram: _Grammar) -> Iterator[tuple[int, int, str, re.Match[str]]]:
    for kind, pat in gram.patterns:
        for m in pat.finditer(text):
            if m.end() > m.start():
                yield m.start(), m.end(), kind, m


def _trim(text: str, start: int, end: int, m: re.Match[str], kind: str) -> tuple[int, int]:
    """Mention span without the leading preposition that only licensed a bare month or year."""
    if kind in ("m", "y"):
        key = "mon" if kind == "m" else "y"
        return m.start(key), m.end(key)
    while end > start and text[end - 1] in " ,":
        end -= 1
    if text[end - 1:end] == "." and "mon" in m.re.groupindex and m.group("mon") and (
        m.end("mon") == end - 1 and len(m.group("mon")) > 4
    ):
        end -= 1  # "13th December." - the period ends the sentence, it abbreviates nothing
    return start, end


def find_dates(text: str, language: str | None, published: datetime | None) -> list[DateMention]:
    """Every date expression in ``text`` resolved to a calendar range, relative to ``published``."""
    if not text:
        return []
    from .sentences import normalize_language

    lang = normalize_language(language) or "en"
    gram = _grammar(lang)
    base = published.date() if isinstance(published, datetime) else published
    text = text[:MAX_CHARS]
    # Most specific first, then longest: "Sunday, April 16" beats "Sunday", "February 2022" beats
    # "in February" and "2022".
    found = sorted(_candidates(text, gram), key=lambda c: (_PRIORITY[c[2]], c[0] - c[1], c[0]))
    taken: list[tuple[int, int]] = []
    out: list[DateMention] = []
    for start, end, kind, m in found:
        if any(start < te and ts < end for ts, te in taken):
            continue
        resolved = _resolve(kind, m, gram, base)
        if resolved is None:
            continue
        s, e = _trim(text, start, end, m, kind)
        taken.append((start, end))
        out.append(DateMention(text[s:e], s, e, resolved[0], resolved[1], resolved[2]))
    out.sort(key=lambda d: d.start)
    return out


def setup(languages: tuple[str, ...] = ("en", "fr", "de", "es", "it", "pt", "nl", "ru", "zh")) -> None:
    """Build the date patterns for ``languages`` once (dateparser's locale tables load lazily)."""
    for lang in languages:
        _grammar(lang)
