"""JSON (de)serialisation of enrichment parts, shared by every store backend."""
from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import date
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..models import DateMention, Enrichment, Mention, Quote, Sentence, SentenceVectors

log = logging.getLogger(__name__)
_SENTENCE_DIM = 512  # the encoder's dimension (stages/embed.DIM)


def dump(obj: Any) -> str:
    if isinstance(obj, JSONMapping):
        return obj.to_json()
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def load(data: str | bytes) -> Any:
    """JSON written by ``dump``, decoded with orjson: grouping reads every stored article's
    lexical weights (hundreds of terms each), where the standard library's decoder was most
    of the time spent loading the features (1.05 s against 0.39 s for 10,000 articles). A
    value orjson refuses (a NaN, which ``json.dumps`` writes) falls back to the standard one."""
    import orjson

    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


class JSONMapping(Mapping[str, Any]):
    """A JSON object, stored as ``dump`` wrote it, decoded when first read. A stored article's
    lexical weights are hundreds of terms; rebuilding a grouping loads every article's but the
    clusterer compares only an event's latest few and the nearest neighbours, so most are never
    decoded (50,000 stored articles: 2.3 s of decoding even with orjson, and the garbage
    collector's passes over the decoded dicts doubled that, spared)."""

    __slots__ = ("_raw", "_data")

    def __init__(self, raw: str | bytes) -> None:
        self._raw: str | bytes | None = raw
        self._data: dict[str, Any] | None = None

    def _decoded(self) -> dict[str, Any]:
        if self._data is None:
            data = load(self._raw or "{}")
            if not isinstance(data, dict):
                raise ValueError(f"not a JSON object: {str(self._raw)[:60]!r}")
            self._data, self._raw = data, None
        return self._data

    def to_json(self) -> str:
        """The JSON text (as stored, when it was never decoded)."""
        if self._raw is None:
            return dump(self._decoded())
        return self._raw if isinstance(self._raw, str) else self._raw.decode("utf-8")

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __repr__(self) -> str:
        return f"JSONMapping({self._decoded()!r})" if self._data is not None else "JSONMapping(...)"

    def __reduce__(self) -> tuple:  # pickled (e.g. to a Ray worker) as what it holds
        return (dict, (self._decoded(),))


def sentences_to_json(sentences: list[Sentence]) -> str:
    # Offsets only: the text is the article's, so storing it again would double the size.
    return dump([[s.start, s.end] for s in sentences])


def sentences_from_json(data: str, text: str) -> list[Sentence]:
    return [Sentence(index=i, start=a, end=b, text=text[a:b]) for i, (a, b) in enumerate(json.loads(data))]


def dates_to_json(dates: list[DateMention]) -> str:
    return dump([{**asdict(d), "date_from": d.date_from.isoformat(), "date_to": d.date_to.isoformat()}
                 for d in dates])


def dates_from_json(data: str) -> list[DateMention]:
    out = []
    for d in json.loads(data):
        d["date_from"] = date.fromisoformat(d["date_from"])
        d["date_to"] = date.fromisoformat(d["date_to"])
        out.append(DateMention(**d))
    return out


def quotes_to_json(quotes: list[Quote]) -> str:
    return dump([asdict(q) for q in quotes])


def quotes_from_json(data: str) -> list[Quote]:
    return [Quote(**q) for q in json.loads(data)]


def enrichment_row(e: Enrichment) -> dict[str, str | None]:
    """The stored columns of one Enrichment (mentions go to their own table)."""
    return {
        "article_id": e.article_id,
        "language": e.language,
        "sentences": sentences_to_json(e.sentences),
        "dates": dates_to_json(e.dates),
        "quotes": quotes_to_json(e.quotes),
        "keywords": dump([[k, s] for k, s in e.keywords]),
        "notes": dump(e.notes),
    }


def vector_bytes(v: Any) -> bytes:
    """A vector as little-endian float32 bytes."""
    import numpy as np

    return np.asarray(v, dtype="<f4").tobytes()


def vector_array(b: bytes) -> Any:
    import numpy as np

    return np.frombuffer(b, dtype="<f4").copy()


def signature_bytes(v: Any) -> bytes | None:
    """A MinHash signature as little-endian uint32 bytes (None: not computed)."""
    import numpy as np

    return None if v is None else np.asarray(v, dtype="<u4").tobytes()


def signature_array(b: bytes | None) -> Any:
    import numpy as np

    return None if b is None else np.frombuffer(b, dtype="<u4").astype(np.uint32)


def sentence_vectors_bytes(sv: SentenceVectors) -> bytes:
    """Report sentence vectors (stages/sentvec.py): a uint32 count, the uint32 sentence indexes,
    one little-endian float32 scale per row, then the rows as int8."""
    import numpy as np

    v = np.asarray(sv.vectors, dtype=np.float32).reshape(-1, _SENTENCE_DIM)
    scale = np.abs(v).max(axis=1) / 127.0 if len(v) else np.zeros(0, np.float32)
    safe = np.where(scale > 0, scale, 1.0)
    q = np.clip(np.rint(v / safe[:, None]), -127, 127).astype(np.int8)
    n = np.asarray([len(sv.indexes)], dtype="<u4")
    return (n.tobytes() + np.asarray(sv.indexes, dtype="<u4").tobytes()
            + scale.astype("<f4").tobytes() + q.tobytes())


def sentence_vectors_from_bytes(article_id: str, key: str, data: bytes) -> SentenceVectors:
    """What ``sentence_vectors_bytes`` wrote (rows L2-normalised again after dequantising)."""
    import numpy as np

    n = int(np.frombuffer(data[:4], dtype="<u4")[0]) if len(data) >= 4 else -1
    if n < 0 or len(data) != 4 + n * (8 + _SENTENCE_DIM):
        raise ValueError(f"sentence vectors of {article_id}: {len(data)} bytes do not hold "
                         f"{max(n, 0)} packed sentences")
    at = 4
    idx = np.frombuffer(data[at:at + 4 * n], dtype="<u4").astype(int).tolist()
    at += 4 * n
    scale = np.frombuffer(data[at:at + 4 * n], dtype="<f4")
    at += 4 * n
    q = np.frombuffer(data[at:at + n * _SENTENCE_DIM], dtype=np.int8).reshape(n, _SENTENCE_DIM)
    v = q.astype(np.float32) * scale[:, None]
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    v = np.divide(v, norms, out=np.zeros_like(v), where=norms > 0)
    return SentenceVectors(article_id, key, idx, v)


def sentence_vectors_from_rows(rows: Iterable[tuple[str, str, bytes]]
                               ) -> dict[str, SentenceVectors]:
    """Stored (article id, key, data) rows; one that cannot be read is left out (and logged):
    they are a cache, and the report embeds that article again."""
    out = {}
    for aid, key, data in rows:
        try:
            out[aid] = sentence_vectors_from_bytes(aid, key, bytes(data))
        except ValueError as e:
            log.warning("%s; embedded again by the report", e)
    return out


def enrichment_from_rows(article_id: str, row: Any, mention_rows: list[Any]) -> Enrichment:
    """An Enrichment from a stored enrichment row (with the article's ``text``) and its mentions."""
    mentions = [Mention(text=m["text"], start=m["start"], end=m["end"], type=m["type"],
                        language=m["language"], canonical=m["canonical"], entity_id=m["entity_id"])
                for m in mention_rows]
    return Enrichment(
        article_id=article_id, language=row["language"],
        sentences=sentences_from_json(row["sentences"], row["text"]), mentions=mentions,
        dates=dates_from_json(row["dates"]), quotes=quotes_from_json(row["quotes"]),
        keywords=[(k, s) for k, s in json.loads(row["keywords"])], notes=json.loads(row["notes"]))
