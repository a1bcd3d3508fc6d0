"""Pair views: the finer-grained embeddings the two-text similarity scorer compares.

An article's one vector blurs what two accounts of a story share. For a pair of texts the scorer
also compares (measured on SemEval-2022 Task 8, see benchmarks/RESULTS.md):

- ``prefix``: the best cosine between any opening of one text and any opening of the other
  (``PREFIX_WORDS`` words; a headline glued to the body, or a lead of any length, is found
  whatever its length — news states the event first);
- ``sentf``: a BERTScore-like F over sentence vectors (each sentence's best match, both ways);
- ``winshare``: the share of overlapping 25-word windows whose best match in the other text has a
  cosine above ``WINDOW_MATCH`` (how much of each text is about the same thing);
- ``minlen``: log1p of the shorter text's length in words (short or scraped-junk texts make every
  cosine less trustworthy);
- ``numbers``: Jaccard of the numbers the two texts give, years left out (digits read the same in
  every language: a toll, an age, a sum; +0.001 CV, better on 10 of 10 splits).

These views cost about 27 extra short strings to embed per text, so they are built only for
pair scoring (``Featurizer.featurize_many(..., pair_views=True)``), never at ingest.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .textmeta import SENTENCE_END_CLASS

PREFIX_WORDS = (8, 15, 25, 40, 60, 100, 150)
MAX_SENTENCES = 30
SENTENCE_MAX_WORDS = 50
SENTENCE_MIN_WORDS = 4  # shorter fragments (datelines, bylines) are joined to the next piece
WINDOW_WORDS, WINDOW_STRIDE, MAX_WINDOWS = 25, 12, 20
WINDOW_MATCH = 0.5
# Like embed.py's chunk boundaries, plus runs of spaces (scraped pages lose their line breaks).
_SENT_END = re.compile(rf"(?<={SENTENCE_END_CLASS})\s+|\n+|\s{{2,}}")
# A number with its thousands separators ("85,000", "85.000", "85 000" with a no-break or thin
# space) and decimals; an ordinary space is no separator ("in 2019 100 people" is two numbers).
_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f]\d{3})*(?:[.,]\d+)?")
_YEAR = re.compile(r"(19|20)\d\d")


@dataclass
class PairView:
    """Unit vectors of a text's openings, sentences and windows, and its length in words."""

    prefixes: np.ndarray  # (len(PREFIX_WORDS), dim)
    sentences: np.ndarray  # (<= MAX_SENTENCES, dim)
    windows: np.ndarray  # (<= MAX_WINDOWS, dim)
    n_words: int
    numbers: frozenset[str] = frozenset()  # text_numbers of the text


def split_sentences(text: str) -> list[str]:
    """Sentence-like pieces of 4-50 words (long ones cut, fragments joined), the first 30."""
    pieces: list[str] = []
    for sent in _SENT_END.split(text or ""):
        words = sent.split()
        while len(words) > SENTENCE_MAX_WORDS:
            pieces.append(" ".join(words[:SENTENCE_MAX_WORDS]))
            words = words[SENTENCE_MAX_WORDS:]
        if words:
            pieces.append(" ".join(words))
    merged: list[str] = []
    buf: list[str] = []
    for piece in pieces:
        buf.extend(piece.split())
        if len(buf) >= SENTENCE_MIN_WORDS:
            merged.append(" ".join(buf))
            buf = []
    if buf:
        if merged:
            merged[-1] += " " + " ".join(buf)
        else:
            merged.append(" ".join(buf))
    return merged[:MAX_SENTENCES]


def split_windows(text: str) -> list[str]:
    """Overlapping windows of ``WINDOW_WORDS`` words every ``WINDOW_STRIDE`` words, the first 20."""
    words = (text or "").split()
    out: list[str] = []
    for i in range(0, max(1, len(words) - WINDOW_WORDS + WINDOW_STRIDE), WINDOW_STRIDE):
        out.append(" ".join(words[i:i + WINDOW_WORDS]))
        if len(out) >= MAX_WINDOWS:
            break
    return [w for w in out if w]


def text_numbers(text: str) -> frozenset[str]:
    """The numbers of a text as digit strings, separators dropped ("85,000" and "85.000" alike,
    any script's digits read as ASCII), without one-digit numbers and years (1900-2099), which
    any two news texts share. Not compare.numbers_in: that reads English quantities with their
    units for claims, and takes "85.000" for 85; two texts in two conventions must meet here."""
    out = set()
    for m in _NUMBER.findall(text or ""):
        number = str(int(re.sub(r"\D", "", m)))
        if len(number) < 2 or _YEAR.fullmatch(number):
            continue
        out.add(number)
    return frozenset(out)


def build_views(texts: Sequence[str], embed: Callable[[list[str]], np.ndarray]) -> list[PairView]:
    """PairViews of texts; ``embed`` maps a list of strings to (n, dim) unit vectors in one batch."""
    plans = []
    flat: list[str] = []
    for text in texts:
        words = (text or "").split()
        parts = ([" ".join(words[:k]) for k in PREFIX_WORDS] if words else [],
                 split_sentences(text), split_windows(text))
        plans.append((len(words), [len(p) for p in parts]))
        for p in parts:
            flat.extend(p)
    vecs = embed(flat) if flat else np.zeros((0, 1), np.float32)
    out, pos = [], 0
    for (n_words, sizes), text in zip(plans, texts):
        blocks = []
        for size in sizes:
            blocks.append(vecs[pos:pos + size])
            pos += size
        out.append(PairView(*blocks, n_words=n_words, numbers=text_numbers(text)))
    return out


def _best_both_ways(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    if not len(a) or not len(b):
        return None
    sims = a @ b.T
    return sims.max(axis=1), sims.max(axis=0)


def prefix_max(a: PairView, b: PairView) -> float:
    """Best cosine between an opening of one text and an opening of the other."""
    if not len(a.prefixes) or not len(b.prefixes):
        return 0.0
    return float((a.prefixes @ b.prefixes.T).max())


def sentence_f(a: PairView, b: PairView) -> float:
    """F of the mean best-match sentence cosines, one way and the other."""
    best = _best_both_ways(a.sentences, b.sentences)
    if best is None:
        return 0.0
    p, r = float(best[0].mean()), float(best[1].mean())
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def window_share(a: PairView, b: PairView) -> float:
    """Share of both texts' windows whose best match in the other reaches ``WINDOW_MATCH``."""
    best = _best_both_ways(a.windows, b.windows)
    if best is None:
        return 0.0
    return float((np.concatenate(best) > WINDOW_MATCH).mean())


def min_length(a: PairView, b: PairView) -> float:
    """log1p of the shorter text's word count."""
    return math.log1p(min(a.n_words, b.n_words))


def number_overlap(a: PairView, b: PairView) -> float:
    """Jaccard of the two texts' numbers; 0 when either gives none."""
    if not a.numbers or not b.numbers:
        return 0.0
    return len(a.numbers & b.numbers) / len(a.numbers | b.numbers)
