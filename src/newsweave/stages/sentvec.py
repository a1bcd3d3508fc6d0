"""Sentence vectors: the multilingual vectors an event report aligns sentences with, computed once
per article when it is enriched and stored with it (``Store.save_sentence_vectors``).

A report compares each article's comparable sentences (``compare.comparable_sentences``: no
headings or fragments, at most 40) and the sentences that hold its quotations; embedding those at
report time was most of a large event's first report (375 articles: 30 of its 46 s), so ingest
embeds them with the article, and a report only embeds what is missing (articles stored before
this step, or enriched again since: the stored ``key`` no longer matches their sentences) and
stores those too. Identical sentences (wire copies, an outlet's boilerplate line) are embedded
once per batch.

Stored as int8 with one float32 scale per row (store/serialize.py, ``sentence_vectors_bytes``):
516 bytes a sentence instead of 2,048, cosines within 0.002 of the float32 ones.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ..models import Enrichment, SentenceVectors
from .compare import comparable_sentences
from .embed import DIM

EmbedFn = Callable[[Sequence[str]], np.ndarray]


def default_embed(texts: Sequence[str]) -> np.ndarray:
    """The process-wide encoder that ingest, grouping and pair similarity load (one copy of the
    weights per process)."""
    from .similarity import default_featurizer

    return default_featurizer().embedder.embed_texts(list(texts))


def sentences_key(enr: Enrichment) -> str:
    """Fingerprint of an enrichment's sentences (texts and indexes)."""
    h = hashlib.blake2b(digest_size=12)
    for s in enr.sentences:
        h.update(f"{s.index}\x1f{s.text}\x1e".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def report_sentences(enr: Enrichment, everything: bool = False) -> list[int]:
    """Indexes of the sentences a report needs vectors for: the comparable ones and those that
    hold a quotation (quotes are matched across languages by their sentence's vector);
    ``everything``: all of them."""
    if everything:
        return [s.index for s in enr.sentences]
    want = {s.index for s in comparable_sentences(enr)}
    for q in enr.quotes:
        for s in enr.sentences:
            if s.start <= q.start < s.end:
                want.add(s.index)
                break
    return sorted(want)


def embed_sentences(enrichments: Sequence[Enrichment], embed: EmbedFn,
                    everything: bool = False) -> list[SentenceVectors]:
    """The report sentences of each enrichment embedded in one batch (each distinct text once)."""
    picked: list[tuple[Enrichment, list[int], list[str]]] = []
    rows: dict[str, int] = {}  # distinct text -> its row in the batch
    for e in enrichments:
        by_index = {s.index: s.text for s in e.sentences}
        idx = report_sentences(e, everything)
        texts = [by_index[i] for i in idx]
        for t in texts:
            rows.setdefault(t, len(rows))
        picked.append((e, idx, texts))
    vecs = np.asarray(embed(list(rows)), dtype=np.float32) if rows else \
        np.zeros((0, DIM), np.float32)
    return [SentenceVectors(e.article_id, sentences_key(e), idx,
                            vecs[[rows[t] for t in texts]] if texts else
                            np.zeros((0, DIM), np.float32))
            for e, idx, texts in picked]


def full_matrix(sv: SentenceVectors, enr: Enrichment) -> np.ndarray:
    """One row per sentence of the article (by sentence index): the stored vectors, zeros for
    sentences a report does not compare."""
    n = max((s.index for s in enr.sentences), default=-1) + 1
    m = np.zeros((n, DIM), np.float32)
    for row, i in enumerate(sv.indexes):
        if i < n:
            m[i] = sv.vectors[row]
    return m


def usable(sv: SentenceVectors | None, enr: Enrichment) -> bool:
    """Whether stored vectors were computed from this enrichment's sentences."""
    return sv is not None and sv.key == sentences_key(enr)


def vectors_for_report(enrichments: Mapping[str, Enrichment],
                       stored: Mapping[str, SentenceVectors], embed: EmbedFn
                       ) -> tuple[dict[str, np.ndarray], list[SentenceVectors]]:
    """Per-article sentence matrices for a report (``full_matrix``) from the stored vectors that
    still match their enrichment; the others are embedded now and returned to be stored."""
    have = {aid: stored[aid] for aid, e in enrichments.items() if usable(stored.get(aid), e)}
    fresh = embed_sentences([e for aid, e in enrichments.items() if aid not in have], embed)
    have.update({sv.article_id: sv for sv in fresh})
    return {aid: full_matrix(have[aid], e) for aid, e in enrichments.items()}, fresh
