"""Cluster stage: bad inputs, determinism, merging when an article bridges two events."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from newsweave.stages.cluster import ClusterItem, EventClusterer, cluster_articles
from newsweave.stages.embed import DIM
from newsweave.stages.similarity import ArticleFeatures, Featurizer, ScoreModel

T0 = datetime(2023, 4, 16, 9, 0, tzinfo=timezone.utc)

STORIES = {
    "quake": [
        ("Earthquake strikes southern Turkey", "A magnitude 6.1 earthquake struck near Adana on Monday, "
         "damaging buildings, Turkey's disaster agency AFAD said. Rescue teams searched collapsed homes."),
        ("Strong quake hits Adana province", "Buildings were damaged in Adana after a 6.1 magnitude "
         "earthquake on Monday; AFAD said rescue teams were searching the rubble."),
        ("Erdbeben erschüttert die Türkei", "Ein Erdbeben der Stärke 6,1 hat am Montag die Region Adana "
         "erschüttert. Die Katastrophenschutzbehörde AFAD meldete beschädigte Gebäude."),
    ],
    "election": [
        ("Finland votes in parliamentary election", "Finns voted on Sunday in a parliamentary election "
         "in which Prime Minister Sanna Marin's Social Democrats face the National Coalition."),
        ("Finland's opposition wins election", "The National Coalition party won Finland's parliamentary "
         "election on Sunday, narrowly ahead of Sanna Marin's Social Democrats."),
    ],
    # Same topic (a Finnish election) but a different event, months later.
    "election2": [
        ("Finland elects a new president", "Finland held the first round of its presidential election, "
         "with Alexander Stubb and Pekka Haavisto advancing to a run-off in February."),
    ],
}


@pytest.fixture(scope="module")
def items() -> list[ClusterItem]:
    f = Featurizer().setup()
    out = []
    for k, (event, arts) in enumerate(STORIES.items()):
        when = T0 + timedelta(days=200 * (event == "election2") + k)
        feats = f.featurize_many([dict(title=t, text=x, published=when) for t, x in arts])
        out += [ClusterItem(f"{event}-{i}", when + timedelta(hours=i), ft) for i, ft in enumerate(feats)]
    return out


def _groups(events: dict[str, list[str]]) -> set[frozenset[str]]:
    return {frozenset(v) for v in events.values()}


def test_groups_stories_and_keeps_same_topic_events_apart(items: list[ClusterItem]) -> None:
    groups = _groups(cluster_articles(items))
    assert frozenset({"quake-0", "quake-1", "quake-2"}) in groups
    assert not any({"election-0", "election2-0"} <= g for g in groups)


def test_deterministic_same_input_same_events(items: list[ClusterItem]) -> None:
    a = cluster_articles(items)
    b = cluster_articles(list(items))
    assert a == b  # same ids too


def test_bad_inputs_do_not_crash(items: list[ClusterItem]) -> None:
    f = Featurizer().setup()
    c = EventClusterer().setup()
    for it in items:
        c.add(it)
    undated = ClusterItem("undated", None, f.featurize("Erdbeben in Adana", STORIES["quake"][2][1]),
                          ingested_at=T0 + timedelta(days=1))
    empty = ClusterItem("empty", T0, f.featurize("", ""))
    dup = ClusterItem("quake-dup", T0 + timedelta(hours=5), items[0].features)
    no_lang = ClusterItem("xx", T0, f.featurize("Zzz", "Qwerty uiop asdf ghjkl.", language="xx"))
    for it in (undated, empty, dup, no_lang, empty):  # the same id twice is idempotent
        assert c.add(it) in c.events()
    assert c.flags["undated"].startswith("no date")
    assert c.flags["empty"].startswith("no text")
    assert c.event_of("quake-dup") == c.event_of("quake-0")
    assert sum(len(v) for v in c.events().values()) == len(items) + 4


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def _item(aid: str, vec: np.ndarray, hours: int) -> ClusterItem:
    f = ArticleFeatures(vector=vec, lead=vec, lexical={}, entities=frozenset())
    return ClusterItem(aid, T0 + timedelta(hours=hours), f)


def test_bridging_article_merges_events() -> None:
    # A model on the vector cosine alone: p >= 0.5 from cosine 0.65 up.
    model = ScoreModel(knots={"vec": []}, weights={"vec": [20.0]}, bias=-13.0, link="logistic")
    e1, e2 = np.zeros(DIM), np.zeros(DIM)
    e1[0], e2[1] = 1.0, 1.0
    c = EventClusterer(model=model, threshold=0.5).setup()
    ev_a = c.add(_item("a", _unit(e1), 0))
    ev_b = c.add(_item("b", _unit(e2), 1))
    assert ev_a != ev_b and len(c.events()) == 2
    ev_c = c.add(_item("c", _unit(e1 + e2), 2))
    assert ev_c == ev_a  # the older event's id survives the merge
    assert c.events() == {ev_a: ["a", "b", "c"]}
    assert c.event_of("b") == ev_a


def test_time_window_excludes_old_neighbours() -> None:
    model = ScoreModel(knots={"vec": []}, weights={"vec": [20.0]}, bias=-13.0, link="logistic")
    v = np.zeros(DIM)
    v[0] = 1.0
    c = EventClusterer(model=model, threshold=0.5, window_days=30, far_min=1.0).setup()
    first = c.add(_item("old", _unit(v), 0))
    assert c.add(_item("new", _unit(v), 24 * 90)) != first


def test_a_very_close_article_outside_the_window_is_still_a_candidate() -> None:
    # Long-running events: beyond the window, near neighbours over all time bring their events in
    # (this model ignores the day gap, so the candidate wins); a distant one does not.
    model = ScoreModel(knots={"vec": []}, weights={"vec": [20.0]}, bias=-13.0, link="logistic")
    v, w = np.zeros(DIM), np.zeros(DIM)
    v[0], w[1] = 1.0, 1.0
    c = EventClusterer(model=model, threshold=0.5, window_days=30, far_min=0.5).setup()
    first = c.add(_item("old", _unit(v), 0))
    assert c.add(_item("new", _unit(v), 24 * 90)) == first
    assert c.add(_item("other", _unit(w), 24 * 91)) != first


def test_strict_merge_threshold_keeps_bridged_events_apart() -> None:
    model = ScoreModel(knots={"vec": []}, weights={"vec": [20.0]}, bias=-13.0, link="logistic")
    e1, e2 = np.zeros(DIM), np.zeros(DIM)
    e1[0], e2[1] = 1.0, 1.0
    c = EventClusterer(model=model, threshold=0.5, merge_threshold=0.99).setup()
    ev_a = c.add(_item("a", _unit(e1), 0))
    c.add(_item("b", _unit(e2), 1))
    assert c.add(_item("c", _unit(e1 + e2), 2)) == ev_a  # joins the best (oldest on ties) event
    assert len(c.events()) == 2


def test_per_article_work_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # However big an event grows, one article is compared lexically with a bounded sample of it.
    from newsweave.stages import cluster

    model = ScoreModel(knots={"vec": []}, weights={"vec": [20.0]}, bias=-13.0, link="logistic")
    c = EventClusterer(model=model, threshold=0.5).setup()
    rng = np.random.default_rng(0)
    base = np.zeros(DIM)
    base[0] = 1.0
    for i in range(300):
        v = _unit(base + 0.01 * rng.standard_normal(DIM))
        f = ArticleFeatures(vector=v, lead=v, lexical={"w": 1.0}, entities=frozenset({"x"}))
        c.add(ClusterItem(f"a{i}", T0 + timedelta(minutes=i), f))
    assert len(c.events()) == 1
    compared: list[int] = []
    real = EventClusterer._lex_sample
    monkeypatch.setattr(EventClusterer, "_lex_sample",
                        staticmethod(lambda link: compared.append(len(real(link))) or real(link)))
    f = ArticleFeatures(vector=_unit(base), lead=_unit(base), lexical={"w": 1.0}, entities=frozenset())
    c.add(ClusterItem("last", T0 + timedelta(hours=6), f))
    assert compared and 0 < sum(compared) <= cluster.NEIGHBOURS + cluster.RECENT


def test_far_candidates_are_bounded_however_long_the_history() -> None:
    # A story with look-alikes in many past months: only the FAR_EVENTS closest of their events are
    # scored, so an article's cost does not grow with the history.
    from newsweave.stages import cluster

    scored: list[int] = []
    model = ScoreModel(knots={"gap": []}, weights={"gap": [-50.0]}, bias=0.0, link="logistic")
    real_score = model.score
    model.score = lambda X: scored.append(len(np.atleast_2d(X))) or real_score(X)  # type: ignore[method-assign]
    c = EventClusterer(model=model, threshold=0.5, window_days=30, far_min=0.5).setup()
    v = np.zeros(DIM)
    v[0] = 1.0
    rng = np.random.default_rng(1)
    for month in range(12):  # one look-alike every 60 days: each its own event (the gap forbids joins)
        c.add(_item(f"m{month}", _unit(v + 0.01 * rng.standard_normal(DIM)), 24 * 60 * month))
    assert len(c.events()) == 12
    scored.clear()
    c.add(_item("now", _unit(v), 24 * 60 * 12 + 24 * 45))
    assert sum(scored) == cluster.FAR_EVENTS  # rows scored: one per candidate event


def test_lexical_link_is_the_mean_cosine_to_the_sampled_members() -> None:
    # The vectorised lexical link gives what the plain sparse cosine gives, member by member,
    # including members with no words in common and words the store has never seen.
    from newsweave.stages import cluster
    from newsweave.stages.similarity import lexical_cosine

    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(40)]

    def sparse(n: int) -> dict[str, float]:
        chosen = rng.choice(words, size=n, replace=False)
        v = rng.random(n)
        v /= np.linalg.norm(v)
        return {str(w): float(x) for w, x in zip(chosen, v)}

    model = ScoreModel(knots={}, weights={}, bias=10.0, link="logistic")  # everything joins
    c = EventClusterer(model=model, threshold=0.5).setup()
    v = np.zeros(DIM)
    v[0] = 1.0
    members = [sparse(n) for n in (5, 12, 1, 30)] + [{}]
    for i, lex in enumerate(members):
        c.add(ClusterItem(f"m{i}", T0 + timedelta(hours=i),
                          ArticleFeatures(vector=v, lead=v, lexical=lex, entities=frozenset())))
    [event] = c._events.values()
    link = cluster._Link(event, [(f"m{i}", 1.0) for i in range(len(members))])
    for query in (sparse(8), sparse(40), {"never-seen": 1.0}, {}):
        want = np.mean([lexical_cosine(query, m) for m in members])
        q = c._prepare(ArticleFeatures(vector=v, lead=v, lexical=query, entities=frozenset()))
        assert c._lex_link(q, link) == pytest.approx(want, abs=1e-12)
