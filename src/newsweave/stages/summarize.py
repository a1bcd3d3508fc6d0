"""Summarize stage: a cited extractive summary of one event, built from its aligned claims.

Every summary sentence is an actual sentence of an article (at most a leading connective such as
"But" or "However," is dropped), so nothing is invented. Claims are ranked by how many independent
sources carry them, how central they are to the event (cosine to the mean of all its sentences) and
how early they come in their articles (the lead states the event). Sentences that would dangle out of
context (opening on a pronoun or a back-reference) and near-repeats of chosen ones are skipped.
Each sentence cites every article that carries its claim, plus any other article holding a sentence
that supports it (cosine >= ``CITE`` with its names and numbers present), never only its source.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .compare import Claim, Unit

__all__ = ["SummarySentence", "summarize", "compress", "supports", "CITE", "SUPPORT"]

MIN_SENTENCES = 3
MAX_SENTENCES = 8
CITE = 0.70  # cosine at which another article's sentence counts as stating the same thing
SUPPORT = 0.60  # with the same names and numbers, a looser cosine still supports
REDUNDANT = 0.75
W_SUPPORT = 0.5  # per extra independent source
W_LEAD = 0.6
W_CENTRAL = 1.0
_DANGLING = re.compile(
    r"^(he|she|it|they|this|that|these|those|his|her|its|their|there|such|but also|also|then|"
    r"the latter|the former|an outcome|a very|both|which)\b", re.IGNORECASE)
_CONNECTIVE = re.compile(r"^(but|and|however|meanwhile|moreover|still|yet|so|also|furthermore),?\s+",
                         re.IGNORECASE)


@dataclass
class SummarySentence:
    text: str
    citations: list[str]  # every article that carries it, earliest first
    article: str  # the article the wording comes from
    sentence: int  # its sentence index there
    claim: int


def compress(text: str) -> str:
    """Minimal compression: drop a leading connective and surrounding whitespace."""
    t = _CONNECTIVE.sub("", text.strip())
    return t[:1].upper() + t[1:] if t else t


def supports(a: Unit, b: Unit, cos: float) -> bool:
    """Does sentence ``b`` state what ``a`` says: close in meaning, or same names and numbers."""
    if cos >= CITE:
        return True
    if cos < SUPPORT:
        return False
    names = bool(a.entities) and a.entities <= b.entities
    nums = {v for v, _ in a.numbers} <= {v for v, _ in b.numbers}
    return names and nums


def _n_sentences(claims: Sequence[Claim], n_articles: int) -> int:
    shared = sum(1 for c in claims if c.support >= 2)
    return max(MIN_SENTENCES, min(MAX_SENTENCES, 3 + shared // 2 + (n_articles > 3)))


def summarize(claims: Sequence[Claim], units: Sequence[Unit], vecs: np.ndarray,
              n: int | None = None) -> list[SummarySentence]:
    """Pick 3-8 claims, one actual sentence each, ordered by support then time, with citations."""
    if not claims:
        return []
    pos = {id(u): i for i, u in enumerate(units)}
    centroid = vecs.mean(axis=0) if len(vecs) else None
    if centroid is not None:
        centroid = centroid / (np.linalg.norm(centroid) or 1.0)
    n_articles = len({u.root for u in units})
    scored = []
    for c in claims:
        rep = next((u for u in c.units if u.text == c.text), c.units[0])
        words = len(rep.text.split())
        if words < 6 or words > 70:
            continue
        central = float(vecs[pos[id(rep)]] @ centroid) if centroid is not None else 0.0
        lead = min(u.order for u in c.units)
        score = W_SUPPORT * (c.support - 1) + W_CENTRAL * central + W_LEAD / (1 + lead)
        if _DANGLING.match(compress(rep.text)) and lead > 0:
            score -= 0.5
        scored.append((score, c, rep))
    scored.sort(key=lambda x: -x[0])
    want = n or _n_sentences(claims, n_articles)
    chosen: list[tuple[float, Claim, Unit]] = []
    for item in scored:
        _, c, rep = item
        v = vecs[pos[id(rep)]]
        if any(float(v @ vecs[pos[id(r)]]) >= REDUNDANT for _, _, r in chosen):
            continue
        chosen.append(item)
        if len(chosen) >= want:
            break
    chosen.sort(key=lambda x: (-x[1].support, _first_time(x[1]), min(u.order for u in x[1].units)))
    out = []
    for _, c, rep in chosen:
        cites = list(c.sources)
        v = vecs[pos[id(rep)]]
        for u in units:
            if u.article_id in cites:
                continue
            if supports(rep, u, float(v @ vecs[pos[id(u)]])):
                cites.append(u.article_id)
        out.append(SummarySentence(compress(rep.text), cites, rep.article_id, rep.index, c.id))
    return out


def _first_time(c: Claim) -> float:
    ts = [u.published.timestamp() for u in c.units if u.published]
    return min(ts) if ts else float("inf")
