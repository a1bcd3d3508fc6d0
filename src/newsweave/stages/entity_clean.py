"""Repair the typical errors a statistical NER makes on raw news pages, by general rules.

Statistical taggers glue neighbouring words onto names when the text around them is not prose:
a headline verb in title case ("Meets Putin"), the next line's first word ("Getty Images
Additionally"), a share button ("RFI Follow"); they type photo credits as organisations and
sometimes a city as a person. Each rule here looks at the shape of the mention and its line,
never at a list of known bad strings; types are repaired from the gazetteer and, over a corpus,
by majority vote.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace

from newsweave.models import EntityType, Mention
from newsweave.stages import names
from newsweave.stages.textmeta import name_end

__all__ = ["clean_mentions", "fix_types_by_majority"]

# Articles that taggers include in a span, per language; only the text's own language counts
# ("Los Angeles", "Le Mans" and "El Salvador" are names in English text).
_LEADING: dict[str, frozenset[str]] = {
    "en": frozenset({"the"}),
    "fr": frozenset({"le", "la", "les"}),
    "de": frozenset({"der", "die", "das", "den", "dem", "des"}),
    "es": frozenset({"el", "la", "los", "las"}),
    "it": frozenset({"il", "lo", "la", "gli", "le", "i"}),
}
_ANY_LEADING = frozenset().union(*_LEADING.values())
_SCORE = re.compile(r"^\(?\d+(?:[-:/.,]\d+)*\)?$")
# Words of page furniture (share buttons, bylines, ads) that taggers attach to a preceding name.
_CALL_TO_ACTION = frozenset("""
follow subscribe share tweet retweet read more sign login log register download click tap
advertising advertisement sponsored newsletter email e-mail print listen watch comment comments
like reply updated published gallery live menu home
""".split())
# Sentence adverbs that open the next line or sentence and get glued to a name before it.
_SENTENCE_ADVERBS = frozenset("""
additionally also however meanwhile moreover furthermore nevertheless nonetheless instead still
then now today yesterday tomorrow finally previously currently recently earlier later thus
therefore hence besides otherwise indeed overall separately similarly likewise
""".split())
_ADVERB_SUFFIXES = ("ally", "edly", "ntly", "ately", "ously", "ively", "ingly", "arly")
# Verbs of headline-ese that precede the object's name in title case ("Meets Putin").
_HEADLINE_VERBS = frozenset("""
meets met visits hosts receives welcomes greets calls urges warns slams hails praises blasts
tells says vows signs backs rejects accuses blames thanks joins leaves fires sacks names picks
sues beats defeats faces eyes seeks asks invites snubs meets congratulates condemns criticizes
criticises endorses supports defends attacks confronts dismisses appoints replaces
""".split())
_STOCK_HEADS = frozenset("images image photos photo pictures picture stock wire".split())
_CREDIT = re.compile(
    r"©|\(c\)|\b(?:photo|image|picture|credit|credits|illustration|source|foto|bild|crédit)s?"
    r"(?:\s+\w+){0,2}\s*[:|/]|\b(?:photo|image|picture|credit)s?\s+by\b|\bvia\s*$",
    re.IGNORECASE,
)
_TRIM_TAIL = re.compile(r"(?:['’`]s|['’`]|[\s.,;:!?)\]}\"“”«»|/\\\-–—_*•·])+$")
_ABBREVIATION = re.compile(r"(?:\b\w\.\w+|\b(?:Co|Cos|Corp|Inc|Ltd|Plc|Bros|Jr|Sr|St|Mt|Ft|Ave))$")
_TRIM_HEAD = re.compile(r"^[\s.,;:!?(\[{\"“”«»|/\\\-–—_*•·]+")
_TOKEN = re.compile(r"\S+")
_WORD_RE_CACHE: dict[str, re.Pattern[str]] = {}


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    return ls, (len(text) if le < 0 else le)


def _count_word(text: str, word: str) -> int:
    pat = _WORD_RE_CACHE.get(word)
    if pat is None:
        pat = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
        if len(_WORD_RE_CACHE) > 4096:
            _WORD_RE_CACHE.clear()
        _WORD_RE_CACHE[word] = pat
    return len(pat.findall(text))


def _title_case_line(line: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w'’\-]*", line)]
    if len(words) < 3:
        return False
    caps = sum(1 for w in words if w[0].isupper())
    return caps / len(words) >= 0.6


def _is_adverb(token: str) -> bool:
    t = token.casefold()
    return t in _SENTENCE_ADVERBS or (len(t) >= 8 and t.endswith(_ADVERB_SUFFIXES))


def _tokens(m: Mention, text: str) -> list[tuple[int, int]]:
    return [(m.start + x.start(), m.start + x.end()) for x in _TOKEN.finditer(text[m.start:m.end])]


def _trim(m: Mention, text: str) -> Mention | None:
    s, e = m.start, m.end
    leading = _LEADING.get(m.language or "en", frozenset())
    for _ in range(4):  # a few passes: "the X's," needs head, possessive and punctuation off
        seg = text[s:e]
        head = _TRIM_HEAD.match(seg)
        if head:
            s += head.end()
        seg = text[s:e]
        tail = _TRIM_TAIL.search(seg)
        if tail and tail.start() > 0:
            e = s + tail.start()
            if text[e:e + 1] == "." and _ABBREVIATION.search(text[s:e]):
                e += 1  # the dot belongs to the abbreviation
        toks = [(s + x.start(), s + x.end()) for x in _TOKEN.finditer(text[s:e])]
        changed = False
        if len(toks) > 1:
            first = text[toks[0][0]:toks[0][1]]
            if first.casefold() in leading:
                s, changed = toks[1][0], True
            elif m.language == "fr" and first.casefold().startswith(("l'", "l’", "d'", "d’")) and len(first) > 2:
                s, changed = toks[0][0] + 2, True
        toks = [(s + x.start(), s + x.end()) for x in _TOKEN.finditer(text[s:e])]
        if len(toks) > 1:
            last = text[toks[-1][0]:toks[-1][1]].strip(".,;:!?")
            # Scores and counts glued on in tables ("Kansas City Royals 4-0"); MISC keeps its
            # numbers ("Boeing 747"), organisations only lose score-like ones ("Channel 4" stays).
            numeric = bool(_SCORE.match(last)) and (m.type in ("PER", "LOC") or (
                m.type == "ORG" and not last.isdigit()))
            # lower-case words end no English name, but do end French ones ("Union européenne")
            lower_tail = last.islower() and (m.language or "en") == "en"
            if last.casefold() in _CALL_TO_ACTION or _is_adverb(last) or lower_tail or numeric:
                e, changed = toks[-2][1], True
        if not changed and not head and not (tail and tail.start() > 0):
            break
    if e <= s:
        return None
    return replace(m, text=text[s:e], start=s, end=e)


def _strip_headline_verb(m: Mention, text: str) -> Mention:
    toks = _tokens(m, text)
    if m.type != "PER" or len(toks) < 2:
        return m
    first = text[toks[0][0]:toks[0][1]]
    rest = text[toks[1][0]:m.end]
    verb_like = first.casefold() in _HEADLINE_VERBS
    if not verb_like:
        ls, le = _line_bounds(text, m.start, m.end)
        # A title-case line, a first word ending in -s that never occurs elsewhere, and a
        # remainder that the article uses on its own: a headline verb, not a given name.
        verb_like = (
            first.endswith("s") and _title_case_line(text[ls:le]) and _count_word(text, m.text) == 1
            and _count_word(text, first) == _count_word(text, m.text)
            and _count_word(text, rest) > _count_word(text, m.text)
        )
    return replace(m, text=rest, start=toks[1][0]) if verb_like else m


_CREDIT_GLUE = frozenset("via by for and of de et und y".split())


def _in_credit(m: Mention, text: str) -> bool:
    ls, _ = _line_bounds(text, m.start, m.end)
    prefix = text[ls:m.start]
    markers = list(_CREDIT.finditer(prefix))
    if not markers:
        return False
    # Inside a credit only names and glue words stand between the marker and the mention
    # ("© Sputnik/AFP via Getty Images"); prose after "Photos:" is a caption, not a credit.
    between = prefix[markers[-1].end():]
    words = re.findall(r"[^\W\d_]+", between)
    return len(between) <= 80 and all(w[0].isupper() or w.casefold() in _CREDIT_GLUE for w in words)


def _strip_title_case_tail(m: Mention, text: str) -> Mention:
    """A headline in title case capitalises common nouns the tagger then glues onto a name
    ("New York Family Of 5 Killed" -> "New York Family"). Drop such a last word when the article
    writes it in lower case elsewhere, this span occurs only here and the rest occurs again."""
    for _ in range(2):
        toks = _tokens(m, text)
        if len(toks) < 2:
            return m
        ls, le = _line_bounds(text, m.start, m.end)
        last = text[toks[-1][0]:toks[-1][1]]
        rest = text[m.start:toks[-2][1]]
        if not (_title_case_line(text[ls:le]) and last[:1].isupper() and not last.isupper()
                and _count_word(text, last.lower()) > 0 and _count_word(text, m.text) == 1
                and _count_word(text, rest) > 1):
            return m
        m = replace(m, text=rest, end=toks[-2][1])
    return m


def _undouble(m: Mention, text: str) -> Mention:
    """A section label run into the headline ("Bitcoin Bitcoin price falls ..."): a name that is
    one word twice, written so only here while the word stands alone elsewhere, is the second
    word. A place really named so ("Gin Gin", "Walla Walla") is written whole every time."""
    toks = _tokens(m, text)
    if len(toks) != 2:
        return m
    first, second = (text[a:b] for a, b in toks)
    if first != second or _count_word(text, m.text) != 1 or _count_word(text, first) < 3:
        return m  # the word: twice in this span, and at least once more on its own
    return replace(m, text=second, start=toks[1][0], end=toks[1][1])


def _split_lines(m: Mention) -> Mention:
    if "\n" not in m.text:
        return m
    # A name never spans lines: the tagger joined two lines' words. Keep the first line's part.
    for piece in re.finditer(r"[^\n]+", m.text):
        if piece.group(0).strip():
            return replace(m, text=piece.group(0), start=m.start + piece.start(), end=m.start + piece.end())
    return m


def _cut_dateline_and_open_bracket(m: Mention) -> Mention:
    """A name holds no calendar date and no unclosed bracket: the tagger ran into a dateline
    ("SAN JOSE, Dec 31 (Reuters") or an aside. Keep what comes before."""
    cut = name_end(m.text)
    return m if cut == len(m.text) else replace(m, text=m.text[:cut], end=m.start + cut)


def _plausible(m: Mention) -> bool:
    t = m.text
    letters = [c for c in t if c.isalpha()]
    if not letters or (sum(c.isalnum() for c in t) < 2 and not any(ord(c) > 0x2E80 for c in t)):
        return False  # no letter, or a lone character (CJK names can be one or two characters)
    cased = [c for c in letters if c.isupper() or c.islower()]
    if cased and not any(c.isupper() for c in cased):
        return False  # all lower case: not a proper name in scripts that have case
    words = t.split()
    if len(words) > 8:
        return False
    folded = [w.strip(".,").casefold() for w in words]
    if (m.type != "PER" or len(words) > 1) and all(
        names.is_title(w) or w in _CALL_TO_ACTION or w in _ANY_LEADING for w in folded
    ):  # "Defence", "Defense Minister", "Advertising": a title or furniture, no name
        return False  # (a lone "King" typed as a person may be a surname: kept)
    if m.type == "ORG" and folded[-1] in _STOCK_HEADS:
        return False  # "Getty Images", "AP Photo": photo credits, not actors in the story
    return True


def clean_mentions(mentions: list[Mention], text: str) -> list[Mention]:
    """Trim, split, retype or drop mentions whose span or type is typical tagger noise."""
    out: list[Mention] = []
    seen: set[tuple[int, int]] = set()
    for m in mentions:
        if not (0 <= m.start < m.end <= len(text)) or text[m.start:m.end] != m.text:
            continue  # offsets that do not match the text: nothing safe to repair
        if _in_credit(m, text):
            continue
        fixed: Mention | None = _split_lines(m)
        if fixed.type == "ORG" and fixed.text.split()[-1].casefold() in _STOCK_HEADS:
            continue  # "Getty Images", "AP Photo": photo credits, not actors in the story
        fixed = _trim(fixed, text)
        if fixed is None:
            continue
        fixed = _strip_headline_verb(_cut_dateline_and_open_bracket(_undouble(fixed, text)), text)
        fixed = _trim(_strip_title_case_tail(fixed, text), text)
        if fixed is None or not _plausible(fixed):
            continue
        if fixed.type == "PER" and any(c.isdigit() for c in fixed.text):
            fixed = replace(fixed, type="MISC")  # "COVID-19", "Apollo 11": no person's name has digits
        entry = names.gazetteer_lookup(fixed.text, fixed.language)
        if entry is None and fixed.type != "PER" and len(fixed.text.split()) == 1:
            entry = names.gazetteer_surname(fixed.text, fixed.language)
        if entry is not None and entry.type != fixed.type:
            fixed = replace(fixed, type=entry.type)  # "Kiev" as a person: the gazetteer knows
        if (fixed.start, fixed.end) in seen:
            continue
        seen.add((fixed.start, fixed.end))
        out.append(fixed)
    out.sort(key=lambda x: (x.start, -x.end))
    return out


def fix_types_by_majority(
    articles: Sequence[Sequence[Mention]], min_votes: int = 3, min_share: float = 0.6
) -> list[list[Mention]]:
    """Retype each name to the type most of its mentions across the corpus have (gazetteer first)."""
    votes: dict[str, Counter[EntityType]] = defaultdict(Counter)
    for mentions in articles:
        for m in mentions:
            votes[names.name_key(m.canonical or m.text, m.language)][m.type] += 1
    decided: dict[str, EntityType] = {}
    for key, counter in votes.items():
        (top, n), total = counter.most_common(1)[0], sum(counter.values())
        if len(counter) > 1 and n >= min_votes and n / total >= min_share:
            decided[key] = top
    out: list[list[Mention]] = []
    for mentions in articles:
        fixed = []
        for m in mentions:
            key = names.name_key(m.canonical or m.text, m.language)
            entry = names.gazetteer_lookup(m.canonical or m.text, m.language)
            etype = entry.type if entry is not None else decided.get(key, m.type)
            fixed.append(m if etype == m.type else replace(m, type=etype))
        out.append(fixed)
    return out
