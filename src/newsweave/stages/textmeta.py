"""Metadata from plain text: bylines, outlet, datelines, photo captions and image credits.

Used by ``cleantext`` when no markup says who wrote an article, for which outlet, and when.
Recognisers take one line (already stripped) and say what it is; they never edit the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

# Sentence-final marks across scripts: Latin, CJK full-width, Devanagari danda, Arabic/Urdu,
# Ethiopic, Armenian, Myanmar, Tibetan. One list for every rule that asks "does this end a sentence".
SENTENCE_END = ".!?…‼。！？।॥؟۔።፧։။།"
SENTENCE_END_CLASS = "[" + re.escape(SENTENCE_END) + "]"

__all__ = [
    "Byline",
    "parse_byline",
    "find_date",
    "is_dateline",
    "is_credit",
    "is_caption",
    "author_from_bio",
    "parse_lead",
    "lead_dateline",
    "is_photo_caption",
    "word_count",
]

# Words that mark a follow/subscribe button glued to a byline ("Text by: RFI Follow").
_BUTTON_WORDS = {"follow", "suivre", "folgen", "seguir", "segui", "подписаться", "abonnieren"}

# Lower-case words allowed inside a person's name ("Ursula von der Leyen", "Luiz Inácio da Silva").
_NAME_PARTICLES = {
    "de", "da", "das", "do", "dos", "del", "della", "di", "du", "la", "le", "van", "von",
    "der", "den", "ter", "bin", "ibn", "al", "el", "y", "e",
}
_NAME_JOINERS = {"and", "et", "und", "y", "e", "и", "&"}
# Capitalised words that start sentences, never names: "By Monday, ..." is not a byline.
_NOT_NAMES = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "the", "this",
    "that", "then", "now", "today", "yesterday", "tomorrow", "early", "late", "last", "next",
}

_TEXT_BY = re.compile(
    r"^(?:text|texte|texto|testo|текст|written)\b\s*(?:by|par|por|di|von|de)?\s*[:：]?\s*(?P<v>.+)$",
    re.IGNORECASE,
)
_BY = re.compile(r"^(?:by|par|von|por|di|от)\s+(?P<v>[^\W\d_].+)$", re.IGNORECASE)
_AUTHOR = re.compile(
    r"^(?:author|auteur|autor|autore|автор|reporter|reporting by|report by)\s*[:：]\s*(?P<v>.+)$",
    re.IGNORECASE,
)
_SOURCE = re.compile(
    r"^(?:source|quelle|fuente|fonte|источник)\s*[:：]\s*(?P<v>.+)$", re.IGNORECASE
)
# "With our correspondent in Moscow, Julian Colling" and its translations (RFI, DW, EFE style).
_CORRESPONDENT = re.compile(
    r"^(?:with|from|avec|de|von|mit|con|com|dal|dalla|с|от)\s+"
    r"(?:our|notre|nos|unserem|unserer|unseren|nuestro|nuestra|o nosso|a nossa|nosso|nossa|"
    r"nostro|nostra|il nostro|la nostra|нашим|нашей|нашего)\s+"
    r"(?:special\s+|envoyée?s?\s+spéciale?s?\s+|)"
    r"(?:correspondents?|correspondante?s?|envoyée?s?\s+spéciale?s?|korrespondent(?:in|en)?|"
    r"corresponsal(?:es)?|correspondente|corrispondente|inviat[oa]|корреспондент(?:ом|ом)?|"
    r"reporter|journaliste)"
    r"(?:\s+(?:in|at|à|au|aux|en|em|no|na|a|ad|in|в|во)\s+[^,]+)?"
    r"\s*[,:]\s*(?P<v>.+)$",
    re.IGNORECASE,
)

# Image credits: a labelled credit, a copyright sign, or "NAME/AGENCY" at the end of a line.
_CREDIT_LABEL = re.compile(
    r"(?:^|\W)(?:image|images|photo|photos|picture|pic|foto|fotos|bild|imagem|immagine|фото|"
    r"crédits?(?:\s+photo)?|photo\s+credit|credits?|image\s+(?:resource|source|credit)|"
    r"source\s+de\s+l'image|bildquelle|fotoquelle|créditos?|fonte\s+(?:da\s+)?imagem)"
    r"\s*(?:resource|source|credit)?\s*[:：]",
    re.IGNORECASE,
)
_AGENCIES = (
    r"getty images|afp|reuters|ap(?: photo)?|epa(?:-efe)?|efe|dpa|sputnik|ria novosti|tass|"
    r"xinhua|anadolu|ansa|shutterstock|bloomberg|picture alliance|imago|abaca|belga|pa|"
    r"associated press|agence france-presse|keystone|lusa|alamy|istock"
)
_AGENCY_CREDIT = re.compile(
    rf"(?:/|\bvia\s+|\(|-\s+)(?:{_AGENCIES})\b[^.!?]{{0,40}}\)?\s*$", re.IGNORECASE
)
_SLASH_CREDIT = re.compile(r"^[^\W\d_][\w .'’-]{1,40}/[\w .'’-]{2,40}$")

# Dates with a day, a month and a year: the only ones precise enough to date an article.
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)")
_CJK = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_MONTH_FIRST = re.compile(
    r"(?<!\w)([^\W\d_]{3,}\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)"
)
_DAY_FIRST = re.compile(
    r"(?<![\d\w])(\d{1,2})(?:\.|º|er|st|nd|rd|th)?\s+(?:de\s+)?([^\W\d_]{3,}\.?),?\s+"
    r"(?:de\s+|del\s+)?(\d{4})(?!\d)"
)
_TIME = re.compile(r"\b\d{1,2}[:h.]\d{2}(?::\d{2})?\b")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")


@dataclass
class Byline:
    """Who wrote an article and for which outlet, as a byline line says."""

    author: str | None = None
    outlet: str | None = None


def word_count(text: str) -> int:
    """Words in a line; CJK characters count as half a word each (no spaces between words)."""
    cjk = len(_CJK_CHAR.findall(text))
    latin = len(_WORD.findall(_CJK_CHAR.sub(" ", text)))
    return latin + cjk // 2


def _is_name(text: str) -> bool:
    tokens = text.replace(",", " , ").split()
    if not tokens or len(tokens) > 12:
        return False
    capitalised = 0
    for tok in tokens:
        if tok == "," or tok.isdigit() or tok.lower() in _NAME_JOINERS | _NAME_PARTICLES:
            continue  # digits belong to outlet names ("France 24")
        if not tok[0].isupper() or tok.lower().strip(".") in _NOT_NAMES:
            return False
        if not all(ch.isalpha() or ch in ".'’-" for ch in tok):
            return False
        capitalised += 1
    return capitalised >= 1


def _strip_button(value: str) -> str:
    words = value.split()
    while words and words[-1].lower().strip(".:|") in _BUTTON_WORDS:
        words.pop()
    return " ".join(words).strip(" |,-–—:")


def _split_value(value: str) -> list[str]:
    return [p.strip() for p in re.split(r"\s*[|•·]\s*|\s+[-–—]\s+", value) if p.strip()]


def _is_organisation(name: str) -> bool:
    # An acronym ("RFI", "AFP") or one word ("Reuters") names an outlet, not a person.
    letters = [c for c in name if c.isalpha()]
    if not letters:
        return False
    return all(c.isupper() for c in letters) or len(name.split()) == 1 or any(
        c.isdigit() for c in name
    )


def parse_byline(line: str) -> Byline | None:
    """The author and/or outlet named by a byline line, or None if the line is not a byline."""
    line = line.strip()
    if not line or word_count(line) > 14 or line.endswith(("?", "!")):
        return None
    m = _CORRESPONDENT.match(line)
    if m:
        value = _strip_button(m.group("v")).rstrip(".")
        return Byline(author=value) if _is_name(value) else None
    m = _TEXT_BY.match(line) if ":" in line or "：" in line or " by " in line.lower() else None
    if m:
        parts = _split_value(_strip_button(m.group("v")))
        if parts and _is_name(parts[0].rstrip(".")):
            first = parts[0].rstrip(".")
            if _is_organisation(first):
                return Byline(outlet=first)
            outlet = parts[1] if len(parts) > 1 and _is_name(parts[1]) else None
            return Byline(author=first, outlet=outlet)
    for pattern in (_AUTHOR, _BY):
        m = pattern.match(line)
        if m:
            parts = _split_value(_strip_button(m.group("v")))
            first = parts[0].rstrip(".") if parts else ""
            if first and _is_name(first):
                outlet = parts[1] if len(parts) > 1 and _is_name(parts[1]) else None
                return Byline(author=first, outlet=outlet)
            return None
    m = _SOURCE.match(line)
    if m:
        value = _strip_button(m.group("v")).rstrip(".")
        if _is_name(value) and word_count(value) <= 5:
            return Byline(outlet=value)
    return None


@lru_cache(maxsize=1)
def _dateparser() -> Any:
    # dateparser loads its language data on import (about a second): only when a date is seen.
    import dateparser

    return dateparser


_PARSE_SETTINGS = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
}


def _aware(year: int, month: int, day: int) -> datetime | None:
    try:
        value = datetime(year, month, day, tzinfo=timezone.utc)
    except ValueError:
        return None
    return value if 1900 <= year <= datetime.now(timezone.utc).year + 1 else None


@lru_cache(maxsize=4096)
def _parse_words(candidate: str) -> datetime | None:
    parsed = _dateparser().parse(candidate, settings=_PARSE_SETTINGS)
    if parsed is None:
        return None
    return _aware(parsed.year, parsed.month, parsed.day)


def _date_spans(text: str) -> list[tuple[int, int, datetime]]:
    found: list[tuple[int, int, datetime]] = []
    for m in _ISO.finditer(text):
        d = _aware(int(m[1]), int(m[2]), int(m[3]))
        if d:
            found.append((m.start(), m.end(), d))
    for m in _CJK.finditer(text):
        d = _aware(int(m[1]), int(m[2]), int(m[3]))
        if d:
            found.append((m.start(), m.end(), d))
    for m in _DOTTED.finditer(text):
        d = _aware(int(m[3]), int(m[2]), int(m[1]))  # dotted dates are day-first in Europe
        if d:
            found.append((m.start(), m.end(), d))
    for pattern in (_MONTH_FIRST, _DAY_FIRST):
        for m in pattern.finditer(text):
            d = _parse_words(m.group(0))
            if d:
                found.append((m.start(), m.end(), d))
    return sorted(found, key=lambda t: t[0])


def find_date(text: str) -> datetime | None:
    """The first full date (day, month and year) written in a text, as an aware UTC datetime."""
    spans = _date_spans(text)
    return spans[0][2] if spans else None


def is_dateline(line: str) -> bool:
    """True when a line is only a date, maybe with a weekday, a time or a 'Published' label."""
    line = line.strip()
    if not line or word_count(line) > 12:
        return False
    spans = _date_spans(line)
    if not spans:
        return False
    start, end, _ = spans[0]
    rest = _TIME.sub(" ", line[:start] + " " + line[end:])
    return len(_WORD.findall(rest)) <= 4 and not rest.rstrip().endswith((".", "!", "?"))


# A dateline's date ("SAN JOSE, Dec 31 (Reuters) -"): no name goes on past the comma before it.
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE_AFTER_COMMA = re.compile(rf",\s+(?:{_MONTH}\s+\d{{1,2}}\b|\d{{1,2}}\s+{_MONTH}(?:\s|$))")
_BRACKETS = {"(": ")", "[": "]", "{": "}"}


def name_end(text: str) -> int:
    """Where a name or a who/where phrase must end: before a dateline's date or a bracket it does
    not close ("SAN JOSE, Dec 31 (Reuters" -> 8), else ``len(text)``."""
    date = _DATE_AFTER_COMMA.search(text)
    cut = date.start() if date else len(text)
    opened: list[tuple[str, int]] = []
    for i, ch in enumerate(text[:cut]):
        if ch in _BRACKETS:
            opened.append((ch, i))
        elif ch in _BRACKETS.values():
            if not opened or _BRACKETS[opened[-1][0]] != ch:
                return i  # a closing bracket that opens nothing
            opened.pop()
    return opened[0][1] if opened else cut


def _credit_start(line: str) -> int | None:
    positions = []
    if "©" in line:
        positions.append(line.index("©"))
    m = _CREDIT_LABEL.search(line)
    if m:
        positions.append(m.start())
    m = _AGENCY_CREDIT.search(line)
    if m:
        positions.append(m.start())
    return min(positions) if positions else None


def is_credit(line: str) -> bool:
    """True for an image credit or copyright line ("Image resource: ©X/AFP", "Photo: Jane Doe")."""
    line = line.strip()
    if " " not in line:
        return False  # a path or a URL, not a credit
    start = _credit_start(line)
    if start is not None:
        # A credit buried deep in a long paragraph is the paragraph quoting one, not a credit.
        return word_count(line[:start]) <= 40
    return bool(_SLASH_CREDIT.match(line)) and word_count(line) <= 6


_SENTENCE_END = re.compile(r"[.!?…][\"”»’)]*\s+(?=[^\W\d_])")
CREDIT_MAX_WORDS = 20  # "© Foto: Markus Schreiber/AP-Pool/dpa" and the like, with room to spare


def is_caption(line: str) -> bool:
    """True for a photo caption: a description followed by an image credit that ends the line.

    A line that goes on long after the credit is an article whose newlines were lost, with its
    photo's caption inline, not a caption."""
    line = line.strip()
    start = _credit_start(line) if " " in line else None
    if start is None or word_count(line[start:]) > CREDIT_MAX_WORDS:
        return False
    words = word_count(line[:start])
    # Several sentences of some length before an agency or video credit ("... (dpa)", "Credit:
    # Vatican TV") are a report's paragraph; a caption describes one picture in a sentence or two.
    sentences = len(_SENTENCE_END.findall(line[:start])) + 1
    return 5 <= words <= 60 and not (sentences >= 2 and words > 40)


def author_from_bio(line: str) -> str | None:
    """The name an author-box bio starts with ("Jane Doe, she is a reporter..." -> "Jane Doe")."""
    m = re.match(
        r"^(?P<n>[^\W\d_][^,:;()]{1,60}?)(?:,|\s+(?:is|was|est|ist|es|é|è|—|–|-)\s)", line.strip()
    )
    if m and _is_name(m.group("n")) and 2 <= len(m.group("n").split()) <= 5:
        return m.group("n")
    return None


_LEAD_AGENCY = re.compile(r"\((?P<o>[A-Z][\w .&/-]{1,30})\)\s*\.?\s*[-–—:]")
_LEAD_DASH = re.compile(r"\s[-–—]{1,2}\s|\.[-–—]\s")


def parse_lead(paragraph: str) -> tuple[str | None, datetime | None]:
    """Agency and date from a lead's dateline ("Madrid, 14 de febrero de 2024 (EFE).- ...")."""
    head = paragraph.strip()[:100]
    outlet = None
    m = _LEAD_AGENCY.search(head)
    if m and word_count(head[: m.start()]) <= 8:
        outlet = m.group("o").strip()
        head = head[: m.start()]
    else:
        dash = _LEAD_DASH.search(head)
        if not dash or word_count(head[: dash.start()]) > 8:
            return None, None
        head = head[: dash.start()]
    return outlet, find_date(head)


# A dateline opening a lead sentence: "SAN JOSE, Costa Rica (AP) — ", "DANVILLE, Ky. –- ",
# "SAN JOSE, Dec 31 (Reuters) - ", "SEOUL (Reuters) - ", "Washington (CNN) — ", "(CNN) — ".
# The place is in capitals, or any capitalised words when an agency in brackets follows; a region
# after a comma, a date and the agency are optional; a dash or colon ends it.
_DL_CAPS = r"[A-Z][A-Z.'’-]*(?:\s+[A-Z][A-Z.'’-]*){0,3}"
_DL_WORDS = r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}"
_DL_DAY = (rf"(?:(?:,|\s+[-–—])?\s+(?:{_MONTH}\s+\d{{1,2}}(?:,\s*\d{{4}})?"
           rf"|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?))?")
_DL_END = r"\s*(?:--|[-–—]{1,2}|:)\s*(?=[\"“‘'(]?[^\W\d_]|\d)"
_DATELINE_CAPS = re.compile(  # a caption label run into it ("Photo LONDON -- ") goes too
    rf"^(?:(?:Photo|Video|Image)\s+)?(?P<p>{_DL_CAPS}(?:,\s+{_DL_WORDS})?){_DL_DAY}"
    rf"(?:\s*\((?P<o>[A-Z][\w .&/-]{{0,30}})\))?{_DL_END}")
_DATELINE_AGENCY = re.compile(
    rf"^(?P<p>{_DL_WORDS}(?:,\s+{_DL_WORDS})?)?{_DL_DAY}"
    rf"\s*\((?P<o>[A-Z][\w .&/-]{{1,30}})\){_DL_END}")
# Words a shouting opener uses that are no place ("UPDATE - ...", "EXCLUSIVE: ...").
_DL_LABELS = frozenset("update updated breaking exclusive watch video photos photo live opinion "
                       "analysis editorial correction corrected factbox explainer insight "
                       "refile urgent flash new".split())


def lead_dateline(sentence: str) -> tuple[int, str | None] | None:
    """Where a lead sentence's dateline ends and the place it names: ``(end, place or None)``,
    or None when the sentence does not open with one. A dateline is no part of the sentence's
    clause ("WASHINGTON -- President Obama met ..." is about Obama, not Washington)."""
    m = _DATELINE_CAPS.match(sentence)
    city = m.group("p").split(",")[0] if m else ""
    caps = sum(c.isupper() for c in city) >= 3 and not any(c.islower() for c in city)
    if not caps:
        m = _DATELINE_AGENCY.match(sentence)
        if not m or word_count(sentence[: m.start("o")]) > 8:
            return None
    rest = sentence[m.end():]
    if word_count(rest) < 4:
        return None  # "SEOUL - Update" is a heading, not a sentence after a dateline
    if caps and not m.group("o") and re.search(r"\s[-–—]{1,2}\s", rest[:60]):
        return None  # "NASA - the space agency - said ...": an aside between dashes
    place = (m.group("p") or "").strip(" ,") or None
    if place and place.split(",")[0].strip().lower() in _DL_LABELS:
        place = None
    return m.end(), place


_PHOTO_CAPTION = re.compile(
    r"^(?:in\s+)?(?:this|these)\s+(?:[\w.,-]+\s+){0,6}?"
    r"(?:photos?|photographs?|images?|pictures?|screen\s?(?:shot|grab)s?|video\s+(?:still|grab)s?)"
    r"\b(?:\s*,|(?:\s+\w+){0,3}?\s+(?:released|provided|taken|made\s+available|distributed|"
    r"shows?|showing|from|by|of|on)\b)",
    re.IGNORECASE,
)


def is_photo_caption(sentence: str) -> bool:
    """True for a sentence that describes a photo ("This photo released by ... shows ...",
    "In this Dec. 31, 2017 photo, ..."): a caption inside the body, never the story's lead."""
    return bool(_PHOTO_CAPTION.match(sentence.strip()))
