"""Grouping through the pipeline: the seeds' event, copies, determinism, export contract."""
from __future__ import annotations

import json
import logging
import shutil
from datetime import datetime, timedelta, timezone

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
    # Events naming an entity, given by name: the seeds' meeting names Li Shangfu.
    named = json.loads(run(demo_db, "events", "--entity", "Li Shangfu", "--format", "json").stdout)
    assert ev.id in {r["id"] for r in named} and len(named) < len(rows)
    r = run(demo_db, "events", "--entity", "Nobody Atall")
    assert r.exit_code == 2 and "no entity called 'Nobody Atall'" in r.output


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


def test_recluster_at_a_stricter_event_threshold_gives_tighter_events(demo_db, tmp_path):
    db = tmp_path / "copy.db"
    shutil.copy(demo_db, db)

    def sizes():
        rows = json.loads(run(db, "export", "events", "--format", "json").stdout)
        assert sum(len(r["articles"]) for r in rows) == 42
        return sorted((len(r["articles"]) for r in rows), reverse=True)

    fitted = sizes()
    assert run(db, "recluster", "--event-threshold", "0.99").exit_code == 0
    strict = sizes()
    assert len(strict) > len(fitted) and strict[0] <= fitted[0]
    assert run(db, "recluster").exit_code == 0  # the setting, not the flag, lasts
    assert sizes() == fitted
    r = run(db, "recluster", "--event-threshold", "1")
    assert r.exit_code == 2 and "between 0 and 1" in r.output
    assert sizes() == fitted  # nothing rebuilt


def test_a_kept_grouping_is_not_extended_at_another_threshold(tmp_path):
    """A process that kept its grouping (`watch`, the API) builds on it only when the new
    run's event threshold is the one it was built with."""
    from newsweave.stages.group import Grouper

    g = Grouper()
    state = g.group([], {}, {})
    assert state.state is not None and g.built_like(state.state)
    assert not Grouper(threshold=0.9).built_like(state.state)
    assert Grouper(threshold=0.9).group([], {}, {}).state.clusterer.threshold == 0.9


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


def test_languages_without_spaces_or_entity_models(tmp_path):
    """Japanese, Korean and Chinese articles (no entity model, no spaces between words) are stored
    and grouped: the two Japanese accounts of one press conference form one event."""
    store = open_store(tmp_path / "cjk.db")
    t0 = datetime(2024, 3, 6, 9, tzinfo=timezone.utc)
    ja = ("岸田文雄首相は水曜日、東京の首相官邸で記者会見を開き、新たな経済対策を発表した。"
          "首相は物価高騰への対応として、家計への支援を拡充する方針を示した。")
    items = [
        RawItem(source="t:ja1", kind="record", id="ja1", outlet="A", published=t0,
                title="岸田首相、経済対策を発表", content=ja + "政府は来月にも補正予算案を国会に提出する。"),
        RawItem(source="t:ja2", kind="record", id="ja2", outlet="B", published=t0.replace(hour=11),
                title="首相が記者会見　家計支援を拡充", content=ja + "野党は対策の規模が不十分だと批判している。"),
        RawItem(source="t:ko", kind="record", id="ko", outlet="C", published=t0,
                title="LG 트윈스, 한국시리즈 우승",
                content="LG 트윈스가 수요일 서울 잠실야구장에서 열린 한국시리즈 5차전에서 KT 위즈를 "
                        "6대2로 꺾고 29년 만에 우승을 차지했다. 선발 투수는 7이닝 동안 무실점으로 호투했다."),
        RawItem(source="t:zh", kind="record", id="zh", outlet="D", published=t0,
                title="台风袭击广东沿海",
                content="强台风周三在广东沿海登陆，当地政府紧急转移了数万名居民。气象部门预计"
                        "台风将在未来两天继续带来强降雨，多个城市停课停工。"),
    ]
    report = ingest_items(items, store, Settings(db=str(tmp_path / "cjk.db")))
    assert not report.failed and len(report.stored) == 4
    assert store.event_of_article("ja1")[0] == store.event_of_article("ja2")[0]
    assert len({store.event_of_article(i)[0] for i in ("ja1", "ko", "zh")}) == 3
    store.close()


def test_an_article_whose_features_fail_is_reported_and_kept(tmp_path, monkeypatch):
    """A featurisation that raises on one article (e.g. a missing tokenizer) fails that article
    at the group stage by name; the others are grouped, and the next grouping retries it."""
    from newsweave.stages.group import Grouper

    real = Grouper.featurize

    def featurize(self, arts, ents):
        if any(a.id == "bad" for a in arts):
            raise RuntimeError("tokenizer exploded")
        return real(self, arts, ents)

    monkeypatch.setattr(Grouper, "featurize", featurize)
    store = open_store(tmp_path / "f.db")
    t0 = datetime(2024, 3, 5, 9, tzinfo=timezone.utc)
    text = ("Heavy rain flooded the old town of Porto on Tuesday, and firefighters evacuated forty "
            "residents from riverside houses as the Douro rose above its banks.")
    items = [RawItem(source=f"t:{i}", kind="record", content=text + extra, id=i,
                     title="Porto floods", outlet=i, published=t0)
             for i, extra in (("good", " The mayor opened two shelters."),
                              ("bad", " Residents were told to avoid the quays."))]
    report = ingest_items(items, store, Settings(db=str(tmp_path / "f.db")))
    assert sorted(report.stored) == ["bad", "good"]
    assert [(f.item, f.stage) for f in report.failed] == [("bad", "group")]
    assert "tokenizer exploded" in report.failed[0].reason
    assert store.event_of_article("good")[0] != store.event_of_article("bad")[0]
    assert store.articles_without_features() == ["bad"]
    monkeypatch.setattr(Grouper, "featurize", real)
    g = regroup_store(store, Settings())
    assert not g.failed and not store.articles_without_features()
    assert store.event_of_article("good")[0] == store.event_of_article("bad")[0]
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


def test_a_long_running_process_adds_new_articles_without_replaying(tmp_path, monkeypatch):
    """`watch` and the API server keep the grouping they wrote: the next ingest into the same
    open store adds its articles to it and gives what a recluster gives. A process without a
    grouping of its own (a one-shot `ingest`), or whose grouping another process's write made
    out of date, rebuilds the stored grouping and adds its articles to that: nothing is judged
    again, and the events are still what a recluster gives."""
    from newsweave.stages.group import Grouper

    db = tmp_path / "w.db"
    store, settings = open_store(db), Settings(db=str(db))
    t0 = datetime(2024, 3, 5, 9, tzinfo=timezone.utc)
    porto = ("Heavy rain flooded the old town of Porto on Tuesday, and firefighters evacuated "
             "forty residents from riverside houses as the Douro rose above its banks. ")
    chess = "A chess club in Oslo elected a new chair after a long meeting about fees. "

    def item(i: str, text: str, hours: int) -> RawItem:
        return RawItem(source=f"t:{i}", kind="record", content=text + f"Reported by outlet {i}.",
                       id=i, title=text.split(",")[0], outlet=f"outlet {i}",
                       published=t0 + timedelta(hours=hours))

    assert not ingest_items([item("p1", porto, 0), item("c1", chess, 1)], store, settings).failed
    calls: list[str] = []
    for name in ("group", "restore"):
        real = getattr(Grouper, name)
        monkeypatch.setattr(Grouper, name, lambda self, *a, _real=real, _name=name, **k:
                            calls.append(_name) or _real(self, *a, **k))
    assert not ingest_items([item("p2", porto + "The mayor opened two shelters.", 3)], store,
                            settings).failed
    assert calls == []  # added to the grouping it kept
    assert store.event_of_article("p2")[0] == store.event_of_article("p1")[0]
    other = open_store(db)  # another process ingests into the same file
    ingest_items([item("c2", chess + "The vote was close.", 4)], other, settings)
    other.close()
    assert calls == ["restore"]  # it had no grouping of its own: it rebuilt the stored one
    assert store.event_of_article("c2")[0] == store.event_of_article("c1")[0]
    ingest_items([item("p3", porto + "Schools were closed.", 5)], store, settings)
    assert calls == ["restore"] * 2  # ours is out of date: the stored one is rebuilt

    def snapshot():
        return sorted((e.id, tuple(sorted(e.article_ids)), e.title, e.story_id)
                      for e in store.list_events(limit=100))

    before = snapshot()
    assert len(before) == 2
    regroup_store(store, settings)
    assert calls[-1] == "group" and snapshot() == before  # a recluster agrees
    # Another process's recluster that leaves as many events as ours (the counts do not move)
    # is noticed too: our next ingest builds on the store, not on what we kept.
    ingest_items([item("p4", porto + "Trains stopped.", 6)], store, settings)
    other = open_store(db)
    regroup_store(other, settings)
    other.close()
    assert len(snapshot()) == 2
    n = len(calls)
    ingest_items([item("p5", porto + "The river fell.", 7)], store, settings)
    assert calls[n:] == ["restore"]
    ingest_items([item("p6", porto + "Cleaning began.", 8)], store, settings)
    assert calls[n:] == ["restore"]  # and then it keeps its grouping again
    after = snapshot()
    regroup_store(store, settings)
    assert snapshot() == after
    store.close()


def test_a_kept_grouping_takes_articles_featurised_by_the_runner(tmp_path, monkeypatch):
    """With a runner that computes features in its workers (Ray, or the inline batch runner),
    the new articles arrive featurised: a long-running process still adds them to the grouping
    it kept, without rebuilding or replaying it."""
    from newsweave.pipeline import Pipeline
    from newsweave.runners import InlineBatchRunner
    from newsweave.stages.group import Grouper

    db = tmp_path / "r.db"
    store, settings = open_store(db), Settings(db=str(db))
    pipe = Pipeline(store, settings, runner=InlineBatchRunner(batch_size=4))
    t0 = datetime(2024, 3, 5, 9, tzinfo=timezone.utc)
    text = ("Heavy rain flooded the old town of Porto on Tuesday, and firefighters evacuated "
            "forty residents from riverside houses as the Douro rose above its banks. ")
    items = [RawItem(source=f"t:{i}", kind="record", content=text + extra, id=i, title="Porto floods",
                     outlet=i, published=t0 + timedelta(hours=h))
             for i, extra, h in (("r1", "The mayor spoke.", 0), ("r2", "Schools closed.", 2))]
    assert not pipe.run_items(items[:1]).failed
    calls: list[str] = []
    for name in ("group", "restore"):
        real = getattr(Grouper, name)
        monkeypatch.setattr(Grouper, name, lambda self, *a, _real=real, _name=name, **k:
                            calls.append(_name) or _real(self, *a, **k))
    report = pipe.run_items(items[1:])
    assert report.stored == ["r2"] and not report.failed and calls == []
    assert store.event_of_article("r2")[0] == store.event_of_article("r1")[0]
    store.close()


def test_a_kept_grouping_writes_only_what_changed_unless_another_process_wrote(tmp_path,
                                                                               monkeypatch):
    """The kept grouping writes only the events an ingest changed; when another process
    replaces the grouping between our check and our write, the store refuses the partial
    write and the whole grouping is written instead."""
    db = tmp_path / "k.db"
    store, settings = open_store(db), Settings(db=str(db))
    t0 = datetime(2024, 3, 5, 9, tzinfo=timezone.utc)
    text = ("Heavy rain flooded the old town of Porto on Tuesday, and firefighters evacuated "
            "forty residents from riverside houses as the Douro rose above its banks. ")

    def item(i: str, h: int) -> RawItem:
        return RawItem(source=f"t:{i}", kind="record", content=text + f"Outlet {i} reports.", id=i,
                       title="Porto floods", outlet=i, published=t0 + timedelta(hours=h))

    ingest_items([item("k1", 0)], store, settings)
    writes: list[str] = []
    real_update, real_replace = store.update_events, store.replace_events
    monkeypatch.setattr(store, "replace_events",
                        lambda *a, **k: writes.append("all") or real_replace(*a, **k))

    def update(*a, **k):
        writes.append("changed")
        return real_update(*a, **k)

    monkeypatch.setattr(store, "update_events", update)
    ingest_items([item("k2", 1)], store, settings)
    assert writes == ["changed"]

    def racing(*a, **k):  # another process regroups right before our write
        writes.append("changed")
        other = open_store(db)
        other.replace_events(other.list_events(limit=10), {}, [])
        other.close()
        return real_update(*a, **k)

    monkeypatch.setattr(store, "update_events", racing)
    ingest_items([item("k3", 2)], store, settings)
    assert writes == ["changed", "changed", "all"]
    assert {store.event_of_article(i)[0] for i in ("k1", "k2", "k3")} == \
        {store.event_of_article("k1")[0]}
    store.close()


def test_features_stored_before_copy_signatures_get_them(tmp_path):
    """A store whose features predate the copy signatures (migration 007) hashes those texts
    once, at its next grouping, and keeps the signatures for every later rebuild."""
    from dataclasses import replace

    import numpy as np

    from newsweave.stages.dedup import signature

    db = tmp_path / "old.db"
    store, settings = open_store(db), Settings(db=str(db))
    t0 = datetime(2024, 3, 5, 9, tzinfo=timezone.utc)
    text = ("Heavy rain flooded the old town of Porto on Tuesday, and firefighters evacuated "
            "forty residents from riverside houses as the Douro rose above its banks. ")
    items = [RawItem(source=f"t:{i}", kind="record", content=body, id=i, title="Porto floods",
                     outlet=i, published=t0 + timedelta(hours=h))
             for i, body, h in (("o1", text + "The mayor spoke.", 0),
                                ("o2", "Oslo chess club elects a new chair after a vote.", 1),
                                ("o3", text + "Schools closed.", 2))]
    assert sorted(ingest_items(items[:2], store, settings).stored) == ["o1", "o2"]
    store.save_features([replace(f, minhash=None) for f in store.load_features()])  # as before 007
    assert all(f.minhash is None for f in store.load_features())
    store.close()
    store = open_store(db)  # a new process: it rebuilds the stored grouping
    ingest_items(items[2:], store, settings)
    sigs = {f.article_id: f.minhash for f in store.load_features()}
    assert np.array_equal(sigs["o1"], signature(store.get_article("o1").text))
    assert len(sigs["o2"]) == 0 and len(sigs["o3"]) == 128
    store.close()


def test_a_rebuild_reads_the_text_of_an_article_without_a_stored_signature(tmp_path):
    """Grouping reads the stored articles without their texts; one whose copy signature is
    not stored (here: its features predate migration 007, the others' do not) is read whole,
    so a later near-copy of it is still found, and its signature is stored."""
    from dataclasses import replace

    import numpy as np

    from newsweave.stages.dedup import signature

    db = tmp_path / "mixed.db"
    store, settings = open_store(db), Settings(db=str(db))
    t0 = datetime(2024, 3, 5, 9, tzinfo=timezone.utc)
    topics = ["chess club", "bakery", "tram line", "library", "marathon", "orchestra",
              "harbour", "school board", "cycling lane", "museum", "zoo", "theatre"]
    flood = ("Heavy rain flooded the old town of Porto on Tuesday, and firefighters evacuated "
             "forty residents from riverside houses as the Douro rose above its banks. ")
    items = [RawItem(source=f"t:{i}", kind="record", id=f"n{i}", title=f"The {t} news",
                     content=f"The {t} of Oslo announced {i + 3} changes to its opening hours "
                             f"after a vote by {i + 20} members on Monday evening.",
                     outlet=f"o{i}", published=t0 + timedelta(hours=i))
             for i, t in enumerate(topics)]
    items.append(RawItem(source="t:f1", kind="record", id="f1", title="Porto floods",
                         content=flood + "The mayor spoke.", outlet="x",
                         published=t0 + timedelta(days=1)))
    ingest_items(items, store, settings)
    store.save_features([replace(f, minhash=None) for f in store.load_features(["f1"])])
    store.close()
    store = open_store(db)  # a new process: it rebuilds the stored grouping
    copy = RawItem(source="t:f2", kind="record", id="f2", title="Porto floods", outlet="y",
                   content=flood + "Schools closed.", published=t0 + timedelta(days=1, hours=2))
    ingest_items([copy], store, settings)
    assert store.event_of_article("f2") == (store.event_of_article("f1")[0], "f1")  # a copy
    [f1] = store.load_features(["f1"])
    assert np.array_equal(f1.minhash, signature(store.get_article("f1").text))
    store.close()


def test_similarity_of_two_stored_articles(demo_db):
    seeds = sorted(SEEDS)
    r = run(demo_db, "similarity", *seeds, "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["same_event"] and d["similarity"] > 0.7
    r = run(demo_db, "similarity", seeds[0], "wikinews-2019-06-23-064")
    assert r.exit_code == 0 and "different events" in r.stdout
    assert float(r.stdout.split()[1]) < d["similarity"] - 0.4
    r = run(demo_db, "similarity", seeds[0], "nope")
    assert r.exit_code == 1 and "no article with id 'nope'" in r.output


def test_a_one_shot_ingest_writes_only_what_its_articles_changed(tmp_path, monkeypatch, caplog):
    """A process that rebuilt the stored grouping (a one-shot `ingest`) writes only the events
    its articles changed, keeping the stored storylines of the others; the events are still
    what a recluster gives. It loads the ANN graph the previous process saved beside the store
    instead of building it. When another process regroups in between, everything is written."""
    from newsweave.stages import ann

    monkeypatch.setattr(ann, "CACHE_MIN", 1)  # cache even this store's three vectors' graph
    db = tmp_path / "o.db"
    settings = Settings(db=str(db))
    t0 = datetime(2024, 3, 5, 9, tzinfo=timezone.utc)
    porto = ("Heavy rain flooded the old town of Porto on Tuesday, and firefighters evacuated "
             "forty residents from riverside houses as the Douro rose above its banks. ")
    chess = "A chess club in Oslo elected a new chair after a long meeting about fees. "
    mars = "A rover landed on Mars near the Jezero crater after a seven-month journey. "

    def item(i: str, text: str, hours: int) -> RawItem:
        return RawItem(source=f"t:{i}", kind="record", content=text + f"Reported by outlet {i}.",
                       id=i, title=text.split(",")[0], outlet=f"outlet {i}",
                       published=t0 + timedelta(hours=hours))

    first = open_store(db)
    assert not ingest_items([item("p1", porto, 0), item("c1", chess, 1), item("m1", mars, 2)],
                            first, settings).failed
    first.close()
    assert (tmp_path / "o.db.ann-cache").exists()

    def one_shot(items: list[RawItem], race: bool = False) -> list[tuple[str, int]]:
        store = open_store(db)  # a new process: no grouping of its own
        writes: list[tuple[str, int]] = []
        real_update, real_replace = store.update_events, store.replace_events

        def update(events, *a, **k):
            writes.append(("changed", len(events)))
            if race:
                other = open_store(db)
                other.replace_events(other.list_events(limit=10), {}, [])
                other.close()
            return real_update(events, *a, **k)

        monkeypatch.setattr(store, "update_events", update)
        monkeypatch.setattr(store, "replace_events", lambda events, *a, **k: writes.append(
            ("all", len(events))) or real_replace(events, *a, **k))
        assert not ingest_items(items, store, settings).failed
        store.close()
        return writes

    with caplog.at_level(logging.INFO, logger="newsweave.stages.ann"):
        assert one_shot([item("p2", porto + "The mayor opened two shelters.", 3)]) == [
            ("changed", 1)]
    assert "loaded the cached graph of 3 vectors" in caplog.text
    store = open_store(db)
    assert store.event_of_article("p2")[0] == store.event_of_article("p1")[0]
    assert store.count_events() == 3

    def snapshot():
        return sorted((e.id, tuple(sorted(e.article_ids)), e.title, e.story_id, e.n_sources)
                      for e in store.list_events(limit=100))

    before = snapshot()
    regroup_store(store, settings)
    assert snapshot() == before  # a recluster agrees
    store.close()
    # Another process regroups between our rebuild and our write: the store refuses the partial
    # write and the whole grouping is written.
    assert one_shot([item("c2", chess + "The vote was close.", 4)], race=True) == [
        ("changed", 1), ("all", 3)]
    store = open_store(db)
    assert store.event_of_article("c2")[0] == store.event_of_article("c1")[0]
    store.close()
