"""The in-process ANN index's global graph cache: a later process loads the graph a grouping
built instead of inserting every vector again, and must end with the very graph (and so the very
neighbours) that inserting them gives; any cache that does not match is ignored."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from newsweave.stages.ann import TimeBucketedIndex

DIM = 32
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _vectors(n: int, seed: int = 3) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _index(vectors: np.ndarray, cache=None, keys=None) -> TimeBucketedIndex:
    idx = TimeBucketedIndex(DIM, 30, cache=cache)
    for i, v in enumerate(vectors):
        idx.add(keys[i] if keys else f"a{i}", v, T0 + timedelta(days=i % 90))
    return idx


@pytest.fixture(autouse=True)
def small_caches(monkeypatch) -> None:
    # The graphs here are small; the shipped minimum is tested on its own below.
    from newsweave.stages import ann

    monkeypatch.setattr(ann, "CACHE_MIN", 100)


def _graph(idx: TimeBucketedIndex) -> np.ndarray:
    import faiss

    return faiss.serialize_index(idx._global_built())


def test_a_cached_graph_gives_the_graph_inserting_every_vector_gives(tmp_path, caplog) -> None:
    vectors = _vectors(700)
    cache = tmp_path / "store.db.ann-cache"
    first = _index(vectors[:500], cache)
    first.save_global()  # no search has built the graph: nothing is built just to be saved
    assert not cache.exists() and first._global is None
    first.search_global(vectors[0], 5)
    first.save_global()
    assert cache.exists() and not list(tmp_path.glob("*.tmp"))
    mtime = cache.stat().st_mtime_ns
    first.save_global()  # holds it already: not written again
    assert cache.stat().st_mtime_ns == mtime

    # A later process adds the same 500 vectors, then 200 more: it loads the 500 and inserts
    # the rest, and ends with the graph of inserting all 700 one at a time.
    with caplog.at_level(logging.INFO, logger="newsweave.stages.ann"):
        later = _index(vectors, cache)
        hits = [later.search_global(v, 10) for v in vectors[::50]]
    assert "loaded the cached graph of 500 vectors" in caplog.text
    scratch = _index(vectors)
    assert [scratch.search_global(v, 10) for v in vectors[::50]] == hits
    assert np.array_equal(_graph(later), _graph(scratch))
    later.save_global()  # now 700: written again, and loaded whole by the next one
    again = _index(vectors, cache)
    assert np.array_equal(_graph(again), _graph(scratch)) and again._saved == 700


@pytest.mark.parametrize("change", ["order", "vector", "fewer", "garbage", "truncated",
                                    "ef_construction", "faiss"])
def test_a_cache_that_does_not_match_is_ignored(tmp_path, caplog, monkeypatch,
                                                change: str) -> None:
    import faiss

    vectors = _vectors(300)
    cache = tmp_path / "store.db.ann-cache"
    built = _index(vectors, cache)
    if change == "ef_construction":  # a graph built with other settings
        built = TimeBucketedIndex(DIM, 30, ef_construction=40, cache=cache)
        for i, v in enumerate(vectors):
            built.add(f"a{i}", v, T0 + timedelta(days=i % 90))
    built.search_global(vectors[0], 3)
    built.save_global()
    assert cache.exists()
    keys = [f"a{i}" for i in range(300)]
    if change == "order":  # the same vectors under other keys
        keys[3], keys[4] = keys[4], keys[3]
    elif change == "vector":  # an article's vector is not the one the graph holds
        vectors = vectors.copy()
        vectors[7] = _vectors(1, seed=9)[0]
    elif change == "fewer":  # the cache holds more than this index will ever be given
        vectors, keys = vectors[:200], keys[:200]
    elif change == "garbage":
        cache.write_bytes(b"not a graph at all")
    elif change == "truncated":
        cache.write_bytes(cache.read_bytes()[:5000])
    elif change == "faiss":  # written by another faiss, which may build graphs otherwise
        monkeypatch.setattr(faiss, "__version__", "0.0.1")
    with caplog.at_level(logging.INFO, logger="newsweave.stages.ann"):
        later = _index(vectors, cache, keys)
        got = _graph(later)
    assert "loaded the cached graph" not in caplog.text
    assert np.array_equal(got, _graph(_index(vectors, keys=keys)))


def test_no_cache_file_without_a_global_index(tmp_path) -> None:
    cache = tmp_path / "x.ann-cache"
    idx = TimeBucketedIndex(DIM, 30, global_index=False, cache=cache)
    idx.add("a", _vectors(1)[0], T0)
    idx.save_global()
    assert not cache.exists() and idx.search_global(_vectors(1)[0], 3) == []


def test_a_small_graph_is_not_cached(tmp_path, monkeypatch) -> None:
    from newsweave.stages import ann

    monkeypatch.setattr(ann, "CACHE_MIN", 301)
    cache = tmp_path / "small.ann-cache"
    idx = _index(_vectors(300), cache)
    idx.search_global(_vectors(1)[0], 3)
    idx.save_global()
    assert not cache.exists()
    idx.add("one-more", _vectors(1, seed=5)[0], T0)
    idx.save_global()
    assert cache.exists()
