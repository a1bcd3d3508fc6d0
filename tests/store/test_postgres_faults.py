"""Faults on a real server: the PostgreSQL server stops in the middle of an ingest batch."""
from __future__ import annotations

from pathlib import Path

import pytest

from newsweave.config import Settings
from newsweave.errors import StoreError
from newsweave.pipeline import ingest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
INPUTS = [str(EXAMPLES / "seeds"), str(EXAMPLES / "wikinews" / "wikinews.jsonl")]


class _HaltMidway(list):
    """A batch that stops the server after handing out ``after`` of its articles."""

    def __init__(self, items: list, after: int, halt) -> None:
        super().__init__(items)
        self.after, self.halt = after, halt

    def __iter__(self):
        for i, a in enumerate(list.__iter__(self)):
            if i == self.after:
                self.halt()
            yield a


def test_server_stops_mid_batch_then_rerun_finishes_without_duplicates(pg_database, pg_server,
                                                                       tmp_path):
    from newsweave.store.postgres import PostgresStore
    from newsweave.store.sqlite import SQLiteStore

    settings = Settings(batch_size=10, enrich=False, group=False)
    # what a clean run stores, for comparison
    ref = SQLiteStore(tmp_path / "ref.db")
    clean = ingest(INPUTS, ref, settings)
    assert len(clean.stored) > 25 and not clean.failed

    store = PostgresStore(pg_database())
    real_add, calls = store.add_articles, []

    def add_articles(batch):
        calls.append(len(batch))
        if len(calls) == 3:  # the third batch: 4 articles written, then the server goes away
            batch = _HaltMidway(batch, 4, pg_server.halt)
        return real_add(batch)

    store.add_articles = add_articles
    with pytest.raises(StoreError) as e:
        ingest(INPUTS, store, settings)
    message = str(e.value)
    assert "batch not stored" in message and "lost the connection" in message, message
    assert "password" not in message

    pg_server.resume()
    # The same store object carries on: its pool replaces the connections the restart broke.
    assert store.count_articles() == 20  # the two committed batches, nothing of the third
    assert store.stats().duplicates == 0
    rerun = ingest(INPUTS, store, settings)
    assert not rerun.failed
    assert len(rerun.unchanged) == 20 and rerun.duplicates == clean.duplicates
    assert sorted(rerun.stored + rerun.unchanged) == sorted(clean.stored)
    assert store.count_articles() == ref.count_articles()
    assert [a.id for a in store.list_articles(limit=1000)] == \
        [a.id for a in ref.list_articles(limit=1000)]
    assert store.stats().duplicates == ref.stats().duplicates
    # and again: nothing changes
    again = ingest(INPUTS, store, settings)
    assert again.stored == [] and sorted(again.unchanged) == sorted(clean.stored)
    store.close()
    ref.close()
