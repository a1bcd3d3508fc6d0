"""Quote alignment: the same quotation across outlets, and how each outlet renders it.

Quotations are grouped by shared content words within a language and by the quoting sentences'
multilingual vectors across languages; each outlet's wording is then classed against the group's
reference (a direct quotation, the longest): exact, truncated, paraphrase, translation or
misattributed (another speaker). Outlets that report what was said without quote marks are found
through the claim alignment of ``compare``. Copies never count as another outlet.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..models import Article, Enrichment, Mention, Quote
from .compare import Claim, content_tokens, entity_keys, fold, root_of, tokens

__all__ = ["QuoteVariant", "QuoteGroup", "quote_relation", "align_quotes", "QUOTE_LINK"]

QUOTE_LINK = 0.6  # share of the shorter quote's content words (or cosine across languages)


@dataclass
class QuoteVariant:
    article: str
    text: str
    speaker: str | None
    relation: str  # to the group's reference wording: exact/truncated/paraphrase/translation/...
    language: str | None = None


@dataclass
class QuoteGroup:
    speaker: str | None
    kind: str  # exact | truncated | paraphrase | translation | misattributed | single
    variants: list[QuoteVariant]


@dataclass
class _Q:
    article_id: str
    root: str
    quote: Quote
    language: str | None
    speaker_key: str | None


def _speaker_key(q: Quote, mentions: Sequence[Mention], keys: dict[int, str]) -> str | None:
    if q.speaker_entity_id:
        return q.speaker_entity_id
    if not q.speaker:
        return None
    name = fold(q.speaker)
    for i, m in enumerate(mentions):
        if fold(m.text) == name:
            return keys[i]
    return name


def _same_speaker(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return True  # unknown speaker is not evidence of misattribution
    if a == b:
        return True
    ta, tb = set(a.split()), set(b.split())
    return bool(ta & tb) and (ta <= tb or tb <= ta)  # "li" vs "li shangfu"


def quote_relation(ref: _Q, other: _Q) -> str:
    """How ``other`` renders the reference quotation."""
    if not _same_speaker(ref.speaker_key, other.speaker_key):
        return "misattributed"
    a, b = tokens(ref.quote.text), tokens(other.quote.text)
    if a == b:
        return "exact"
    if ref.language and other.language and ref.language != other.language:
        return "translation"
    if ref.quote.kind == "direct" and other.quote.kind == "direct" and _contains(a, b):
        return "truncated"
    return "paraphrase"


def _contains(a: list[str], b: list[str]) -> bool:
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    n = len(short)
    return n > 0 and any(long_[i:i + n] == short for i in range(len(long_) - n + 1))


def align_quotes(articles: Sequence[Article], enrichments: dict[str, Enrichment],
                 vectors: dict[str, np.ndarray] | None, copies: dict[str, str] | None,
                 claims: Sequence[Claim] = ()) -> list[QuoteGroup]:
    """Group the same quotation across outlets and class each outlet's wording."""
    qs: list[_Q] = []
    for art in articles:
        enr = enrichments.get(art.id)
        if not enr:
            continue
        keys = entity_keys(enr.mentions)
        for q in enr.quotes:
            if len(q.text.split()) >= 3:
                qs.append(_Q(art.id, root_of(art.id, copies), q, enr.language or art.language,
                             _speaker_key(q, enr.mentions, keys)))
    if not qs:
        return []
    toks = [content_tokens(q.quote.text) for q in qs]
    svec = [_sentence_vector(q, enrichments, vectors) for q in qs]
    parent = list(range(len(qs)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    pairs = []
    for i in range(len(qs)):
        for j in range(i + 1, len(qs)):
            if qs[i].root == qs[j].root:
                continue
            if (qs[i].language or "")[:2] == (qs[j].language or "")[:2]:
                sim = len(toks[i] & toks[j]) / max(1, min(len(toks[i]), len(toks[j])))
            elif svec[i] is not None and svec[j] is not None:
                # Across languages words do not match: compare the quoting sentences' vectors.
                sim = float(svec[i] @ svec[j])
            else:
                continue
            if sim >= QUOTE_LINK:
                pairs.append((sim, i, j))
    pairs.sort(reverse=True)
    for _, i, j in pairs:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[rj] = ri
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(qs)):
        groups[find(i)].append(i)
    out: list[QuoteGroup] = []
    for idx in groups.values():
        members = [qs[i] for i in idx]
        # The reference wording: a direct quotation if any (it is the speaker's own words), the
        # longest one, earliest article on ties.
        ref = max(members, key=lambda q: (q.quote.kind == "direct", len(q.quote.text)))
        variants = []
        seen_articles = set()
        for q in members:
            if q.article_id in seen_articles and q is not ref:
                continue
            seen_articles.add(q.article_id)
            rel = "reference" if q is ref else quote_relation(ref, q)
            variants.append(QuoteVariant(q.article_id, q.quote.text, q.quote.speaker, rel,
                                         q.language))
        variants += _unquoted_renderings(ref, members, claims, enrichments)
        arts = {v.article for v in variants}
        if len(arts) < 2:
            if ref.quote.kind != "direct":
                continue
            kind = "single"
        else:
            rels = {v.relation for v in variants} - {"reference"}
            kind = next((k for k in ("misattributed", "translation", "paraphrase", "truncated",
                                     "exact") if k in rels), "exact")
        out.append(QuoteGroup(ref.quote.speaker, kind, variants))
    out.sort(key=lambda g: (g.kind == "single", -len(g.variants)))
    return out


_CUE = re.compile(r"\b(?:said|says|stated|states|remarked|added|told|wrote|writes|noted|declared|"
                  r"emphasi[sz]ed|stressed|argued|insisted|explained)\s+(?:that\s+)?", re.IGNORECASE)


def _unquoted_renderings(ref: _Q, members: Sequence[_Q], claims: Sequence[Claim],
                         enrichments: dict[str, Enrichment]) -> list[QuoteVariant]:
    """Other outlets' sentences aligned with the quoting sentence: the quote, reworded or reported.

    An outlet that reports what was said without quote marks ("Li remarked that ... surpassed the
    Cold War-era alliances") still renders the quotation; the claim alignment has found it.
    """
    have = {q.article_id for q in members}
    starts: dict[str, list[int]] = defaultdict(list)
    for q in members:
        starts[q.article_id].append(q.quote.start)
    out: list[QuoteVariant] = []
    for c in claims:
        if not any(u.start <= st < u.end for u in c.units for st in starts.get(u.article_id, ())):
            continue
        for u in c.units:
            if u.article_id in have:
                continue
            qt = content_tokens(ref.quote.text)
            same_lang = (u.language or "")[:2] == (ref.language or "")[:2]
            if same_lang and len(qt & content_tokens(u.text)) < 0.4 * len(qt):
                continue  # the sentence states the claim but not this quotation
            have.add(u.article_id)
            cue = _CUE.search(u.text)
            text = u.text[cue.end():] if cue else u.text
            enr = enrichments.get(u.article_id)
            speaker_key, speaker = None, None
            if enr is not None:
                keys = entity_keys(enr.mentions)
                pers = [(i, m) for i, m in enumerate(enr.mentions)
                        if m.type == "PER" and u.start <= m.start < u.end]
                if pers:
                    speaker_key = keys[pers[0][0]]
                    speaker = pers[0][1].canonical or pers[0][1].text
            other = _Q(u.article_id, u.root, Quote(text, u.start, u.end, speaker, "reported"),
                       u.language, speaker_key)
            rel = quote_relation(ref, other)
            out.append(QuoteVariant(u.article_id, text, speaker,
                                    "paraphrase" if rel == "exact" else rel, u.language))
    return out


def _sentence_vector(q: _Q, enrichments: dict[str, Enrichment],
                     vectors: dict[str, np.ndarray] | None) -> np.ndarray | None:
    enr = enrichments.get(q.article_id)
    vec = (vectors or {}).get(q.article_id)
    if enr is None or vec is None:
        return None
    for s in enr.sentences:
        if s.start <= q.quote.start < s.end and s.index < len(vec):
            return vec[s.index]
    return None
