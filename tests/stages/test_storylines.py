"""Storylines (storylines.link_stories): successive events about the same main entities and place."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import numpy as np

from newsweave.models import Event, StoredFeatures
from newsweave.stages.storylines import STORY_GAP_DAYS, link_stories

TYPES = {"putin": "PER", "kremlin": "ORG", "moscow": "LOC", "kyiv": "LOC", "zelensky": "PER",
         "nasa": "ORG", "earth": "LOC", "lima": "LOC", "fifa": "ORG"}


def _world(spec: list[tuple[str, date, date | None, list[str]]]
           ) -> tuple[list[Event], dict[str, StoredFeatures]]:
    """Events (id, first day, last day, entity ids), each with two articles naming those entities."""
    events, feats = [], {}
    for eid, first, last, ents in spec:
        ids = [f"{eid}-a", f"{eid}-b"]
        for aid in ids:
            feats[aid] = StoredFeatures(aid, np.zeros(4, np.float32), np.zeros(4, np.float32),
                                        entities=list(ents))
        last_dt = datetime.combine(last, datetime.min.time(), timezone.utc) if last else None
        events.append(Event(id=eid, title=f"title of {eid}", date=first, article_ids=ids,
                            first_published=datetime.combine(first, datetime.min.time(), timezone.utc),
                            last_published=last_dt))
    return events, feats


def test_successive_events_with_shared_actor_and_place_form_one_storyline() -> None:
    events, feats = _world([
        ("e1", date(2023, 4, 1), None, ["putin", "moscow", "kremlin"]),
        ("e2", date(2023, 4, 20), None, ["putin", "moscow", "kremlin"]),
        ("e3", date(2023, 5, 10), None, ["putin", "moscow"]),
        ("other", date(2023, 4, 5), None, ["nasa", "earth"]),
    ])
    events[1].article_ids.append("e2-c")  # the biggest event names the storyline
    feats["e2-c"] = feats["e2-a"]
    stories = link_stories(events, feats, TYPES)
    assert len(stories) == 1
    st = stories[0]
    assert st.event_ids == ["e1", "e2", "e3"]
    assert (st.first_date, st.last_date) == (date(2023, 4, 1), date(2023, 5, 10))
    assert st.title == "title of e2"
    assert {e.id: e.story_id for e in events} == {"e1": st.id, "e2": st.id, "e3": st.id, "other": None}


def test_a_shared_place_alone_or_an_actor_alone_does_not_link() -> None:
    events, feats = _world([
        ("a", date(2023, 4, 1), None, ["putin", "moscow"]),
        ("b", date(2023, 4, 3), None, ["zelensky", "moscow", "kyiv"]),  # place only
        ("c", date(2023, 4, 5), None, ["putin", "lima"]),  # actor only
    ])
    assert link_stories(events, feats, TYPES) == []
    assert all(e.story_id is None for e in events)


def test_a_long_pause_ends_the_storyline_counted_from_the_last_report() -> None:
    gap = STORY_GAP_DAYS + 5
    events, feats = _world([
        ("old", date(2023, 1, 1), date(2023, 1, 2), ["putin", "moscow"]),
        ("late", date(2023, 1, 2) + timedelta(days=gap), None, ["putin", "moscow"]),
    ])
    assert link_stories(events, feats, TYPES) == []
    # A running event reported until a week before the next one is right before it, however
    # long ago it began.
    events, feats = _world([
        ("running", date(2023, 1, 1), date(2023, 6, 1), ["putin", "moscow"]),
        ("next", date(2023, 6, 8), None, ["putin", "moscow"]),
    ])
    [st] = link_stories(events, feats, TYPES)
    assert st.event_ids == ["running", "next"]


def test_an_event_belongs_to_at_most_one_storyline() -> None:
    events, feats = _world([
        ("p1", date(2023, 3, 1), None, ["putin", "moscow"]),
        ("p2", date(2023, 3, 2), None, ["putin", "moscow"]),
        ("z1", date(2023, 3, 1), None, ["zelensky", "kyiv"]),
        ("z2", date(2023, 3, 2), None, ["zelensky", "kyiv"]),
        # Shares something with both storylines; more with the Putin one.
        ("both", date(2023, 3, 5), None, ["putin", "moscow", "kremlin", "zelensky", "kyiv"]),
    ])
    stories = link_stories(events, feats, TYPES)
    seen = [eid for st in stories for eid in st.event_ids]
    assert len(seen) == len(set(seen))
    assert sorted(map(tuple, (st.event_ids for st in stories))) == [("p1", "p2", "both"), ("z1", "z2")]


def test_events_without_entities_or_date_stay_alone() -> None:
    events, feats = _world([
        ("a", date(2023, 4, 1), None, ["putin", "moscow"]),
        ("b", date(2023, 4, 2), None, []),
        ("c", date(2023, 4, 3), None, ["putin", "moscow"]),
    ])
    events[1].date = None
    events.append(Event(id="empty", title="no features", date=date(2023, 4, 2),
                        article_ids=["missing"]))
    [st] = link_stories(events, feats, TYPES)
    assert st.event_ids == ["a", "c"]
    assert events[1].story_id is None and events[-1].story_id is None



def test_main_entities_prefer_the_most_named_then_the_most_specific() -> None:
    from collections import Counter

    from newsweave.stages.storylines import MAIN_ENTITIES, _main_entities

    counts = Counter({"us": 1, "earth": 1, "nasa": 1, "putin": 3, "moscow": 1, "kremlin": 1,
                      "kyiv": 1, "zelensky": 1})
    df = {"us": 40, "earth": 12, "nasa": 9, "putin": 50, "moscow": 2, "kremlin": 1, "kyiv": 3,
          "zelensky": 2}
    main = _main_entities(counts, df)
    assert len(main) == MAIN_ENTITIES
    # Named by most articles wins whatever its spread; among the ties, the rarer ones.
    assert main == {"putin", "kremlin", "moscow", "zelensky", "kyiv", "nasa"}
    assert _main_entities(Counter(dict(reversed(list(counts.items())))), df) == main


def test_main_entities_kept_up_to_date_are_what_ranking_from_scratch_gives() -> None:
    """MainEntities re-ranks only the changed events and those a changed frequency can tip;
    after every step its answer must equal ranking every event again. Few entities, named
    once or twice, make ties at the cut common, which is where a missed update would show."""
    import random
    from collections import Counter

    from newsweave.stages.storylines import MainEntities, _main_entities

    rng = random.Random(7)
    pool = [f"e{i}" for i in range(30)]
    named: dict[str, Counter] = {}
    mains = MainEntities()
    for step in range(1500):
        eid = f"ev{rng.randrange(60)}"
        before = named.get(eid, Counter())
        if before and rng.random() < 0.15:  # the event is gone (merged away)
            del named[eid]
            mains.change(eid, before, ())
        else:
            after = Counter({e: rng.choice((1, 1, 2, 3)) for e in rng.sample(pool, rng.randrange(13))})
            named[eid] = after
            mains.change(eid, before, after)
        if rng.random() < 0.3:  # a batch of changes between two settles
            df = Counter(e for counts in named.values() for e in counts)
            assert mains.settle(named) == {k: _main_entities(c, df) for k, c in named.items()}
            assert mains.df == df


def _with_vectors(feats: dict[str, StoredFeatures], vectors: dict[str, list[float]]) -> None:
    """Give each event's articles a vector (event id -> vector)."""
    for aid, f in feats.items():
        v = vectors.get(aid.rsplit("-", 1)[0])
        if v is not None:
            f.vector = np.asarray(v, np.float32) / np.linalg.norm(v)


def test_close_texts_sharing_one_main_entity_continue_a_storyline() -> None:
    # One shared actor and no shared place: entity overlap alone does not link them (the test
    # above), but two events whose texts are this close are pieces of one running story.
    from newsweave.stages.storylines import STORY_MIN_COSINE

    events, feats = _world([
        ("strike", date(2023, 4, 1), None, ["putin", "moscow", "kremlin"]),
        ("talks", date(2023, 4, 20), None, ["putin", "lima", "fifa"]),
    ])
    _with_vectors(feats, {"strike": [1, 0.3, 0, 0], "talks": [1, 0.5, 0, 0]})
    s = float(feats["strike-a"].vector @ feats["talks-a"].vector)
    assert s >= STORY_MIN_COSINE
    [st] = link_stories(events, feats, TYPES)
    assert st.event_ids == ["strike", "talks"]


def test_close_texts_without_a_shared_main_entity_or_far_texts_do_not_link() -> None:
    from newsweave.stages.storylines import STORY_MIN_COSINE

    # Close texts, nothing named in common (two storms, two elections elsewhere).
    events, feats = _world([
        ("a", date(2023, 4, 1), None, ["putin", "moscow"]),
        ("b", date(2023, 4, 3), None, ["zelensky", "kyiv"]),
    ])
    _with_vectors(feats, {"a": [1, 0.1, 0, 0], "b": [1, 0.2, 0, 0]})
    assert link_stories(events, feats, TYPES) == []
    # One shared actor, texts far apart (below the cosine a storyline asks for).
    events, feats = _world([
        ("a", date(2023, 4, 1), None, ["putin", "moscow"]),
        ("b", date(2023, 4, 3), None, ["putin", "lima"]),
    ])
    _with_vectors(feats, {"a": [1, 0, 0, 0], "b": [0.5, 1, 0, 0]})
    assert float(feats["a-a"].vector @ feats["b-a"].vector) < STORY_MIN_COSINE
    assert link_stories(events, feats, TYPES) == []


def test_a_close_event_joins_the_chain_its_text_is_closest_to() -> None:
    # Both chains share one entity with the newcomer; its text decides.
    events, feats = _world([
        ("p1", date(2023, 3, 1), None, ["putin", "moscow", "kremlin"]),
        ("p2", date(2023, 3, 2), None, ["putin", "moscow", "kremlin"]),
        ("z1", date(2023, 3, 1), None, ["zelensky", "kyiv", "fifa"]),
        ("z2", date(2023, 3, 2), None, ["zelensky", "kyiv", "fifa"]),
        ("new", date(2023, 3, 6), None, ["putin", "zelensky", "lima"]),
    ])
    _with_vectors(feats, {"p1": [1, 0, 0, 0], "p2": [1, 0, 0, 0], "z1": [0, 1, 0, 0],
                          "z2": [0, 1, 0, 0], "new": [0.3, 1, 0, 0]})
    stories = link_stories(events, feats, TYPES)
    assert sorted(map(tuple, (st.event_ids for st in stories))) == [("p1", "p2"), ("z1", "z2", "new")]


def test_relinking_from_the_earliest_touched_event_is_linking_from_scratch() -> None:
    """StoryLinks relinks a changed grouping from the earliest event whose place or inputs
    changed; after every batch its storylines (and each event's story_id) must be what linking
    every event from scratch gives. Events are added, dropped, moved in time, renamed (their
    main entities) and moved in text (their centroid), in batches."""
    import random
    from dataclasses import replace

    from newsweave.stages.storylines import StoryLinks

    rng = random.Random(3)
    pool = list(TYPES) + ["paris", "macron", "un"]
    types = dict(TYPES, paris="LOC", macron="PER", un="ORG")
    axes = np.eye(4, dtype=np.float32)
    day0 = date(2024, 1, 1)

    def event(eid: str) -> Event:
        d = day0 + timedelta(days=rng.randrange(200))
        last = datetime(d.year, d.month, d.day, tzinfo=timezone.utc) + timedelta(days=rng.choice((0, 0, 3, 40)))
        return Event(id=eid, title=f"title {eid}", date=d, article_ids=[eid] * rng.randrange(1, 4),
                     last_published=last)

    def mains() -> set[str]:
        return set(rng.sample(pool, rng.choice((0, 2, 3, 3, 4))))

    def centroid() -> np.ndarray:
        v = axes[rng.randrange(4)] + rng.random() * 0.4 * axes[rng.randrange(4)]
        return (v / np.linalg.norm(v)).astype(np.float32)

    events = {f"e{i}": event(f"e{i}") for i in range(40)}
    main = {eid: mains() for eid in events}
    cents = {eid: centroid() for eid in events}
    kept = StoryLinks()
    kept.link(list(events.values()), types, cents, main)
    for _ in range(120):
        touched: set[str] = set()
        for _ in range(rng.randrange(1, 4)):
            eid, kind = f"e{rng.randrange(60)}", rng.random()
            touched.add(eid)
            if eid not in events or kind < 0.3:  # new, or rebuilt with another date
                events[eid], main[eid], cents[eid] = event(eid), mains(), centroid()
            elif kind < 0.45:  # gone (merged into another)
                del events[eid], main[eid], cents[eid]
            elif kind < 0.75:  # its main entities moved
                main[eid] = mains()
            else:  # its text moved
                cents[eid] = centroid()
        current = [replace(e, story_id=None) for e in events.values()]
        got = kept.link(current, types, cents, main, touched)
        got_ids = {e.id: e.story_id for e in current}
        fresh = [replace(e, story_id=None) for e in events.values()]
        want = StoryLinks().link(fresh, types, cents, main)
        assert got == want
        assert got_ids == {e.id: e.story_id for e in fresh}
    assert sum(len(s.event_ids) for s in got) > 5  # the stream did chain events
