"""Grouping through the pipeline: the seeds' event, copies, determinism, export contract."""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone

from typer.testing import CliRunner

from newsweave.cli import app
from newsweave.config import Settings
from newsweave.models import RawItem
from newsweave.pipeline import ingest_items, regroup_store
from newsweave.store import open_store

SEEDS = {"000_91d4f52043ef8cf0", "004_d179e931f6170d12"}


def run(db, *args):
    return CliRunner().invoke(app, ["--db", str(db), *args])


def _seed_event(db):
    store = open_store(db)
    try:
        eid, _ = store.event_of_article("004_d179e931f6170d12")
        return store.get_event(eid)
    finally:
        store.close()


def test_seeds_form_one_event_and_nothing_else_joins(demo_db):
    ev = _seed_event(demo_db)
    assert set(ev.article_ids) == SEEDS
    assert ev.n_sources == 2


def test_events_list_and_detail(demo_db):
    rows = json.loads(run(demo_db, "events", "--limit", "100", "--format", "json").stdout)
    assert sum(r["articles"] for r in rows) == 42
    # Listed by their newest article, which the list shows beside the first day.
    latest = [r["latest"] for r in rows]
    assert latest == sorted(latest, reverse=True)
    assert all(r["date"] <= r["latest"] for r in rows if r["date"])
    assert any(r["date"] < r["latest"] for r in rows)  # the demo has running events
    ev = _seed_event(demo_db)
    d = json.loads(run(demo_db, "event", ev.id, "--format", "json").stdout)
    assert {a["id"] for a in d["articles"]} == SEEDS
    assert d["first_reporter"]["id"] in SEEDS
    assert run(demo_db, "event", "ev_nope").exit_code == 1
    head = run(demo_db, "event", ev.id).stdout.splitlines()[1]
    assert head == f"{ev.id} · {ev.date} · 2 articles · 2 independent sources · en", head


def test_export_contract(demo_db):
    lines = [json.loads(x) for x in run(demo_db, "export", "events").stdout.splitlines()]
    assert lines and all(set(x) == {"id", "title", "date", "articles", "story_id"} for x in lines)
    arts = [a for x in lines for a in x["articles"]]
    assert len(arts) == 42
    assert all(set(a) == {"id", "outlet", "published", "language", "title", "copy_of"} for a in arts)


def test_report_json_of_the_seeds(demo_db, tmp_path):
    ev = _seed_event(demo_db)
    out = tmp_path / "r.json"
    r = run(demo_db, "report", ev.id, "--format", "json", "-o", str(out))
    assert r.exit_code == 0, r.output
    rep = json.loads(out.read_text())
    assert {"id", "title", "record", "summary", "claims", "conflicts", "quotes", "coverage",
            "articles"} <= set(rep)
    who = {w["name"] for w in rep["record"]["who"]}
    assert {"Vladimir Putin", "Li Shangfu"} <= who
    assert rep["record"]["when"]["date"] == "2023-04-16"
    assert any(w["name"] == "Moscow" for w in rep["record"]["where"])
    text = json.dumps(rep)
    for junk in ("Spread the love", "I subscribe", "Website | + posts"):
        assert junk not in text


def test_recluster_is_deterministic(demo_db, tmp_path):
    db = tmp_path / "copy.db"
    shutil.copy(demo_db, db)
    before = json.loads(run(db, "export", "events", "--format", "json").stdout)
    assert run(db, "recluster").exit_code == 0
    after = json.loads(run(db, "export", "events", "--format", "json").stdout)
    assert before == after


def test_copies_undated_and_textless_items(tmp_path):
    store = open_store(tmp_path / "g.db")
    base = ("Heavy rain flooded the old town of Porto on Tuesday, and firefighters evacuated "
            "forty residents from riverside houses as the Douro rose above its banks. The mayor "
            "said the city would open two shelters and asked people to avoid the quays. ")
    t0 = datetime(2024, 3, 5, 9, tzinfo=timezone.utc)
    items = [
        RawItem(source="t:1", kind="record", content=base * 3, id="orig", title="Porto floods",
                outlet="Wire", published=t0),
        RawItem(source="t:2", kind="record", content=base * 3 + "Reporting by a wire agency.",
                id="copy", title="Porto floods: residents evacuated", outlet="Paper",
                published=t0.replace(hour=11)),
        RawItem(source="t:3", kind="record", content="A chess club in Oslo elected a new chair "
                "after a long meeting about membership fees and tournament rules.", id="undated",
                title="Chess club vote"),
    ]
    report = ingest_items(items, store, Settings(db=str(tmp_path / "g.db")))
    assert not report.failed and len(report.stored) == 3
    eid, copy_of = store.event_of_article("copy")
    assert copy_of == "orig" and store.event_of_article("orig")[0] == eid
    ev = store.get_event(eid)
    assert ev.n_sources == 1  # a copy is not an independent source
    undated = store.get_event(store.event_of_article("undated")[0])
    assert any("no date" in f or "no publication date" in f for f in undated.flags)
    g = regroup_store(store, Settings())
    assert len(g.events) == 2
    store.close()


def test_undated_article_finds_its_event_despite_later_news(tmp_path):
    """An undated account joins its event even when later-dated stories exist (its placement in
    time is unknown, so its candidates are not limited to one time window)."""
    store = open_store(tmp_path / "u.db")
    t0 = datetime(2023, 4, 16, 9, tzinfo=timezone.utc)
    items = [
        RawItem(source="t:a", kind="record", id="dated", outlet="Wire A", published=t0,
                title="Chinese defence minister Li Shangfu meets Putin in Moscow",
                content="Chinese Defence Minister Li Shangfu met Russian President Vladimir Putin in "
                        "Moscow on Sunday to discuss military cooperation. Putin said the two "
                        "countries hold joint exercises and share information regularly. Li said "
                        "relations had entered a new era."),
        RawItem(source="t:b", kind="record", id="undated", outlet="Paper B",
                title="Putin receives China's defence minister Li Shangfu",
                content="Russian President Vladimir Putin received Chinese Defence Minister Li "
                        "Shangfu at the Kremlin in Moscow, where they discussed military "
                        "cooperation and joint exercises. Li told Putin that ties between Moscow "
                        "and Beijing had entered a new era."),
        RawItem(source="t:c", kind="record", id="later", outlet="Wire C",
                published=t0.replace(year=2024), title="Storm floods Porto riverside",
                content="Heavy rain flooded the riverside of Porto on Tuesday and firefighters "
                        "evacuated forty residents as the Douro burst its banks."),
    ]
    assert not ingest_items(items, store, Settings(db=str(tmp_path / "u.db"))).failed
    assert store.event_of_article("undated")[0] == store.event_of_article("dated")[0]
    assert store.event_of_article("later")[0] != store.event_of_article("dated")[0]
    store.close()
