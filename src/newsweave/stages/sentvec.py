"""Sentence vectors: the multilingual vectors an event report aligns sentences with, computed once
per article when it is enriched and stored with it (``Store.save_sentence_vectors``).

A report compares each article's comparable sentences (``compare.comparable_sentences``: no
headings or fragments, at most 40) and the sentences that hold its quotations; embedding those at
report time was most of a large event's first report (375 articles: 30 of its 46 s), so ingest
embeds them with the article, and a report only embeds what is missing (articles stored before
this step, or enriched again since: the stored ``key`` no longer matches their sentences) and
stores those too. Identical sentences (wire copies, an outlet's boilerplate line) are embedded
once per batch.

Stored as int8 with one float32 scale per row (``pack``/``unpack``): 516 bytes a sentence
instead of 2,048, cosines within 0.002 of the float32 ones.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from ..models import Enrichment, SentenceVectors
from .compare import comparable_sentences

EmbedFn = Callable[[Sequence[str]], np.ndarray]
DIM = 512
log = logging.getLogger(__name__)


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
    picked: list[tuple[Enrichment, list[int]]] = []
    texts: dict[str, int] = {}
    for e in enrichments:
        idx = report_sentences(e, everything)
        by_index = {s.index: s.text for s in e.sentences}
        for i in idx:
            texts.setdefault(by_index[i], len(texts))
        picked.append((e, idx))
    vecs = np.asarray(embed(list(texts)), dtype=np.float32) if texts else \
        np.zeros((0, DIM), np.float32)
    out = []
    for e, idx in picked:
        by_index = {s.index: s.text for s in e.sentences}
        rows = [texts[by_index[i]] for i in idx]
        out.append(SentenceVectors(e.article_id, sentences_key(e), idx,
                                   vecs[rows] if rows else np.zeros((0, DIM), np.float32)))
    return out


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


def pack(sv: SentenceVectors) -> bytes:
    """Rows as int8 with one little-endian float32 scale each, after the uint32 indexes."""
    v = np.asarray(sv.vectors, dtype=np.float32).reshape(-1, DIM)
    scale = np.abs(v).max(axis=1) / 127.0 if len(v) else np.zeros(0, np.float32)
    safe = np.where(scale > 0, scale, 1.0)
    q = np.clip(np.rint(v / safe[:, None]), -127, 127).astype(np.int8)
    n = np.asarray([len(sv.indexes)], dtype="<u4")
    return (n.tobytes() + np.asarray(sv.indexes, dtype="<u4").tobytes()
            + scale.astype("<f4").tobytes() + q.tobytes())


def unpack(article_id: str, key: str, data: bytes) -> SentenceVectors:
    """What ``pack`` wrote (rows L2-normalised again after dequantising)."""
    n = int(np.frombuffer(data[:4], dtype="<u4")[0]) if len(data) >= 4 else -1
    if n < 0 or len(data) != 4 + n * (8 + DIM):
        raise ValueError(f"sentence vectors of {article_id}: {len(data)} bytes do not hold "
                         f"{max(n, 0)} packed sentences")
    at = 4
    idx = np.frombuffer(data[at:at + 4 * n], dtype="<u4").astype(int).tolist()
    at += 4 * n
    scale = np.frombuffer(data[at:at + 4 * n], dtype="<f4")
    at += 4 * n
    q = np.frombuffer(data[at:at + n * DIM], dtype=np.int8).reshape(n, DIM)
    v = q.astype(np.float32) * scale[:, None]
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    v = np.divide(v, norms, out=np.zeros_like(v), where=norms > 0)
    return SentenceVectors(article_id, key, idx, v)


def unpack_rows(rows: Iterable[tuple[str, str, bytes]]) -> dict[str, SentenceVectors]:
    """Stored (article id, key, data) rows; one that cannot be read is left out (and logged):
    they are a cache, and the report embeds that article again."""
    out = {}
    for aid, key, data in rows:
        try:
            out[aid] = unpack(aid, key, bytes(data))
        except ValueError as e:
            log.warning("%s; embedded again by the report", e)
    return out


def vectors_for_report(enrichments: Mapping[str, Enrichment],
                       stored: Mapping[str, SentenceVectors], embed: EmbedFn
                       ) -> tuple[dict[str, np.ndarray], list[SentenceVectors]]:
    """Per-article sentence matrices for a report (``full_matrix``) from the stored vectors that
    still match their enrichment; the others are embedded now and returned to be stored."""
    fresh = embed_sentences([e for aid, e in enrichments.items()
                             if not usable(stored.get(aid), e)], embed)
    have = {aid: sv for aid, sv in stored.items() if aid in enrichments
            and usable(sv, enrichments[aid])}
    have.update({sv.article_id: sv for sv in fresh})
    return {aid: full_matrix(have[aid], e) for aid, e in enrichments.items()}, fresh
