"""On PostgreSQL, regrouping searches its candidates in pgvector's HNSW index and finds the events
the in-process index finds on the same stored features (the demo store, migrated)."""
from __future__ import annotations

from newsweave.config import Settings
from newsweave.pipeline import regroup_store
from newsweave.store import open_store
from newsweave.store.migrate import migrate_store
from newsweave.store.sqlite import SQLiteStore
from test_grouping_store_index import _copy, _memberships


def test_regroup_on_postgres_searches_pgvector_and_agrees(demo_db, pg_database, tmp_path):
    src = SQLiteStore(_copy(demo_db, tmp_path))
    pg = open_store(pg_database())
    try:
        assert pg.vector_index and not src.vector_index
        migrate_store(src, pg)
        expected = _memberships(src)
        calls = []
        real = pg.nearest_articles
        pg.nearest_articles = lambda *a, **kw: calls.append(1) or real(*a, **kw)
        regroup_store(pg, Settings(db="postgresql://unused"))
        assert calls, "the clusterer did not search the store's index"
        assert _memberships(pg) == expected
    finally:
        src.close()
        pg.close()
