"""Sentence vectors stored at ingest: an event's report reads them instead of embedding, and
re-embeds (and stores again) only what is missing, stale or unreadable."""
from __future__ import annotations

import shutil
import sqlite3

import numpy as np
import pytest

import newsweave.report as report_module
from newsweave.queries import event_report
from newsweave.report import build_report, sentence_vectors
from newsweave.stages.sentvec import report_sentences, sentences_key
from newsweave.store import open_store

from .test_grouping import _seed_event


@pytest.fixture
def store(demo_db, tmp_path):
    db = tmp_path / "copy.db"
    shutil.copy(demo_db, db)
    s = open_store(db)
    yield s
    s.close()


class Embeds:
    """The report's encoder, counting what it is asked to embed."""

    def __init__(self, real) -> None:
        self.real, self.texts = real, []

    def __call__(self, texts):
        self.texts += list(texts)
        return self.real(texts)


@pytest.fixture
def embeds(monkeypatch):
    e = Embeds(report_module._default_embed)
    monkeypatch.setattr(report_module, "_default_embed", e)
    return e


def test_ingest_stores_every_article_s_report_sentence_vectors(store):
    ids = [a.id for a in store.list_articles(limit=100)]
    stored = store.load_sentence_vectors(ids)
    assert sorted(stored) == sorted(ids)
    for aid in ids:
        enr = store.get_enrichment(aid)
        sv = stored[aid]
        assert sv.key == sentences_key(enr) and sv.indexes == report_sentences(enr)
        assert sv.vectors.shape == (len(sv.indexes), 512)
        assert np.allclose(np.linalg.norm(sv.vectors, axis=1), 1.0, atol=1e-3)


def test_a_report_embeds_nothing_when_the_vectors_are_stored(store, demo_db, embeds):
    eid = _seed_event(demo_db).id
    rep = event_report(store, eid)
    assert embeds.texts == []
    # the same report as one built from freshly embedded (float32) vectors
    ev = store.get_event(eid)
    arts = [store.get_article(i) for i in ev.article_ids]
    enr = {a.id: store.get_enrichment(a.id) for a in arts}
    fresh = build_report(eid, arts, enr, vectors=sentence_vectors(enr),
                         copies=store.copies_in_event(eid), title=ev.title)
    assert [s.text for s in rep.summary] == [s.text for s in fresh.summary]
    assert [c.text for c in rep.claims] == [c.text for c in fresh.claims]
    assert len(rep.quotes) == len(fresh.quotes)


def test_missing_stale_or_unreadable_vectors_are_embedded_once_and_kept(store, demo_db, embeds):
    eid = _seed_event(demo_db).id
    first, second = store.get_event(eid).article_ids[:2]
    con = sqlite3.connect(store.path)
    with con:
        con.execute("DELETE FROM sentence_vectors WHERE article_id = ?", (first,))
        con.execute("UPDATE sentence_vectors SET data = x'0102' WHERE article_id = ?", (second,))
    con.close()
    event_report(store, eid)
    wanted = {store.get_enrichment(a).sentences[i].text for a in (first, second)
              for i in report_sentences(store.get_enrichment(a))}
    assert set(embeds.texts) == wanted
    kept = store.load_sentence_vectors([first, second])
    assert sorted(kept) == sorted([first, second])
    embeds.texts.clear()
    event_report(store, eid)
    assert embeds.texts == []


def test_enrich_fills_in_the_vectors_a_store_lacks(store):
    from typer.testing import CliRunner

    from newsweave.cli import app

    ids = [a.id for a in store.list_articles(limit=100)]
    con = sqlite3.connect(store.path)
    with con:
        con.execute("DELETE FROM sentence_vectors WHERE article_id IN (?, ?, ?)", ids[:3])
    con.close()
    assert sorted(store.articles_without_sentence_vectors()) == sorted(ids[:3])
    r = CliRunner().invoke(app, ["--db", str(store.path), "enrich"])
    assert r.exit_code == 0, r.output
    assert "0 articles enriched; report sentence vectors stored for 3 articles" in r.output
    assert store.articles_without_sentence_vectors() == []
    assert sorted(store.load_sentence_vectors(ids)) == sorted(ids)
    r = CliRunner().invoke(app, ["--db", str(store.path), "enrich"])
    assert r.output.strip() == "0 articles enriched"
