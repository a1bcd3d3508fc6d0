"""Copying a whole store (SQLite -> PostgreSQL and back) loses nothing."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from typing import Any

import pytest
from typer.testing import CliRunner

from newsweave.cli import app
from newsweave.errors import StoreError
from newsweave.store import open_store
from newsweave.store.migrate import migrate_store
from newsweave.store.sqlite import SQLiteStore
from newsweave.testing import make_article


def snapshot(store: Any) -> dict[str, Any]:
    """Everything a store holds, through the protocol, in comparable form."""
    articles = list(store.iter_stored_articles())
    ids = [a.id for a in articles]
    n_events = store.count_events()
    events = store.list_events(limit=n_events + 1, min_articles=0)
    return {
        "articles": articles,
        "listed": [a.id for a in store.list_articles(limit=len(ids) + 1)],
        "by_date": [a.id for a in store.iter_articles()],
        "duplicates": store.iter_duplicates(),
        "duplicates_of": {i: store.duplicates_of(i) for i in ids},
        "entities": store.all_entities(),
        # ties (same count and name) come in no defined order
        "top_entities": sorted(store.list_entities(limit=1000),
                               key=lambda e: (-e.article_count, e.name, e.id)),
        "entity_articles": {e.id: store.entity_article_ids(e.id) for e in store.all_entities()},
        "enrichments": {i: store.get_enrichment(i) for i in ids},
        "unenriched": store.unenriched_article_ids(),
        "features": [(f.article_id, f.vector.tolist(), f.lead.tolist(), f.lexical, f.entities)
                     for f in store.load_features()],
        "without_features": store.articles_without_features(),
        "events": events,
        "copies": {e.id: store.copies_in_event(e.id) for e in events},
        "event_of": {i: store.event_of_article(i) for i in ids},
        "stories": store.list_stories(limit=1000),
        "feeds": store.iter_feed_states(),
        "stats": store.stats(),
    }


def assert_same(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert a[k] == b[k], f"{k} differs after migration"


@pytest.fixture
def demo_src(demo_db, tmp_path):
    """A copy of the demo store (seeds + Wikinews, enriched and grouped by the CLI), with a
    recorded duplicate and feed state added so that every kind of row is there."""
    db = tmp_path / "src.db"
    for suffix in ("", "-wal", "-shm"):
        if demo_db.with_name(demo_db.name + suffix).exists():
            shutil.copy(demo_db.with_name(demo_db.name + suffix), db.with_name(db.name + suffix))
    s = SQLiteStore(db)
    first = next(iter(s.iter_stored_articles()))
    dup = make_article("dup-of-first", text=first.text + "  ", source="feed:copy")
    assert s.add_articles([dup]).duplicates == [("dup-of-first", first.id)]
    s.set_feed_state("https://ex.org/feed.xml", '"v1"', "Mon, 17 Apr 2023 10:00:00 GMT",
                     datetime(2023, 4, 17, 10, 5, tzinfo=timezone.utc), None)
    s.set_feed_state("https://ex.org/broken.xml", None, None,
                     datetime(2023, 4, 17, 10, 6, tzinfo=timezone.utc), "HTTP 503")
    before = snapshot(s)
    assert before["events"] and before["entities"] and before["features"]
    s.close()
    return db, before


def test_sqlite_to_sqlite_loses_nothing(demo_src, tmp_path):
    db, before = demo_src
    src, dst = SQLiteStore(db), SQLiteStore(tmp_path / "copy.db")
    rep = migrate_store(src, dst)
    assert rep.articles == len(before["articles"]) and rep.duplicates == 1 and rep.feeds == 2
    assert_same(snapshot(dst), before)
    # running it again (as after an interrupted run) changes nothing
    migrate_store(src, dst)
    assert_same(snapshot(dst), before)
    src.close()
    dst.close()


def test_refuses_a_destination_with_other_articles(demo_src, tmp_path):
    db, _ = demo_src
    dst = SQLiteStore(tmp_path / "other.db")
    dst.add_articles([make_article("someone-else", text="not in the source")])
    with pytest.raises(StoreError, match="migrate into an empty store"):
        migrate_store(SQLiteStore(db), dst)
    dst.close()


def test_cli_migrate_to_postgres_and_back(demo_src, pg_database, tmp_path):
    db, before = demo_src
    dsn = pg_database()
    r = CliRunner().invoke(app, ["--db", f"sqlite:///{db}", "migrate-to", dsn])
    assert r.exit_code == 0, r.output
    assert f"copied {len(before['articles'])} articles, 1 duplicates" in r.output
    pg = open_store(dsn)
    try:
        assert_same(snapshot(pg), before)
        # the copy is a working store: search, nearest neighbours
        seed = before["articles"][0]
        assert seed.id in [h.id for h in pg.search(seed.title, limit=5)]
        vec = next(f for f in pg.load_features() if f.article_id == seed.id).vector
        assert pg.nearest_articles(vec, 1)[0][0] == seed.id
    finally:
        pg.close()
    back = tmp_path / "back.db"
    r = CliRunner().invoke(app, ["--db", dsn, "migrate-to", str(back)])
    assert r.exit_code == 0, r.output
    s = SQLiteStore(back)
    assert_same(snapshot(s), before)
    s.close()
