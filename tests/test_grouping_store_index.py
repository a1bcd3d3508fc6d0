"""Candidate search through the store's vector index (ann.StoreIndex) groups like the in-process one.

On PostgreSQL the clusterer asks pgvector's HNSW index for candidates (issue 7; that store is tested
in tests/store/test_postgres_candidates.py); the events must be those the in-process faiss indexes
give on the same stored features.
"""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from newsweave.stages.ann import StoreIndex
from newsweave.stages.group import Grouper
from newsweave.store.sqlite import SQLiteStore


class CountingIndexStore:
    """A store that claims a vector index and counts the nearest-neighbour searches."""

    vector_index = True

    def __init__(self, inner) -> None:
        self.inner = inner
        self.searches = 0

    def nearest_articles(self, *a, **kw):
        self.searches += 1
        return self.inner.nearest_articles(*a, **kw)


def _copy(demo_db, tmp_path):
    db = tmp_path / "copy.db"
    for suffix in ("", "-wal", "-shm"):
        src = demo_db.with_name(demo_db.name + suffix)
        if src.exists():
            shutil.copy(src, db.with_name(db.name + suffix))
    return db


def _memberships(store) -> set[frozenset[str]]:
    n = store.count_events()
    return {frozenset(e.article_ids) for e in store.list_events(limit=n + 1, min_articles=0)}


def test_store_index_gives_the_in_process_events(demo_db, tmp_path):
    s = SQLiteStore(_copy(demo_db, tmp_path))
    try:
        arts = list(s.iter_articles())
        feats = {f.article_id: f for f in s.load_features()}
        types = {e.id: e.type for e in s.all_entities()}
        own = Grouper().group(arts, feats, types)
        proxy = CountingIndexStore(s)
        through_store = Grouper().group(arts, feats, types, proxy)
    finally:
        s.close()
    assert proxy.searches > 0
    assert {frozenset(e.article_ids) for e in through_store.events} == \
        {frozenset(e.article_ids) for e in own.events}
    assert through_store.copies == own.copies


def test_store_index_only_returns_placed_articles(demo_db, tmp_path):
    s = SQLiteStore(_copy(demo_db, tmp_path))
    try:
        f = s.load_features()[0]
        idx = StoreIndex(s, len(f.vector), 30.0)
        assert idx.search(f.vector, 5, None) == []  # nothing placed yet
        idx.add(f.article_id, f.vector, None)
        hits = idx.search(f.vector, 5, None)
        assert hits[0][0] == f.article_id and abs(hits[0][1] - 1.0) < 1e-5
        assert np.allclose(idx.vector(f.article_id), f.vector)
        assert not idx.vector("unknown").any()
    finally:
        s.close()


@pytest.mark.parametrize("rebuilt", [False, True], ids=["kept", "rebuilt"])
def test_later_articles_extend_a_grouping_through_the_store_index(demo_db, tmp_path, rebuilt):
    # A grouping whose candidates come from the store (PostgreSQL's case) takes later articles
    # as a replay of everything would: the one a long-running process kept, or the one a new
    # process rebuilds from the stored memberships (without a single search).
    s = SQLiteStore(_copy(demo_db, tmp_path))
    try:
        arts = sorted(s.iter_articles(), key=lambda a: (a.published or a.ingested_at, a.id))
        feats = {f.article_id: f for f in s.load_features()}
        types = {e.id: e.type for e in s.all_entities()}
        proxy = CountingIndexStore(s)
        whole = Grouper().group(arts, feats, types, proxy)
        g = Grouper().group(arts[:30], feats, types, proxy)
        searches = proxy.searches
        state = g.state
        if rebuilt:
            membership = {a: (e.id, g.copies.get(a)) for e in g.events for a in e.article_ids}
            state = Grouper().restore(arts[:30], feats, membership, types, proxy)
            assert state is not None and proxy.searches == searches
        g = Grouper().extend(state, arts[30:], feats, types)
    finally:
        s.close()
    assert g is not None and proxy.searches > searches
    assert {(e.id, frozenset(e.article_ids)) for e in g.events} == \
        {(e.id, frozenset(e.article_ids)) for e in whole.events}
    assert g.copies == whole.copies
