"""Grouper.extend: later articles are added to a kept grouping instead of replaying the store,
and give what grouping everything from scratch gives."""
from __future__ import annotations

import json
import zlib
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from newsweave.models import Article
from newsweave.stages.group import Grouper, Grouping
from newsweave.stages.similarity import name_tokens

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
T0 = datetime(2019, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def corpus() -> tuple[list[Article], dict, dict]:
    """The bundled Wikinews records, a few accounts of one story spread over days (so that
    events grow and merge), a wire copy and an undated article, with real features."""
    rows = [json.loads(x) for x in (EXAMPLES / "wikinews" / "wikinews.jsonl").open(encoding="utf-8")]
    arts = [Article(id=r["id"], title=r["title"], text=r["text"], source=r["id"],
                    published=datetime.fromisoformat(r["published"]).replace(tzinfo=timezone.utc),
                    outlet=r["outlet"], language="en") for r in rows]
    seeds = sorted((EXAMPLES / "seeds").glob("*.txt"))
    for i, p in enumerate(seeds * 2):
        title, _, body = p.read_text(encoding="utf-8").partition("\n")
        if i >= len(seeds):  # a shorter account of the same meeting: not a copy
            body = ". ".join(body.split(". ")[i % 2::2])
        arts.append(Article(id=f"seed{i}", title=title, text=body, source=p.name, outlet=f"o{i}",
                            language="en", published=datetime(2023, 4, 16 + i, tzinfo=timezone.utc)))
    first = arts[3]
    arts.append(replace(first, id="copy", source="copy", outlet="Wire",
                        published=first.published + timedelta(hours=5)))
    arts.append(Article(id="undated", title="Chess club vote", text="A chess club in Oslo "
                        "elected a new chair after a long meeting about membership fees.",
                        source="u", published=None, ingested_at=datetime(2021, 6, 1, tzinfo=timezone.utc)))
    grouper = Grouper()
    ents = {a.id: sorted(name_tokens(a.title + " " + a.text[:2000])) for a in arts}
    feats = {f.article_id: f for f in grouper.featurize(arts, ents)}
    types = {e: ("LOC", "PER", "ORG")[zlib.crc32(e.encode()) % 3] for es in ents.values() for e in es}
    return arts, feats, types


def _shape(g: Grouping) -> tuple:
    events = sorted((e.id, tuple(sorted(e.article_ids)), e.title, e.n_sources, e.story_id,
                     e.first_published, e.last_published, tuple(e.flags)) for e in g.events)
    stories = sorted((s.id, tuple(s.event_ids), s.title) for s in g.stories)
    return events, sorted(g.copies.items()), stories


def _when(a: Article) -> datetime:
    return a.published or a.ingested_at


def test_later_batches_give_what_a_replay_gives(corpus) -> None:
    arts, feats, types = corpus
    whole = Grouper().group(arts, feats, types)
    assert any(len(e.article_ids) > 2 for e in whole.events)  # something grows
    assert whole.copies == {"copy": arts[3].id}
    ordered = sorted(arts, key=lambda a: (_when(a), a.id))
    for cut in (5, 20, len(ordered) - 3, len(ordered) - 1):
        first, rest = ordered[:cut], ordered[cut:]
        g = Grouper().group(first, {a.id: feats[a.id] for a in first}, types)
        for a in rest:  # one article at a time, as a stream brings them
            g = Grouper().extend(g.state, [a], {a.id: feats[a.id]}, types)
            assert g is not None
        assert _shape(g) == _shape(whole), cut


def test_a_late_article_joins_in_arrival_order(corpus) -> None:
    arts, feats, types = corpus
    late = next(a for a in arts if a.id == "seed0")
    rest = [a for a in arts if a.id != late.id]
    g = Grouper().group(rest, feats, types)
    g = Grouper().extend(g.state, [late], {late.id: feats[late.id]}, types)
    assert g is not None
    placed = [e for e in g.events if late.id in e.article_ids]
    assert len(placed) == 1 and {"seed1", "seed2"} & set(placed[0].article_ids)
    assert sorted(a for e in g.events for a in e.article_ids) == sorted(a.id for a in arts)


def test_what_cannot_be_added_asks_for_a_replay(corpus) -> None:
    arts, feats, types = corpus
    g = Grouper().group(arts, feats, types)
    # An article it has already grouped.
    assert Grouper().extend(g.state, [arts[0]], feats, types) is None
    # A copy published before its original turns a grouped article into a copy.
    g = Grouper().group(arts, feats, types)
    early = replace(arts[7], id="early-copy", published=arts[7].published - timedelta(days=1))
    assert Grouper().extend(g.state, [early], {early.id: feats[arts[7].id]}, types) is None


def test_merges_and_storylines_match_a_replay(monkeypatch, tmp_path) -> None:
    # Synthetic vectors and a cosine-only model, so that the stream surely contains an article
    # that bridges two events (a merge) and two events that form a storyline.
    import numpy as np

    from newsweave.models import StoredFeatures
    from newsweave.stages import cluster
    from newsweave.stages.embed import DIM
    from newsweave.stages.similarity import ScoreModel

    model = ScoreModel(knots={"knn": []}, weights={"knn": [20.0]}, bias=-13.0, link="logistic",
                       meta={"threshold": 0.5})
    monkeypatch.setattr(cluster, "load_models", lambda: {"event": model})

    def unit(*axes: int) -> np.ndarray:
        v = np.zeros(DIM, np.float32)
        v[list(axes)] = 1.0
        return v / np.linalg.norm(v)

    plan = [  # id, day, vector axes, entities
        ("a1", 0, (0,), ["paris", "macron"]), ("b1", 1, (1,), ["paris", "macron"]),
        ("a2", 2, (0,), ["paris", "macron"]), ("bridge", 3, (0, 1), ["paris"]),
        ("c1", 20, (2,), ["paris", "macron", "senate"]), ("c2", 21, (2,), ["paris", "macron"]),
        ("d1", 40, (3,), ["oslo", "chess"]),
    ]
    types = {"paris": "LOC", "macron": "PER", "senate": "ORG", "oslo": "LOC", "chess": "ORG"}
    arts, feats = [], {}
    for aid, day, axes, ents in plan:
        arts.append(Article(id=aid, title=f"title {aid}", text=f"text of {aid} " * 3,
                            source=aid, published=T0 + timedelta(days=day), outlet=aid))
        v = unit(*axes)
        feats[aid] = StoredFeatures(aid, v, v, {aid: 1.0}, ents, v)
    whole = Grouper().group(arts, feats, types)
    assert {tuple(sorted(e.article_ids)) for e in whole.events} >= {
        ("a1", "a2", "b1", "bridge"), ("c1", "c2")}
    assert len(whole.stories) == 1
    for cut in range(1, len(arts)):
        g = Grouper().group(arts[:cut], feats, types)
        g = Grouper().extend(g.state, arts[cut:], feats, types)
        assert g is not None and _shape(g) == _shape(whole), cut
    # A store that holds the earlier grouping and is given only what each extension changed
    # (Store.update_events) ends up holding what a full rewrite of the replay gives.
    from newsweave.store.sqlite import SQLiteStore

    def stored(store) -> tuple:
        events = store.list_events(limit=100, min_articles=0)
        return (sorted((e.id, tuple(e.article_ids), e.title, e.story_id, e.n_sources)
                       for e in events),
                sorted((s.id, tuple(s.event_ids), s.title) for s in store.list_stories(limit=100)),
                store.event_memberships())

    full = SQLiteStore(tmp_path / "full.db")
    full.add_articles(arts)
    full.replace_events(whole.events, whole.copies, whole.stories)
    for cut in range(1, len(arts)):
        store = SQLiteStore(tmp_path / f"cut{cut}.db")
        store.add_articles(arts)
        g = Grouper().group(arts[:cut], feats, types)
        store.replace_events(g.events, g.copies, g.stories)
        for a in arts[cut:]:
            g = Grouper().extend(g.state, [a], feats, types)
            assert g is not None
            by_id = {e.id: e for e in g.events}
            assert store.update_events([by_id[e] for e in g.written], g.removed, g.copies,
                                       g.stories, version=store.grouping_version())
        assert stored(store) == stored(full), cut
        store.close()
        # A new process rebuilds that store's grouping (memberships and storylines), adds the
        # rest and writes only what that changed: the same.
        store = SQLiteStore(tmp_path / f"rebuilt{cut}.db")
        store.add_articles(arts)
        g = Grouper().group(arts[:cut], feats, types)
        store.replace_events(g.events, g.copies, g.stories)
        version = store.grouping_version()
        state = Grouper().restore(arts[:cut], feats, store.event_memberships(), types,
                                  story_of=store.event_story_ids())
        g = Grouper().extend(state, arts[cut:], feats, types)
        by_id = {e.id: e for e in g.events}
        assert len(g.written) <= len(g.events)
        assert store.update_events([by_id[e] for e in g.written], g.removed, g.copies, g.stories,
                                   version=version)
        assert stored(store) == stored(full), cut
        store.close()
    full.close()


def test_an_entity_whose_type_changed_is_counted_again(corpus) -> None:
    # Entity types follow the majority of mentions: when the new articles turn one (a person
    # became a nationality, MISC), every event's main entities are recounted, as a replay would.
    arts, feats, types = corpus
    ordered = sorted(arts, key=lambda a: ((a.published or a.ingested_at), a.id))
    first, rest = ordered[:-2], ordered[-2:]
    g = Grouper().group(first, feats, types)
    flipped = dict(types)
    for e in list(flipped)[:200]:
        flipped[e] = "MISC"
    g = Grouper().extend(g.state, rest, feats, flipped)
    assert g is not None
    assert _shape(g) == _shape(Grouper().group(arts, feats, flipped))
    from newsweave.stages.storylines import _event_entities
    assert all(g.state.named[e.id] == _event_entities(e, feats, flipped) for e in g.events)


def _membership(g: Grouping) -> dict[str, tuple[str, str | None]]:
    """What a store keeps of a grouping (Store.event_memberships)."""
    return {a: (e.id, g.copies.get(a)) for e in g.events for a in e.article_ids}


def test_a_stored_grouping_rebuilt_then_extended_gives_a_replay(corpus) -> None:
    # A one-shot ingest (a new process) rebuilds the grouping from what the store kept and adds
    # the later articles: the same events, copies and storylines as replaying everything.
    arts, feats, types = corpus
    whole = Grouper().group(arts, feats, types)
    ordered = sorted(arts, key=lambda a: (_when(a), a.id))
    for cut in (1, 5, 20, len(ordered) - 3, len(ordered) - 1):
        first, rest = ordered[:cut], ordered[cut:]
        g = Grouper().group(first, feats, types)
        state = Grouper().restore(first, feats, _membership(g), types)
        assert state is not None, cut
        assert _shape(Grouper()._finish(state, set(), types)) == _shape(g), cut
        for batch in (rest[:3], rest[3:]):
            g = Grouper().extend(state, batch, feats, types) if batch else g
            assert g is not None
            state = g.state
        assert _shape(g) == _shape(whole), cut


def test_restored_merges_and_sums_are_the_streams(monkeypatch) -> None:
    # An event that grew by merges keeps its members in arrival order and exact sums, so the
    # clusterer rebuilt from the stored events scores the next article as the stream's did.
    import numpy as np

    from newsweave.stages import cluster
    from newsweave.stages.cluster import ClusterItem, EventClusterer, stream_order
    from newsweave.stages.embed import DIM
    from newsweave.stages.similarity import ArticleFeatures, ScoreModel

    model = ScoreModel(knots={"knn": []}, weights={"knn": [20.0]}, bias=-13.0, link="logistic",
                       meta={"threshold": 0.5})
    monkeypatch.setattr(cluster, "load_models", lambda: {"event": model})
    rng = np.random.default_rng(3)

    def item(aid: str, day: int, axes: tuple[int, ...]) -> ClusterItem:
        v = np.zeros(DIM, np.float32)
        v[list(axes)] = 1.0
        v += rng.normal(0, 0.002, DIM).astype(np.float32)
        v /= np.linalg.norm(v)
        return ClusterItem(aid, T0 + timedelta(days=day), ArticleFeatures(
            vector=v, lead=v, lexical={aid: 1.0}, entities=frozenset({aid[0]}),
            published=T0 + timedelta(days=day), language="en", title=v))

    items = stream_order([item("a1", 0, (0,)), item("b1", 1, (1,)), item("a2", 2, (0,)),
                          item("b2", 2, (1,)), item("x", 3, (0, 1)), item("a3", 4, (0,))])
    stream = EventClusterer().setup()
    for it in items:
        stream.add(it)
    assert len(stream.events()) == 1  # "x" bridged the a and b events
    event_of = {a: e for e, ids in stream.events().items() for a in ids}
    rebuilt = EventClusterer().setup().restore(items, event_of)
    assert rebuilt.events() == stream.events()  # members in arrival order, not merge order
    (ev,) = stream._events.values()
    (again,) = rebuilt._events.values()
    assert np.array_equal(ev.vec_sum, again.vec_sum) and ev.dates == again.dates
    late = item("a4", 5, (0,))
    assert rebuilt.score(late.features, again, late.published) == \
        stream.score(late.features, ev, late.published)


def test_a_stored_grouping_that_cannot_be_rebuilt_asks_for_a_replay(corpus) -> None:
    arts, feats, types = corpus
    g = Grouper().group(arts, feats, types)
    membership = _membership(g)
    assert Grouper().restore(arts, feats, membership, types) is not None
    # An article the stored grouping does not hold.
    missing = dict(membership)
    del missing[arts[0].id]
    assert Grouper().restore(arts, feats, missing, types) is None
    # An event whose id is not its first article's (not what the clusterer names).
    big = max(g.events, key=lambda e: len(e.article_ids))
    renamed = {a: ("ev_elsewhere" if e == big.id else e, c) for a, (e, c) in membership.items()}
    assert Grouper().restore(arts, feats, renamed, types) is None
    # Copies no detector could have found: of an article the store lacks, of another copy, or
    # of a text too short to compare.
    stray = {**membership, "copy": (membership["copy"][0], "gone")}
    assert Grouper().restore(arts, feats, stray, types) is None
    original = membership["copy"][1]
    other = next(a.id for a in arts if a.id not in ("copy", original) and a.text)
    chained = {**membership, other: (membership["copy"][0], "copy")}
    assert Grouper().restore(arts, feats, chained, types) is None
    short = {**feats, original: replace(feats[original], minhash=np.zeros(0, np.uint32))}
    assert Grouper().restore(arts, short, membership, types) is None
    # The stored copies are taken as they are, not looked for again (a grouping stored by a
    # version with another copy threshold is rebuilt as it was).
    uncopied = {a: (e, None) for a, (e, c) in membership.items()}
    state = Grouper().restore(arts, feats, uncopied, types)
    assert state is not None and state.copies == {}
    assert state.detector.original_of("copy") == "copy"
