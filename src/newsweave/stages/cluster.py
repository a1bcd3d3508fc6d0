"""Cluster stage: online grouping of articles into events, in publication-time order.

Each arriving article is scored against the events that own its approximate nearest neighbours (a
faiss HNSW index over article vectors, inner product) published within ``window_days`` of it, and
the events of its nearest neighbours over all time whose cosine reaches ``FAR_MIN`` (long-running
events; the day gap is a feature of the model). The
score of (article, event) is the additive model of stages/similarity.py (``event`` weights: a
probability that the article reports that event) over:

- centroid cosines of the article, lead and title vectors against the event's sums;
- ``knn`` / ``align``: the best and the mean top-3 cosine to the event's members found by the ANN search
  (a member-level link: a long event's centroid drifts, its closest accounts do not);
- ``lex``: mean TF-IDF cosine to a bounded sample of members (the ANN hits and the latest ``RECENT``);
- ``ent``: the share of the article's entity weight (IDF over the articles seen so far) that the
  event's members also mention: canonical entity ids when given, capitalised names otherwise;
- ``gap`` / ``nodate``: day gap to the nearest of the event's latest dates; ``size``: log1p(members),
  which lets the model ask more of an article joining a big event (against chaining).

All of it is bounded per article (``NEIGHBOURS`` hits, ``RECENT`` members), so the cost of one ``add``
grows with log(store size), not with the store or the size of an event. The article joins the best
event when its probability reaches ``threshold``; every other candidate event that reaches
``merge_threshold`` is merged into that one (the article bridges them). Otherwise it opens a new event.

Deterministic: the same items in the same order give the same events and the same event ids (an
event's id derives from its first article; a merge keeps the older event's id).

``fit_event_model`` is the documented procedure behind the shipped ``event`` weights and threshold:
stream the dev articles with their gold events (teacher forcing), collect one row per (article,
candidate event) with label "is its gold event", fit the logistic additive model, then pick the
threshold that maximises B-cubed F1 of a real online run on the same stream.
"""
from __future__ import annotations

import hashlib
import heapq
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ..models import stable_id
from .embed import DIM
from .ann import TimeBucketedIndex
from .similarity import (FEATURES, ArticleFeatures, ScoreModel, fit_weights, load_models,
                         save_model)

WINDOW_DAYS = 30.0  # candidates come from articles published within this many days
NEIGHBOURS = 24  # ANN neighbours fetched per article: several per candidate event
RECENT = 8  # besides the ANN hits, the lexical link also looks at an event's latest members
# Beyond the window, an article's events are still candidates through its nearest neighbours over
# all time whose cosine reaches this (long-running events: a trial, an outbreak, a campaign, or an
# outlet that republishes weeks later). 0.5 gave the best 2-fold CV on the clustering dev set
# (B3 0.903 -> 0.916, pairwise 0.826 -> 0.861; 0.4 and 0.6 were lower, see benchmarks/RESULTS.md).
FAR_MIN = 0.5
# At most this many events come in through far neighbours (the closest first): in a long history
# every story has look-alikes in many past months, and scoring each of their events would make an
# article's cost grow with the history instead of staying bounded.
FAR_EVENTS = 3
EVENT_FEATURES = ("vec", "lead", "lex", "ent", "gap", "nodate", "title", "align", "knn", "size")


@dataclass
class ClusterItem:
    """One article to cluster: its id, date (None = unknown) and features."""

    article_id: str
    published: datetime | None
    features: ArticleFeatures
    ingested_at: datetime | None = None  # where an undated article is placed in time


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return (v / n).astype(np.float32) if n > 0 else v.astype(np.float32)


# Event sums are kept in fixed point (steps of 2**-40; a unit vector's components are at most 1,
# so an int64 sum holds 8 million members): integer addition does not depend on the order of the
# terms, so an event rebuilt from its stored members (``EventClusterer.restore``) has exactly the
# sums that the stream built, merges included. Float sums would differ in the last bits, and a
# score on the threshold could then go the other way in the next process.
_FIXED = float(2 ** 40)


def _fixed(v: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(v, np.float64) * _FIXED).astype(np.int64)


@dataclass
class _Event:
    id: str
    seq: int  # creation order: the older event survives a merge
    members: list[str] = field(default_factory=list)  # in arrival order, merges included
    arrivals: list[int] = field(default_factory=list)  # each member's arrival number
    vec_sum: np.ndarray = field(default_factory=lambda: np.zeros(DIM, np.int64))
    lead_sum: np.ndarray = field(default_factory=lambda: np.zeros(DIM, np.int64))
    title_sum: np.ndarray = field(default_factory=lambda: np.zeros(DIM, np.int64))
    entities: Counter = field(default_factory=Counter)  # entity -> members that mention it
    dates: list[tuple[int, datetime]] = field(default_factory=list)  # (arrival, date), dated members
    # the unit vectors of the three sums, computed when first scored and dropped on any change
    _units: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def units(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The unit vectors of the article, lead and headline sums (centroid directions)."""
        if self._units is None:
            self._units = (_unit(self.vec_sum), _unit(self.lead_sum), _unit(self.title_sum))
        return self._units

    def absorb(self, f: ArticleFeatures, article_id: str, when: datetime | None,
               arrival: int) -> None:
        self._units = None
        self.members.append(article_id)
        self.arrivals.append(arrival)
        self.vec_sum += _fixed(f.vector)
        self.lead_sum += _fixed(f.lead)
        self.title_sum += _fixed(f.title if f.title is not None else f.lead)
        self.entities.update(f.entities)
        if when is not None:
            self.dates.append((arrival, when))

    def merge(self, other: "_Event") -> None:
        # Members (and dates) stay in arrival order, as if the two events had been one from the
        # start: "the latest members" are then the same whatever merged when, and an event
        # restored from its members is the one the stream built.
        self._units = None
        pairs = list(heapq.merge(zip(self.arrivals, self.members), zip(other.arrivals, other.members)))
        self.arrivals = [a for a, _ in pairs]
        self.members = [m for _, m in pairs]
        self.vec_sum += other.vec_sum
        self.lead_sum += other.lead_sum
        self.title_sum += other.title_sum
        self.entities.update(other.entities)
        self.dates = list(heapq.merge(self.dates, other.dates, key=lambda t: t[0]))

    def gap_days(self, when: datetime | None) -> float | None:
        if when is None or not self.dates:
            return None
        # The nearest of the latest dates: bounded work however long the event grows.
        return min(abs((when - d).total_seconds()) for _, d in self.dates[-4 * RECENT:]) / 86400.0


@dataclass
class _Query:
    """What an article brings to every candidate event, computed once per article: its lexical
    vector as (sorted term ids, weights) and its entities' IDF weights."""

    lex_ids: np.ndarray
    lex_weights: np.ndarray
    entity_idf: dict[str, float]
    entity_total: float


@dataclass
class _Link:
    """What the ANN search says about one candidate event: its members among the hits."""

    event: _Event
    hits: list[tuple[str, float]] = field(default_factory=list)  # (article id, cosine), best first


def _term_id(term: str) -> int:
    """A term's id for the lexical vectors: 64 bits of its BLAKE2b digest (the same in every
    process, unlike ``hash``; a collision among a store's terms is vanishingly unlikely)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest(), "little", signed=True)


def _aware(d: datetime | None) -> datetime | None:
    # Naive datetimes are taken as UTC so that naive and aware inputs can be compared.
    if d is None:
        return None
    return d if d.tzinfo is not None else d.replace(tzinfo=timezone.utc)


class EventClusterer:
    """Online event clustering; ``add`` items in publication order, read ``events()``."""

    def __init__(self, model: ScoreModel | None = None, threshold: float | None = None,
                 window_days: float = WINDOW_DAYS, neighbours: int = NEIGHBOURS,
                 merge_threshold: float | None = None, index: "Any | None" = None,
                 far_min: float = FAR_MIN, ann_cache: "Path | None" = None) -> None:
        self._model = model
        self.ann_cache = ann_cache  # where the in-process index keeps its global graph
        self.far_min = far_min
        self.threshold = threshold
        # A second candidate event is merged into the chosen one only when the article also scores
        # this high against it (None: the model's fitted value, else the join threshold).
        self.merge_threshold = merge_threshold
        self.window_days = window_days
        self.neighbours = neighbours
        # The candidate source: per-time-bucket faiss indexes in this process by default, or the
        # store's own vector index (ann.StoreIndex) when the store has one (PostgreSQL).
        self._index: Any = index
        self._when: dict[str, datetime | None] = {}  # article id -> date used for the window
        self._dated: dict[str, bool] = {}
        self._event_of: dict[str, str] = {}  # article id -> event id it joined (maybe merged since)
        self._parent: dict[str, str] = {}  # merged event id -> surviving event id
        self._events: dict[str, _Event] = {}
        # article id -> its TF-IDF weights: the term -> weight mapping it came with until the
        # lexical link first compares with it, then (sorted term ids, weights). Most members are
        # never compared again (only an event's latest few and the ANN hits are), so a rebuild
        # of a large store does not convert them all.
        self._lexical: dict[str, Mapping[str, float] | tuple[np.ndarray, np.ndarray]] = {}
        self._term_ids: dict[str, int] = {}  # term -> its id (_term_id), computed once
        self._df: Counter = Counter()  # entity -> articles seen that mention it
        self._n_docs = 0
        self._seq = 0
        self._arrivals = 0  # articles admitted so far: the next one's arrival number
        self._clock: datetime | None = None  # latest date seen: where undated items are placed
        self.flags: dict[str, str] = {}  # article id -> why it was handled specially
        self.merged: list[tuple[str, str]] = []  # (merged event id, surviving id), in order

    def setup(self) -> "EventClusterer":
        """Load the fitted model and build the ANN index; returns self."""
        if self._model is None or self.threshold is None:
            model = load_models()["event"]
            self._model = self._model or model
            if self.threshold is None:
                self.threshold = float(model.meta.get("threshold", 0.5))
        if self.merge_threshold is None:
            self.merge_threshold = float(self._model.meta.get("merge_threshold", self.threshold))
        if self._index is None:
            self._index = TimeBucketedIndex(DIM, self.window_days, global_index=self.far_min < 1.0,
                                            cache=self.ann_cache)
        return self

    @property
    def fitted_threshold(self) -> float:
        """The threshold its event model was fitted with (what ``threshold=None`` uses)."""
        assert self._model is not None, "setup() first"
        return float(self._model.meta.get("threshold", 0.5))

    def save_index(self) -> None:
        """Save what a later process restoring the same articles can load instead of building
        (the in-process index's global graph, when it has a cache file; see ann.py)."""
        if isinstance(self._index, TimeBucketedIndex):
            self._index.save_global()

    # ---- public API -------------------------------------------------------------------------

    def add(self, item: ClusterItem) -> str:
        """Assign one article (in publication order) to an event; returns the event id."""
        if self._index is None:
            self.setup()
        if item.article_id in self._event_of:
            return self._find(self._event_of[item.article_id])
        when, dated, has_vec = self._arrive(item)
        f = item.features
        scored = []
        links = self._candidates(f, when, dated) if has_vec else []
        if links:
            # One model call for every candidate event of the article.
            probs = self._model.score(self._rows(f, links, when if dated else None))
            for link, p in zip(links, probs.tolist()):
                if p >= min(self.threshold, self.merge_threshold):
                    scored.append((-p, link.event.seq, link.event.id))
        scored.sort()
        if scored and -scored[0][0] >= self.threshold:
            target = self._events[scored[0][2]]
            for negp, _, other_id in scored[1:]:
                if -negp >= self.merge_threshold:
                    target = self._merge(target, self._events[other_id])
        else:
            target = self._new_event(item.article_id)
        self._admit(item.article_id, f, target, when, dated, has_vec)
        return target.id

    def restore(self, items: Sequence[ClusterItem], event_of: Mapping[str, str]) -> "EventClusterer":
        """Rebuild, without scoring anything, the state a stream of ``items`` left behind when
        it put each item in the event ``event_of`` names (what a store keeps of a grouping), so
        that later items can be added as if this process had streamed them all: ``items`` in
        stream order (``stream_order``), every one of them with its event. An event's id is
        that of the member it opened with, as ``add`` names events, and since a merge keeps the
        older event's id, that member is the event's first in arrival order. ValueError (nothing
        to rebuild on: stream again) when the events cannot come from this clusterer."""
        if self._index is None:
            self.setup()
        if self._arrivals:
            raise ValueError("restore needs a clusterer that has seen nothing")
        for item in items:
            eid = event_of.get(item.article_id)
            if eid is None:
                raise ValueError(f"article {item.article_id} has no event to restore")
            when, dated, has_vec = self._arrive(item)
            ev = self._events.get(eid)
            if ev is None:
                if eid != stable_id("ev", item.article_id):
                    raise ValueError(f"event {eid} does not start with its first article "
                                     f"({item.article_id})")
                ev = self._new_event(item.article_id)
            self._admit(item.article_id, item.features, ev, when, dated, has_vec)
        return self

    def events(self) -> dict[str, list[str]]:
        """Event id -> article ids, in arrival order."""
        return {eid: list(ev.members) for eid, ev in sorted(self._events.items(), key=lambda kv: kv[1].seq)}

    def event_of(self, article_id: str) -> str | None:
        """The current event of an article (following merges), or None if unseen."""
        e = self._event_of.get(article_id)
        return self._find(e) if e is not None else None

    def score(self, f: ArticleFeatures, event: _Event, when: datetime | None) -> float:
        """Probability that an article with features f (dated ``when``) reports ``event``."""
        hits = [(a, float(f.vector @ self._vector_of(a))) for a in event.members[-RECENT:]]
        link = _Link(event, sorted(hits, key=lambda h: -h[1]))
        return float(self._model.score(self._rows(f, [link], when))[0])

    # ---- internals --------------------------------------------------------------------------

    def _vector_of(self, article_id: str) -> np.ndarray:
        assert self._index is not None
        return self._index.vector(article_id)

    def _arrive(self, item: ClusterItem) -> tuple[datetime | None, bool, bool]:
        """Place an arriving item in time and count its entities: (when, dated, has a vector)."""
        when, dated = self._place(item)
        has_vec = bool(np.any(item.features.vector))
        if not has_vec:
            self.flags[item.article_id] = "no text: kept as its own event"
        self._count_entities(item.features)
        return when, dated, has_vec

    def _count_entities(self, f: ArticleFeatures) -> None:
        self._n_docs += 1
        self._df.update(f.entities)

    def _idf(self, entity: str) -> float:
        # Smoothed, and floored so that an entity in every article still counts a little.
        return max(0.1, math.log((self._n_docs + 1) / (self._df[entity] + 0.5)))

    def _prepare(self, f: ArticleFeatures) -> _Query:
        """What the article brings to each of its candidate events, computed once."""
        ids, weights = self._lex_arrays(f.lexical)
        idf = {e: self._idf(e) for e in f.entities}
        return _Query(ids, weights, idf, sum(idf.values()))

    @staticmethod
    def _entity_link(q: _Query, event: _Event) -> float:
        """Share of the article's entity weight (IDF) that the event's members also mention."""
        if q.entity_total <= 0 or not event.entities:
            return 0.0
        return sum(w for e, w in q.entity_idf.items() if e in event.entities) / q.entity_total

    def _lex_arrays(self, lexical: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """A sparse vector as (sorted term ids, weights). A term's id depends on the term alone,
        not on when it was first seen, so the vectors compare (and sum) the same whichever
        articles were converted first."""
        known = self._term_ids
        for t in set(lexical).difference(known):
            known[t] = _term_id(t)
        ids = np.fromiter(map(known.__getitem__, lexical), np.int64, len(lexical))
        weights = np.fromiter(lexical.values(), np.float64, len(lexical))
        order = np.argsort(ids)  # ids are distinct: one order
        return ids[order], weights[order]

    def _stored_lex(self, article_id: str) -> tuple[np.ndarray, np.ndarray]:
        """A member's lexical vector, converted on first use."""
        v = self._lexical[article_id]
        if not isinstance(v, tuple):
            v = self._lexical[article_id] = self._lex_arrays(v)
        return v

    @staticmethod
    def _lex_sample(link: _Link) -> list[str]:
        """The members an article is compared with lexically: bounded however big the event."""
        return list(dict.fromkeys([a for a, _ in link.hits] + link.event.members[-RECENT:]))

    def _lex_link(self, q: _Query, link: _Link) -> float:
        # Average-link lexical cosine over a bounded sample: the members the ANN search found and
        # the latest few. A long event's summed vector drifts towards its common words, while the
        # mean of member cosines keeps each account's specific wording.
        stored = [self._stored_lex(a) for a in self._lex_sample(link) if a in self._lexical]
        if not stored:
            return 0.0
        q_ids, q_w = q.lex_ids, q.lex_weights
        if not len(q_ids):
            return 0.0
        # All the sampled members' term ids at once, matched against the article's sorted ids
        # (one vectorised pass instead of a Python loop per member and term).
        ids = np.concatenate([t for t, _ in stored])
        weights = np.concatenate([w for _, w in stored])
        owner = np.repeat(np.arange(len(stored)), [len(t) for t, _ in stored])
        pos = np.minimum(np.searchsorted(q_ids, ids), len(q_ids) - 1)
        hit = q_ids[pos] == ids
        dots = np.bincount(owner[hit], weights=weights[hit] * q_w[pos[hit]], minlength=len(stored))
        return float(dots.sum() / len(stored))

    def _rows(self, f: ArticleFeatures, links: Sequence[_Link], when: datetime | None
              ) -> np.ndarray:
        """The feature rows (FEATURES order) of an article against its candidate events."""
        q = self._prepare(f)
        return np.stack([self._row(f, q, link, when) for link in links])

    def _row(self, f: ArticleFeatures, q: _Query, link: _Link, when: datetime | None
             ) -> np.ndarray:
        """The feature row (FEATURES order) of an article against a candidate event."""
        ev = link.event
        gap = ev.gap_days(when)
        title = f.title if f.title is not None else f.lead
        vec_unit, lead_unit, title_unit = ev.units()
        cos = [c for _, c in link.hits] or [float(f.vector @ vec_unit)]
        top = cos[:3]
        return np.array([
            float(f.vector @ vec_unit),
            float(f.lead @ lead_unit),
            self._lex_link(q, link),
            self._entity_link(q, ev),
            math.log1p(gap) if gap is not None else 0.0,
            1.0 if gap is None else 0.0,
            float(title @ title_unit),
            sum(top) / len(top),  # "align" for events: mean cosine to the (up to) 3 nearest members
            cos[0],
            math.log1p(len(ev.members)),
        ], dtype=np.float64)

    def _admit(self, article_id: str, f: ArticleFeatures, target: _Event, when: datetime | None,
               dated: bool, has_vec: bool) -> None:
        target.absorb(f, article_id, when if dated else None, self._arrivals)
        self._arrivals += 1
        self._event_of[article_id] = target.id
        self._when[article_id] = when
        self._dated[article_id] = dated
        self._lexical[article_id] = f.lexical
        if has_vec:
            assert self._index is not None
            self._index.add(article_id, f.vector, when if dated else None)

    def _place(self, item: ClusterItem) -> tuple[datetime | None, bool]:
        when = _aware(item.published)
        if when is not None:
            if self._clock is None or when > self._clock:
                self._clock = when
            return when, True
        self.flags[item.article_id] = "no date: placed at the stream's clock"
        # The stream's clock (the latest publication date seen) says where an undated article
        # arrived among the others; its ingest time does not when a back-catalogue is ingested.
        return self._clock or _aware(item.ingested_at), False

    def _candidates(self, f: ArticleFeatures, when: datetime | None, dated: bool) -> list[_Link]:
        assert self._index is not None
        if not len(self._index):
            return []
        seen: dict[str, _Link] = {}
        for aid, sim in self._index.search(f.vector, self.neighbours, when if dated else None):
            other = self._when.get(aid)
            # Undated articles (either side) skip the window: their placement says nothing.
            if dated and self._dated.get(aid) and other is not None and when is not None:
                if abs((when - other).total_seconds()) > self.window_days * 86400:
                    continue
            ev = self._events[self._find(self._event_of[aid])]
            seen.setdefault(ev.id, _Link(ev)).hits.append((aid, float(sim)))
        if dated and when is not None and self.far_min < 1.0:
            # Long-running events: an article very close to one published outside the window
            # still gets that article's event as a candidate; the model weighs the day gap.
            far: set[str] = set()
            for aid, sim in self._index.search_global(f.vector, self.neighbours):
                other = self._when.get(aid)
                if sim < self.far_min or other is None or not self._dated.get(aid) or \
                        abs((when - other).total_seconds()) <= self.window_days * 86400:
                    continue
                ev = self._events[self._find(self._event_of[aid])]
                if ev.id not in seen:
                    if len(far) >= FAR_EVENTS:
                        continue
                    far.add(ev.id)
                seen.setdefault(ev.id, _Link(ev)).hits.append((aid, float(sim)))
        for link in seen.values():
            link.hits.sort(key=lambda h: -h[1])
        return sorted(seen.values(), key=lambda lk: lk.event.seq)

    def _new_event(self, first_article: str) -> _Event:
        ev = _Event(id=stable_id("ev", first_article), seq=self._seq)
        self._seq += 1
        self._events[ev.id] = ev
        return ev

    def _merge(self, a: _Event, b: _Event) -> _Event:
        keep, gone = (a, b) if a.seq < b.seq else (b, a)
        keep.merge(gone)
        del self._events[gone.id]
        self._parent[gone.id] = keep.id
        self.merged.append((gone.id, keep.id))
        return keep

    def _find(self, eid: str) -> str:
        root = eid
        while root in self._parent:
            root = self._parent[root]
        while eid != root:  # path compression keeps lookups near O(1) after many merges
            self._parent[eid], eid = root, self._parent[eid]
        return root


def _order_key(item: ClusterItem, pos: int) -> tuple:
    when = _aware(item.published) or _aware(item.ingested_at)
    # Undated items without an ingest time go last, in input order.
    return (when is None, when or datetime.min.replace(tzinfo=timezone.utc), pos)


def stream_order(items: Sequence[ClusterItem]) -> list[ClusterItem]:
    """Items in publication order (undated ones at their ingest time, else last); stable."""
    return [it for _, it in sorted(((_order_key(it, i), it) for i, it in enumerate(items)),
                                   key=lambda t: t[0])]


def cluster_articles(items: Iterable[ClusterItem], model: ScoreModel | None = None,
                     threshold: float | None = None,
                     merge_threshold: float | None = None) -> dict[str, list[str]]:
    """Batch re-clustering: stream the items in publication order; event id -> article ids."""
    c = EventClusterer(model=model, threshold=threshold, merge_threshold=merge_threshold).setup()
    for it in stream_order(list(items)):
        c.add(it)
    return c.events()


# ---- fitting -------------------------------------------------------------------------------


def training_rows(items: Sequence[ClusterItem], gold: Mapping[str, str],
                  window_days: float = WINDOW_DAYS) -> tuple[np.ndarray, np.ndarray]:
    """Teacher-forced (article, candidate event) feature rows and labels from a gold stream."""
    c = EventClusterer(model=ScoreModel({}, {}, 0.0), threshold=2.0, window_days=window_days)
    c.setup()
    X, y = [], []
    for it in stream_order(items):
        when, dated, has_vec = c._arrive(it)
        g = gold[it.article_id]
        f = it.features
        links = c._candidates(f, when, dated) if has_vec else []
        if links:
            X.extend(c._rows(f, links, when if dated else None))
            y.extend(1 if link.event.id == g else 0 for link in links)
        ev = c._events.get(g)
        if ev is None:
            ev = _Event(id=g, seq=c._seq)
            c._seq += 1
            c._events[g] = ev
        c._admit(it.article_id, f, ev, when, dated, has_vec)
    return np.array(X).reshape(-1, len(FEATURES)), np.array(y)


def fit_event_model(items: Sequence[ClusterItem], gold: Mapping[str, str],
                    score: Callable[[dict[str, list[str]], Mapping[str, str]], float],
                    thresholds: Sequence[float] = tuple(np.round(np.arange(0.05, 0.96, 0.05), 2)),
                    save: bool = False, features: Sequence[str] = EVENT_FEATURES) -> ScoreModel:
    """Fit the ``event`` scorer and its threshold on a gold-labelled stream (see module doc)."""
    X, y = training_rows(items, gold)
    model = fit_weights(X, y, binary=True, features=features,
                        meta=dict(data="clustering dev set", rows=int(len(y)), positives=int(y.sum())))
    best = max(thresholds, key=lambda t: (score(cluster_articles(items, model, t, t), gold), -t))
    model.meta["threshold"] = float(best)
    if save:
        save_model("event", model)
    return model
