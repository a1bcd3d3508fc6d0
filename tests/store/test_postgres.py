"""The PostgreSQL store passes the shipped conformance suite on a real server, plus its own checks.

The server comes from scripts/pg-test-server.sh (see conftest.py); each test gets a fresh database.
"""
from __future__ import annotations

import pytest

from newsweave.errors import StoreError
from newsweave.store import open_store
from newsweave.testing import StoreConformance, make_article


class TestPostgresStore(StoreConformance):
    @pytest.fixture
    def store_factory(self, pg_database):
        from newsweave.store.postgres import PostgresStore

        dsn = pg_database()
        return lambda: PostgresStore(dsn)


@pytest.fixture
def pg_store(pg_database):
    from newsweave.store.postgres import PostgresStore

    s = PostgresStore(pg_database())
    yield s
    s.close()


def test_open_store_url_and_migrations(pg_database):
    from newsweave.store.postgres import PostgresStore, migrations

    dsn = pg_database()
    s = open_store(dsn)
    assert isinstance(s, PostgresStore)
    assert s.schema_version() == max(n for n, _, _ in migrations())
    s.add_articles([make_article("a")])
    s.close()
    s = open_store(dsn)  # reopening applies nothing twice
    assert s._query("SELECT COUNT(*) AS n FROM schema_migrations")[0]["n"] == len(migrations())
    assert s.count_articles() == 1
    s.close()


def test_schema_uses_postgres_types(pg_store):
    cols = {(r["table_name"], r["column_name"]): r["udt_name"] for r in pg_store._query(
        "SELECT table_name, column_name, udt_name FROM information_schema.columns "
        "WHERE table_schema = 'public'")}
    assert cols["articles", "published"] == "timestamptz"
    assert cols["articles", "notes"] == "jsonb"
    assert cols["articles", "fts"] == "tsvector"
    assert cols["article_features", "vector"] == "vector"
    indexes = {r["indexname"]: r["indexdef"] for r in pg_store._query(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")}
    assert "USING gin (fts)" in indexes["articles_fts"]
    assert "USING hnsw (vector vector_cosine_ops)" in indexes["article_features_vector"]


def test_wrong_password_is_a_clear_error_without_the_password(pg_dsn):
    from urllib.parse import urlsplit, urlunsplit

    u = urlsplit(pg_dsn)
    bad = urlunsplit(u._replace(netloc=f"{u.username}:not-the-password-42@{u.hostname}:{u.port}"))
    with pytest.raises(StoreError, match="cannot open store postgresql://") as e:
        open_store(bad)
    assert "not-the-password-42" not in str(e.value)


def test_no_server_is_a_clear_error():
    with pytest.raises(StoreError, match="cannot open store .*127.0.0.1:1/"):
        open_store("postgresql://nobody:secret@127.0.0.1:1/nothing")


def test_search_snippets_mark_matches_like_sqlite(pg_store):
    pg_store.add_articles([make_article("h", title="Talks", text="Li Shangfu and Vladimir Putin "
                                        "met in Moscow on Sunday to discuss military cooperation.")])
    hit = pg_store.search("putin moscow")[0]
    assert "[Putin]" in hit.snippet and "[Moscow]" in hit.snippet
    assert pg_store.search("путин") == []
    pg_store.add_articles([make_article("ru", text="Путин встретился с Ли Шанфу в Москве.")])
    assert [h.id for h in pg_store.search("ПУТИН")] == ["ru"]  # case-folded beyond ASCII


def test_nearest_articles_uses_the_hnsw_index(pg_store):
    import numpy as np

    from newsweave.models import StoredFeatures

    rng = np.random.default_rng(3)
    vecs = rng.normal(size=(300, 512)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    pg_store.add_articles([make_article(f"v{i:03d}", text=f"text {i}") for i in range(300)])
    pg_store.save_features([StoredFeatures(f"v{i:03d}", v, v, {}, []) for i, v in enumerate(vecs)])
    with pg_store._pool.connection() as conn:
        conn.execute("ANALYZE article_features")
    got = pg_store.nearest_articles(vecs[42], 5)
    assert got[0][0] == "v042" and got[0][1] == pytest.approx(1.0, abs=1e-5)
    exact = np.argsort(-(vecs @ vecs[42]))[:5]
    assert [i for i, _ in got] == [f"v{j:03d}" for j in exact]
    with pg_store._pool.connection() as conn:
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(r["QUERY PLAN"] for r in conn.execute(
            "EXPLAIN SELECT article_id FROM article_features ORDER BY vector <=> %s::float4[]::vector "
            "LIMIT 5", (vecs[0].tolist(),)).fetchall())
        conn.execute("RESET enable_seqscan")
    assert "article_features_vector" in plan


def test_interrupted_batch_leaves_nothing(pg_store):
    """A Ctrl-C in the middle of a batch rolls the whole batch back."""
    pg_store.add_articles([make_article("kept")])

    class Boom(list):
        def __iter__(self):
            yield make_article("half1", text="one")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pg_store.add_articles(Boom())
    assert [a.id for a in pg_store.list_articles()] == ["kept"]
    assert pg_store.add_articles([make_article("after", text="still works")]).stored == ["after"]


def test_missing_driver_names_the_extra(monkeypatch):
    """Without psycopg installed, open_store says which extra to install (no server needed)."""
    import sys

    from newsweave.errors import MissingDependency

    monkeypatch.setitem(sys.modules, "psycopg", None)  # makes `import psycopg` fail
    with pytest.raises(MissingDependency, match=r"newsweave\[postgres\]"):
        open_store("postgresql://u:p@127.0.0.1:5432/x")
