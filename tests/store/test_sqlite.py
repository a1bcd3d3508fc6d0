"""The SQLite store passes the shipped conformance suite, plus SQLite-specific checks."""
from __future__ import annotations

import sqlite3

import pytest

from newsweave.errors import StoreError
from newsweave.store import open_store
from newsweave.store.sqlite import SQLiteStore, migrations
from newsweave.testing import StoreConformance, make_article


class TestSQLiteStore(StoreConformance):
    @pytest.fixture
    def store_factory(self, tmp_path):
        return lambda: SQLiteStore(tmp_path / "t.db")


def test_wal_foreign_keys_and_migrations(tmp_path):
    s = SQLiteStore(tmp_path / "w.db")
    assert s._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert s._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert s.schema_version() == max(n for n, _, _ in migrations())
    s.close()
    # reopening applies nothing twice
    s = SQLiteStore(tmp_path / "w.db")
    assert s._conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == len(migrations())
    s.close()


def test_open_store_urls(tmp_path):
    s = open_store(f"sqlite:///{tmp_path}/u.db")
    s.add_articles([make_article("a")])
    s.close()
    assert (tmp_path / "u.db").exists()


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        open_store(tmp_path / "no" / "such" / "x.db")


def test_not_a_database_is_a_clear_error(tmp_path):
    p = tmp_path / "junk.db"
    p.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="junk.db"):
        open_store(p)


def test_interrupted_batch_leaves_nothing(tmp_path):
    """A Ctrl-C in the middle of a batch rolls the whole batch back."""
    s = SQLiteStore(tmp_path / "i.db")
    s.add_articles([make_article("kept")])

    class Boom(list):
        def __iter__(self):
            yield make_article("half1", text="one")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        s.add_articles(Boom())
    assert [a.id for a in s.list_articles()] == ["kept"]
    s.close()
    raw = sqlite3.connect(tmp_path / "i.db")
    assert raw.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0] == 1


def test_cache_path_names_a_file_beside_the_database(tmp_path):
    s = SQLiteStore(tmp_path / "news.db")
    assert s.cache_path("ann-cache") == tmp_path / "news.db.ann-cache"
    s.close()
    assert SQLiteStore(":memory:").cache_path("ann-cache") is None
