"""Approximate nearest neighbours partitioned by time.

One faiss HNSW index per time bucket (as wide as the clustering window), so a search reaches only
the buckets a window can touch. With a single global index, a long history of similar stories
(yesterday's weather, last year's summit) crowds the k nearest neighbours and leaves no candidate
inside the window; per-bucket indexes keep the cost of a search bounded by the news of a few weeks,
whatever the size of the store. One global index over every vector serves the other question the
clusterer asks, "is there a very close article outside the window" (long-running events), where
look-alikes from any time are exactly what is wanted.
"""
from __future__ import annotations

import json
import logging
import math
import os
import weakref
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MissingDependency

log = logging.getLogger(__name__)

_UNDATED = "undated"
M = 32  # HNSW links per node
# Fewer vectors than this are not worth a file beside the store: their graph builds in well
# under a second (50,000 took 4-5 s to insert).
CACHE_MIN = 5000
# A graph cache file: this, a JSON head (its length first: the faiss version, the keys in
# insertion order), the faiss index.
_MAGIC = b"NEWSWEAVE-ANN-2\n"


class TimeBucketedIndex:
    """Inner-product HNSW indexes keyed by time bucket; undated vectors have a bucket of their own."""

    def __init__(self, dim: int, bucket_days: float, ef_search: int = 128,
                 ef_construction: int = 80, global_index: bool = True,
                 cache: Path | None = None) -> None:
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
        self.global_index = global_index  # False: no long-range look-ups, no second index
        self._global: Any = None  # one HNSW index over every vector: long-range look-ups
        self._global_keys: list[str] = []
        # Vectors not yet in the global graph (built when first searched, like a bucket's), and
        # where a graph built before is saved and looked for (``save_global``): a rebuild of a
        # large store then loads the graph instead of inserting every vector again.
        self._global_pending: list[np.ndarray] = []
        self.cache = cache
        self._saved = -1  # how many vectors the cache file holds from this index (-1: unknown)
        self._keys: dict[Any, list[str]] = {}
        self._where: dict[str, tuple[Any, int]] = {}
        # bucket -> vectors not yet in its HNSW index: a bucket's graph is built when a search
        # first reaches it (see _built), so rebuilding a large store's grouping, which adds every
        # stored vector and then searches only the latest weeks, pays for those weeks' graphs.
        self._pending: dict[Any, list[np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self._where)

    def bucket(self, when: datetime | None) -> Any:
        """The bucket of a moment (None: the undated bucket)."""
        if when is None:
            return _UNDATED
        return math.floor(when.timestamp() / 86400 / self.bucket_days)

    def _new(self) -> Any:
        import faiss

        idx = faiss.IndexHNSWFlat(self.dim, M, faiss.METRIC_INNER_PRODUCT)
        idx.hnsw.efSearch = self.ef_search
        idx.hnsw.efConstruction = self.ef_construction
        return idx

    def _index(self, b: Any) -> Any:
        if b not in self._indexes:
            self._indexes[b] = self._new()
        return self._indexes[b]

    def _built(self, b: Any) -> Any:
        """Bucket b's index holding every vector added to it so far. The waiting vectors go in
        one at a time, in the order they were added, as eager insertion would have put them:
        the same graph, so the same neighbours, whenever the bucket is built."""
        idx = self._index(b)
        for v in self._pending.pop(b, ()):
            idx.add(v[None, :])
        return idx

    def add(self, key: str, vector: np.ndarray, when: datetime | None) -> None:
        """Index one vector under a key at a moment (None: undated)."""
        b = self.bucket(when)
        keys = self._keys.setdefault(b, [])
        self._pending.setdefault(b, []).append(np.ascontiguousarray(vector, dtype=np.float32))
        self._where[key] = (b, len(keys))
        keys.append(key)
        if not self.global_index:
            return
        self._global_pending.append(self._pending[b][-1])
        self._global_keys.append(key)

    def _global_built(self) -> Any:
        """The global index holding every vector added so far: the cached graph when it holds
        the first of them (``_load_global``), then the rest one at a time in the order they
        were added, as eager insertion would have put them."""
        if self._global is None:
            self._global = self._load_global() or self._new()
        for v in self._global_pending:
            self._global.add(v[None, :])
        self._global_pending = []
        return self._global

    def _load_global(self) -> Any:
        """The graph saved in ``cache`` when it was built from the first vectors this index
        holds (same keys, in the same order, with the same vectors): the very graph inserting
        them would build. None (build it) when there is no such file or it does not match."""
        if self.cache is None or not self.cache.exists():
            return None
        import faiss

        try:
            with open(self.cache, "rb") as fh:
                if fh.read(len(_MAGIC)) != _MAGIC:
                    raise ValueError("not a Newsweave graph cache")
                size = int.from_bytes(fh.read(8), "little")
                head = json.loads(fh.read(size))
                if head.get("faiss") != faiss.__version__:  # another faiss may build otherwise
                    return None
                # Streamed: the file's bytes are not held in memory beside the graph.
                idx = faiss.read_index(faiss.PyCallbackIOReader(fh.read))
        except Exception as exc:  # a cache: anything wrong with it means building the graph
            log.info("ann: ignoring the cached graph %s: %s", self.cache, exc)
            return None
        keys = head.get("keys") or []
        n = len(keys)
        if not (isinstance(idx, faiss.IndexHNSWFlat) and idx.ntotal == n and idx.d == self.dim
                and idx.metric_type == faiss.METRIC_INNER_PRODUCT
                and idx.hnsw.nb_neighbors(1) == M
                and idx.hnsw.efConstruction == self.ef_construction
                and n <= len(self._global_keys) and keys == self._global_keys[:n]):
            return None
        for start in range(0, n, 4096):  # the same vectors, exactly
            stop = min(n, start + 4096)
            if not np.array_equal(idx.reconstruct_n(start, stop - start),
                                  np.stack(self._global_pending[start:stop])):
                return None
        # The levels of later nodes are drawn from the graph's random generator, which the file
        # does not keep: draw as many as building the cached nodes drew (one each), so that the
        # next node gets the level it gets in a graph built in one go.
        for _ in range(n):
            idx.hnsw.rng.rand_double()
        idx.hnsw.efSearch = self.ef_search
        idx.hnsw.efConstruction = self.ef_construction
        self._global_pending = self._global_pending[n:]
        self._saved = n
        log.info("ann: loaded the cached graph of %d vectors from %s", n, self.cache)
        return idx

    def save_global(self) -> None:
        """Write the global graph (every vector added so far) to ``cache`` for a later process
        that adds the same vectors first; nothing when the file holds it already, no search
        has built the graph or it holds fewer than ``CACHE_MIN`` vectors. Written to a
        temporary file and renamed, so a reader sees the old file or the new one."""
        # Nothing when no search needed the graph here: building it only to save it would cost
        # this process what the next one may never need (it builds and saves it when it does).
        if (self.cache is None or self._global is None or len(self._global_keys) < CACHE_MIN
                or self._saved == len(self._global_keys)):
            return
        import faiss

        idx = self._global_built()
        tmp = self.cache.with_name(f"{self.cache.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as fh:
                head = json.dumps({"faiss": faiss.__version__, "keys": self._global_keys}
                                  ).encode("utf-8")
                fh.write(_MAGIC + len(head).to_bytes(8, "little") + head)
                writer = faiss.PyCallbackIOWriter(fh.write)
                faiss.write_index(idx, writer)
                del writer  # flushes
            os.replace(tmp, self.cache)
            self._saved = len(self._global_keys)
        except OSError as exc:  # a cache: the grouping stands without it
            log.warning("ann: could not save the graph cache %s: %s", self.cache, exc)
            tmp.unlink(missing_ok=True)

    def vector(self, key: str) -> np.ndarray:
        """The stored vector of a key (zeros when unknown)."""
        loc = self._where.get(key)
        if loc is None:
            return np.zeros(self.dim, np.float32)
        b, row = loc
        built = self._indexes[b].ntotal if b in self._indexes else 0
        if row < built:
            return self._indexes[b].reconstruct(row)
        return self._pending[b][row - built].copy()

    def search(self, vector: np.ndarray, k: int, when: datetime | None) -> list[tuple[str, float]]:
        """Up to k nearest keys per reachable bucket (the moment's bucket, its neighbours and the
        undated bucket; every bucket when the moment is unknown), best first."""
        q = np.ascontiguousarray(vector[None, :], dtype=np.float32)
        b = self.bucket(when)
        if b == _UNDATED:
            # An undated article could belong anywhere in time: one search per bucket, which
            # grows with the years covered, not with the number of articles.
            buckets: list[Any] = list(self._keys)
        else:
            buckets = [_UNDATED, b - 1, b, b + 1]
        found: list[tuple[str, float]] = []
        for bb in buckets:
            if not self._keys.get(bb):
                continue
            idx = self._built(bb)
            sims, rows = idx.search(q, min(k, idx.ntotal))
            keys = self._keys[bb]
            found += [(keys[r], float(s)) for s, r in zip(sims[0], rows[0]) if r >= 0]
        found.sort(key=lambda t: (-t[1], t[0]))
        return found


    def search_global(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The k nearest keys over all time, best first (one search, however long the history)."""
        if not self._global_keys:
            return []
        idx = self._global_built()
        q = np.ascontiguousarray(vector[None, :], dtype=np.float32)
        sims, rows = idx.search(q, min(k, idx.ntotal))
        found = [(self._global_keys[r], float(x)) for x, r in zip(sims[0], rows[0]) if r >= 0]
        found.sort(key=lambda t: (-t[1], t[0]))
        return found

class StoreIndex:
    """Candidate search through the store's own vector index (pgvector HNSW on PostgreSQL).

    The clusterer replays articles in publication order, so when it asks about an article dated
    ``when``, the articles it has already placed are exactly the stored ones published up to
    ``when`` (plus undated ones): the search asks the store for the nearest articles of the past
    window and keeps those the clusterer has seen (an article not yet placed, or a copy, which is
    never clustered, is skipped). The driver then holds no ANN index of its own; it keeps the
    vectors of the articles it placed, which it loaded anyway.
    """

    def __init__(self, store: Any, dim: int, window_days: float, overfetch: int = 2) -> None:
        # Weakly: a grouping kept for the store (pipeline._GROUPINGS) must not keep it alive.
        self.store = weakref.proxy(store)
        self.dim = dim
        self.window = timedelta(days=window_days)
        self.overfetch = overfetch
        self._vectors: dict[str, np.ndarray] = {}
        self._undated: list[str] = []

    def __len__(self) -> int:
        return len(self._vectors)

    def add(self, key: str, vector: np.ndarray, when: datetime | None) -> None:
        """Mark one article as placed (its vector is already in the store)."""
        self._vectors[key] = np.asarray(vector, dtype=np.float32)
        if when is None:
            self._undated.append(key)

    def vector(self, key: str) -> np.ndarray:
        """The vector of a placed article (zeros when unknown)."""
        v = self._vectors.get(key)
        return v if v is not None else np.zeros(self.dim, np.float32)

    def search(self, vector: np.ndarray, k: int, when: datetime | None) -> list[tuple[str, float]]:
        """Up to ``overfetch``·k placed articles nearest to a vector, best first: within the past
        window of a dated moment, anywhere in time for an undated one."""
        since, until = (None, None) if when is None else (when - self.window, when)
        found = self._placed(vector, k, since, until)
        # The store lets undated articles through its time filter, but among many dated ones they
        # may not reach the top; search the undated placed ones here (few, by construction).
        if self._undated and when is not None:
            q = np.asarray(vector, dtype=np.float32)
            extra = [(a, float(q @ self._vectors[a])) for a in self._undated]
            found += sorted(extra, key=lambda t: (-t[1], t[0]))[:k]
            found = list(dict(found).items())
        found.sort(key=lambda t: (-t[1], t[0]))
        return found

    def search_global(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Up to ``overfetch``·k placed articles nearest to a vector over all time, best first."""
        return self._placed(vector, k, None, None)

    def _placed(self, vector: np.ndarray, k: int, since: datetime | None,
                until: datetime | None) -> list[tuple[str, float]]:
        # Articles the clusterer has not placed (copies of others, which are never clustered, or
        # later ones) can crowd the store's answer: ask again for more until k placed ones come
        # back, the store has no more, or 16·k were asked for.
        ask = self.overfetch * k
        while True:
            hits = self.store.nearest_articles(vector, ask, since, until)
            found = [(a, s) for a, s in hits if a in self._vectors]
            if len(found) >= k or len(hits) < ask or ask >= 16 * k:
                return found
            ask *= 4
