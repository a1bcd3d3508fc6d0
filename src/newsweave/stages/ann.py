"""Approximate nearest neighbours partitioned by time.

One faiss HNSW index per time bucket (as wide as the clustering window), so a search reaches only
the buckets a window can touch. With a single global index, a long history of similar stories
(yesterday's weather, last year's summit) crowds the k nearest neighbours and leaves no candidate
inside the window; per-bucket indexes keep the cost of a search bounded by the news of a few weeks,
whatever the size of the store.
"""
from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import numpy as np

from ..errors import MissingDependency

_UNDATED = "undated"


class TimeBucketedIndex:
    """Inner-product HNSW indexes keyed by time bucket; undated vectors have a bucket of their own."""

    def __init__(self, dim: int, bucket_days: float, ef_search: int = 128,
                 ef_construction: int = 80) -> None:
        try:
            import faiss  # noqa: F401  (checked here so the error names the extra at once)

            del faiss
        except ImportError as exc:  # pragma: no cover - pinned dependency
            raise MissingDependency("faiss-cpu", "core") from exc
        self.dim = dim
        self.bucket_days = bucket_days
        self.ef_search = ef_search
        self.ef_construction = ef_construction
        self._indexes: dict[Any, Any] = {}
        self._keys: dict[Any, list[str]] = {}
        self._where: dict[str, tuple[Any, int]] = {}

    def __len__(self) -> int:
        return len(self._where)

    def bucket(self, when: datetime | None) -> Any:
        """The bucket of a moment (None: the undated bucket)."""
        if when is None:
            return _UNDATED
        return math.floor(when.timestamp() / 86400 / self.bucket_days)

    def _index(self, b: Any) -> Any:
        if b not in self._indexes:
            import faiss

            idx = faiss.IndexHNSWFlat(self.dim, 32, faiss.METRIC_INNER_PRODUCT)
            idx.hnsw.efSearch = self.ef_search
            idx.hnsw.efConstruction = self.ef_construction
            self._indexes[b] = idx
            self._keys[b] = []
        return self._indexes[b]

    def add(self, key: str, vector: np.ndarray, when: datetime | None) -> None:
        """Index one vector under a key at a moment (None: undated)."""
        b = self.bucket(when)
        self._index(b).add(np.ascontiguousarray(vector[None, :], dtype=np.float32))
        self._where[key] = (b, len(self._keys[b]))
        self._keys[b].append(key)

    def vector(self, key: str) -> np.ndarray:
        """The stored vector of a key (zeros when unknown)."""
        loc = self._where.get(key)
        if loc is None:
            return np.zeros(self.dim, np.float32)
        return self._indexes[loc[0]].reconstruct(loc[1])

    def search(self, vector: np.ndarray, k: int, when: datetime | None) -> list[tuple[str, float]]:
        """Up to k nearest keys per reachable bucket (the moment's bucket, its neighbours and the
        undated bucket; every bucket when the moment is unknown), best first."""
        q = np.ascontiguousarray(vector[None, :], dtype=np.float32)
        b = self.bucket(when)
        if b == _UNDATED:
            # An undated article could belong anywhere in time: one search per bucket, which
            # grows with the years covered, not with the number of articles.
            buckets: list[Any] = list(self._indexes)
        else:
            buckets = [_UNDATED, b - 1, b, b + 1]
        found: list[tuple[str, float]] = []
        for bb in buckets:
            idx = self._indexes.get(bb)
            if idx is None or idx.ntotal == 0:
                continue
            sims, rows = idx.search(q, min(k, idx.ntotal))
            keys = self._keys[bb]
            found += [(keys[r], float(s)) for s, r in zip(sims[0], rows[0]) if r >= 0]
        found.sort(key=lambda t: (-t[1], t[0]))
        return found
