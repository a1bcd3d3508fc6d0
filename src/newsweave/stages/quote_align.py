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

from ..models import Article, Enrichment, Quote
from .compare import Claim, content_tokens, entity_keys, fold, root_of, tokens

__all__ = ["QuoteVariant", "QuoteGroup", "quote_relation", "align_quotes", "QUOTE_LINK"]

QUOTE_LINK = 0.6  # share of the shorter quote's content words (or cosine across languages)
# Quotes compared across languages this many rows at a time (20,000 quotes at once: 1.6 GB).
COSINE_BLOCK = 1024


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


def _speaker_key(q: Quote, named: dict[str, str]) -> str | None:
    """The speaker's entity: its id, else the entity key of a mention spelled like the speaker
    (``named``: folded mention text -> key of its first mention), else the folded name."""
    if q.speaker_entity_id:
        return q.speaker_entity_id
    if not q.speaker:
        return None
    name = fold(q.speaker)
    return named.get(name, name)


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
        named: dict[str, str] = {}  # folded mention text -> its entity key (the first mention)
        if enr.quotes:
            for i in reversed(range(len(enr.mentions))):
                named[fold(enr.mentions[i].text)] = keys[i]
        for q in enr.quotes:
            if len(q.text.split()) >= 3:
                qs.append(_Q(art.id, root_of(art.id, copies), q, enr.language or art.language,
                             _speaker_key(q, named)))
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

    pairs = _linked_pairs(qs, toks, svec)
    pairs.sort(reverse=True)
    for _, i, j in pairs:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[rj] = ri
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(qs)):
        groups[find(i)].append(i)
    # Where each claim's sentences lie, by article: a group finds the claims its quotes are in
    # without scanning every claim (a large event has thousands of both).
    claim_spans: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for ci, c in enumerate(claims):
        for u in c.units:
            claim_spans[u.article_id].append((u.start, u.end, ci))
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
        variants += _unquoted_renderings(ref, members, claims, claim_spans, enrichments)
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
                         claim_spans: dict[str, list[tuple[int, int, int]]],
                         enrichments: dict[str, Enrichment]) -> list[QuoteVariant]:
    """Other outlets' sentences aligned with the quoting sentence: the quote, reworded or reported.

    An outlet that reports what was said without quote marks ("Li remarked that ... surpassed the
    Cold War-era alliances") still renders the quotation; the claim alignment has found it.
    ``claim_spans``: article id -> (start, end, claim index) of its sentences in ``claims``.
    """
    have = {q.article_id for q in members}
    hit = sorted({ci for q in members for start, end, ci in claim_spans.get(q.article_id, ())
                  if start <= q.quote.start < end})
    out: list[QuoteVariant] = []
    for c in (claims[ci] for ci in hit):
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


def _linked_pairs(qs: Sequence[_Q], toks: Sequence[set[str]],
                  svec: Sequence[np.ndarray | None]) -> list[tuple[float, int, int]]:
    """(similarity, i, j) for the quotes of different stories that reach ``QUOTE_LINK``: within
    a language the share of the shorter quote's content words the other has, across languages
    the cosine of the quoting sentences. Computed as sparse and dense products (a 375-article
    event holds 4,000 quotes: 8 million pairs were 8 s in a Python loop)."""
    from scipy import sparse

    n = len(qs)
    root_ids: dict[str, int] = {}
    roots = np.array([root_ids.setdefault(q.root, len(root_ids)) for q in qs], dtype=np.int64)
    langs = [(q.language or "")[:2] for q in qs]
    lang_ids: dict[str, int] = {}
    out: list[tuple[float, int, int]] = []
    # Same language: shared content words by a product of word-incidence matrices, so only
    # pairs with a word in common are looked at (the others score 0).
    vocab: dict[tuple[str, str], int] = {}
    rows, cols = [], []
    for i, t in enumerate(toks):
        for w in t:
            rows.append(i)
            cols.append(vocab.setdefault((langs[i], w), len(vocab)))
    if rows:
        m = sparse.csr_matrix((np.ones(len(rows), np.int32), (rows, cols)), shape=(n, len(vocab)))
        mt = m.T.tocsc()
        sizes = np.array([len(t) for t in toks], dtype=np.int64)
        for b0 in range(0, n, COSINE_BLOCK):  # row blocks bound the memory of common words
            shared = (m[b0:b0 + COSINE_BLOCK] @ mt).tocoo()
            i, j = shared.row + b0, shared.col
            sim = shared.data / np.maximum(1, np.minimum(sizes[i], sizes[j]))
            keep = (j > i) & (sim >= QUOTE_LINK) & (roots[i] != roots[j])
            out += [(float(x), int(a), int(b)) for x, a, b in zip(sim[keep], i[keep], j[keep])]
    # Across languages: the quoting sentences' vectors.
    have = [i for i in range(n) if svec[i] is not None]
    if have and len({langs[i] for i in have}) > 1:
        v = np.stack([svec[i] for i in have]).astype(np.float32)
        idx = np.array(have)
        lang_id = np.array([lang_ids.setdefault(langs[i], len(lang_ids)) for i in have])
        root_id = roots[idx]
        for b0 in range(0, len(have), COSINE_BLOCK):
            cos = v[b0:b0 + COSINE_BLOCK] @ v[b0:].T  # pairs (a, b) with b0 <= a < b only
            a, b = np.nonzero(cos >= QUOTE_LINK)
            a_at, b_at = b0 + a, b0 + b
            keep = (b_at > a_at) & (lang_id[a_at] != lang_id[b_at]) & \
                (root_id[a_at] != root_id[b_at])
            out += [(float(cos[x, y]), int(idx[p]), int(idx[q])) for x, y, p, q in
                    zip(a[keep], b[keep], a_at[keep], b_at[keep])]
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
