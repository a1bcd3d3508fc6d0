"""Storylines: events chained into longer-running stories (same main entities and place, or
close texts sharing a main entity, with pauses of at most STORY_GAP_DAYS); an event belongs to at
most one storyline. For a kept grouping that changes batch by batch, ``MainEntities`` keeps each
event's main entities up to date (a batch ranks again only what it can have moved) and
``StoryLinks`` relinks from the earliest event a batch touched: both give exactly what linking
from scratch (``link_stories``) gives."""
from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

import numpy as np

from ..models import Event, Story, StoredFeatures

# Entity types that identify an event's actors and place (MISC is nationalities, events…).
_KEY_TYPES = {"PER", "ORG", "LOC"}
STORY_GAP_DAYS = 45  # the longest pause between two events of one storyline
STORY_MIN_JACCARD = 0.25  # overlap of main entities for two events to continue one storyline
# Or: the two events' texts are this close (cosine of their centroids) and they share at least one
# main entity. Entity overlap alone rarely fires on real events (their main entities are spelled
# and ranked differently), so pieces of one running story stayed apart; see benchmarks/RESULTS.md
# ("Storylines") for how 0.6 was chosen (clustering dev set and the Wikinews corpus).
STORY_MIN_COSINE = 0.6
MAIN_ENTITIES = 6
DECIMALS = 4  # cosines and scores are compared at this precision (the same in every process)


def _cosine(a: np.ndarray | None, b: np.ndarray | None) -> float:
    if a is None or b is None:  # an event none of whose articles has a vector
        return 0.0
    return round(float(a @ b), DECIMALS)


def _event_entities(ev: Event, features: Mapping[str, StoredFeatures],
                    entity_types: Mapping[str, str]) -> Counter[str]:
    """How many of the event's articles name each of its actor/place entities."""
    counts: Counter[str] = Counter()
    for aid in ev.article_ids:
        f = features.get(aid)
        if f:
            counts.update(e for e in set(f.entities) if entity_types.get(e) in _KEY_TYPES)
    return counts


def _main_entities(counts: Counter[str], df: Mapping[str, int]) -> set[str]:
    """The event's main entities: the ones most of its articles name.

    Ties (in a small event most entities are named once) go to the entity fewer other events
    name, then to the smaller id: "Earth" or "United States" named in passing does not crowd
    out the event's own actors and places, and the choice never depends on article order."""
    return set(heapq.nsmallest(MAIN_ENTITIES, counts, key=lambda e: (-counts[e], df.get(e, 0), e)))


Key = tuple[int, str]  # an entity's rank among equally-named ones: (document frequency, id)


def _boundary(counts: Counter[str], main: set[str], df: Mapping[str, int]
              ) -> tuple[frozenset[str], Key, Key] | None:
    """Where the cut at MAIN_ENTITIES splits a level of equally-named entities (more-named ones
    are in whatever their frequency, less-named ones out): that level, and the rank of its last
    entity in and of its first entity out. None when nothing is split, so no frequency can move
    the cut."""
    if len(counts) <= MAIN_ENTITIES:
        return None
    cut = min(counts[e] for e in main)
    level = frozenset(e for e, c in counts.items() if c == cut)
    if level <= main:
        return None
    return (level, max((df.get(e, 0), e) for e in level & main),
            min((df.get(e, 0), e) for e in level - main))


class MainEntities:
    """Each event's main entities (``_main_entities``) with the document frequencies they are
    ranked by, kept up to date event by event: ``change`` what an event names (or that it is
    gone), then ``settle``. Only the changed events are ranked again, and the events whose cut
    a changed frequency can move: an entity of the level the cut splits whose rank, between its
    frequency before and after, reaches the ranks on either side of the cut. An entity that
    stays on its side of both (and the boundary entities unchanged) leaves the cut where it
    was. The result is exactly what ranking every event from scratch gives
    (tests/stages/test_storylines.py); relinking a 50,000-article grouping spent most of its
    time ranking every event's entities."""

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()  # entity -> events that name it
        self.main: dict[str, set[str]] = {}  # event id -> its main entities
        self._cuts: dict[str, tuple[frozenset[str], Key, Key]] = {}  # event id -> _boundary
        self._tied: defaultdict[str, set[str]] = defaultdict(set)  # entity -> events cut in its level
        self._events: set[str] = set()  # changed since the last settle
        self._was: dict[str, int] = {}  # entity -> its frequency at the last settle, if changed
        self.moved: set[str] = set()  # events whose main entities the last settle changed

    @classmethod
    def of(cls, named: Mapping[str, Counter[str]]) -> "MainEntities":
        """Every event of ``named`` counted in, not yet ranked (``settle`` ranks them)."""
        mains = cls()
        for eid, counts in named.items():
            mains.change(eid, (), counts)
        return mains

    def change(self, event_id: str, before: Iterable[str], after: Iterable[str]) -> None:
        """An event named the entities ``before`` and now names ``after`` (nothing: gone)."""
        old, new = set(before), set(after)
        for e in old ^ new:
            self._was.setdefault(e, self.df.get(e, 0))
        for e in old - new:
            self.df[e] -= 1
            if not self.df[e]:
                del self.df[e]
        for e in new - old:
            self.df[e] += 1
        self._events.add(event_id)

    def settle(self, named: Mapping[str, Counter[str]]) -> dict[str, set[str]]:
        """Rank again what the changes since the last settle can have moved; ``named``: every
        event's counts as they are now. Returns ``main``."""
        self.moved = set()
        todo = set(self._events)
        for e, was in self._was.items():
            now = self.df.get(e, 0)
            lo, hi = (min(was, now), e), (max(was, now), e)
            for eid in self._tied.get(e, ()):
                if eid not in todo:
                    _, last_in, first_out = self._cuts[eid]
                    if hi >= last_in and lo <= first_out:
                        todo.add(eid)
        for eid in todo:
            old = self._cuts.pop(eid, None)
            for e in old[0] if old else ():
                self._tied[e].discard(eid)
                if not self._tied[e]:
                    del self._tied[e]
            counts = named.get(eid)
            before = self.main.pop(eid, None)
            if counts is None:
                if before is not None:
                    self.moved.add(eid)
                continue
            main = self.main[eid] = _main_entities(counts, self.df)
            if main != before:
                self.moved.add(eid)
            cut = _boundary(counts, main, self.df)
            if cut is not None:
                self._cuts[eid] = cut
                for e in cut[0]:
                    self._tied[e].add(eid)
        self._events.clear()
        self._was.clear()
        return self.main


def _centroid(ev: Event, features: Mapping[str, StoredFeatures]) -> np.ndarray | None:
    """The unit mean of the event's article vectors (None: no article has one)."""
    vecs = [features[a].vector for a in ev.article_ids if a in features]
    if not vecs:
        return None
    mean = np.mean(np.stack(vecs), axis=0, dtype=np.float64)
    norm = float(np.linalg.norm(mean))
    return (mean / norm).astype(np.float32) if norm > 0 else None


def link_stories(events: Sequence[Event], features: Mapping[str, StoredFeatures],
                 entity_types: Mapping[str, str],
                 named: "Mapping[str, Counter[str]] | None" = None,
                 centroids: "Mapping[str, np.ndarray | None] | None" = None,
                 main: "Mapping[str, set[str]] | None" = None) -> list[Story]:
    """Chain successive events into storylines: an event continues a chain whose last two events
    share its main entities, a person or organisation and a place among them (Jaccard of the main
    entities >= STORY_MIN_JACCARD), or whose texts are close to it (centroid cosine >=
    STORY_MIN_COSINE) while sharing at least one main entity. ``named`` / ``centroids`` /
    ``main``: each event's ``_event_entities`` / ``_centroid`` / main entities when the caller
    already has them (``MainEntities``)."""
    if named is None:
        named = {e.id: _event_entities(e, features, entity_types) for e in events}
    if centroids is None:
        centroids = {e.id: _centroid(e, features) for e in events}
    if main is None:
        main = MainEntities.of(named).settle(named)
    return StoryLinks().link(events, entity_types, centroids, main)


def _order_key(e: Event) -> tuple[date, str]:
    return (e.date or datetime.min.date(), e.id)


def _theirs(chain: list[Event], main: Mapping[str, set[str]]) -> set[str]:
    # What an event is compared with when it may continue a chain: its last two events' entities.
    return set().union(*(main[x.id] for x in chain[-2:]))


def _end(e: Event) -> date:
    # The pause is counted from the chain's last event's newest article: a running event that
    # began months ago but is still reported yesterday is right before the next one.
    return e.last_published.date() if e.last_published else e.date


class StoryLinks:
    """``link_stories`` for a grouping that changes batch by batch: it keeps the last linking and
    relinks from the earliest event whose place in the date order or whose inputs (``touched``:
    rebuilt, or main entities moved) changed; every event before that links exactly as it did,
    since the chains are built in date order. The same storylines as linking from scratch
    (tests/stages/test_storylines.py); a kept grouping of 50,000 articles walked all its
    14,000 events after every batch."""

    def __init__(self) -> None:
        self._ids: list[str] = []  # the events in date order, as last linked
        self._before: list[int] = []  # per position: how many chains existed before it
        self._chains: list[list[Event]] = []
        self._positions: list[list[int]] = []  # per chain: its events' positions
        self._open: list[bool] = []  # per chain: can be continued (its first event has entities)

    def link(self, events: Sequence[Event], entity_types: Mapping[str, str],
             centroids: Mapping[str, "np.ndarray | None"], main: Mapping[str, set[str]],
             touched: Iterable[str] | None = None) -> list[Story]:
        """The storylines of ``events`` (their ``story_id`` set). ``touched``: the events that
        changed since the last call (None: everything may have)."""
        order = sorted(events, key=_order_key)
        ids = [e.id for e in order]
        start = self._resume_at(ids, touched)
        chains, positions = self._chains, self._positions
        n = self._before[start] if start < len(self._before) else len(chains)
        del chains[n:], positions[n:], self._open[n:], self._before[start:]
        # Chains that a later event can still continue. Events come in date order, so a chain
        # whose last event ended more than STORY_GAP_DAYS before this one is closed for good:
        # dropping it keeps the work per event bounded by the chains of the last weeks, not by
        # the whole history (30,000 events made this loop quadratic).
        # (chain, date its last event ended, main entities of its last two events) by position
        # in ``chains``: ties go to the older chain.
        open_chains: dict[int, tuple[list[Event], date, set[str]]] = {}
        first = order[start].date if start < len(order) else None
        for k in range(n):
            if positions[k][-1] >= start:  # linked again from ``start`` on
                cut = bisect_left(positions[k], start)
                del chains[k][cut:], positions[k][cut:]
            if not self._open[k]:
                continue
            end = _end(chains[k][-1])
            if first is None or (first - end).days <= STORY_GAP_DAYS:
                open_chains[k] = (chains[k], end, _theirs(chains[k], main))
        pruned_on: date | None = None
        for i in range(start, len(order)):
            ev = order[i]
            self._before.append(len(chains))
            mine = main[ev.id]
            if not mine or ev.date is None:
                chains.append([ev])
                positions.append([i])
                self._open.append(False)
                continue
            if ev.date != pruned_on:
                # Once per day is enough: a chain continued today ends today or later.
                open_chains = {k: t for k, t in open_chains.items()
                               if (ev.date - t[1]).days <= STORY_GAP_DAYS}
                pruned_on = ev.date
            best, best_score, at = None, 0.0, len(chains)
            here = centroids.get(ev.id)
            for k, (chain, _, theirs) in open_chains.items():
                shared = mine & theirs
                if not shared:
                    continue
                places = {e for e in shared if entity_types.get(e) == "LOC"}
                people = {e for e in shared if entity_types.get(e) in ("PER", "ORG")}
                overlap = len(shared) / len(mine | theirs)
                close = max((_cosine(here, centroids.get(x.id)) for x in chain[-2:]), default=0.0)
                # Rounded: the same choice whatever process or batch computed the centroids.
                score = round(overlap + close, DECIMALS)
                if ((overlap >= STORY_MIN_JACCARD and places and people)
                        or close >= STORY_MIN_COSINE) and score > best_score:
                    best, best_score, at = chain, score, k
            if best is None:
                best = [ev]
                chains.append(best)
                positions.append([i])
                self._open.append(True)
            else:
                best.append(ev)
                positions[at].append(i)
            open_chains[at] = (best, _end(ev), _theirs(best, main))
        self._ids = ids
        return self._stories({e.id: e for e in order})

    def _resume_at(self, ids: list[str], touched: Iterable[str] | None) -> int:
        """The first position whose event, or whose inputs, may differ from the last linking."""
        if touched is None:
            return 0
        old = self._ids
        start = next((i for i, (a, b) in enumerate(zip(ids, old)) if a != b),
                     min(len(ids), len(old)))
        at = {eid: i for i, eid in enumerate(ids[:start])}
        for eid in touched:
            start = min(start, at.get(eid, start))
        return start

    def _stories(self, by_id: Mapping[str, Event]) -> list[Story]:
        stories = []
        for chain in self._chains:
            if len(chain) < 2:
                continue
            chain[:] = [by_id[e.id] for e in chain]  # the events as they are now
            sid = f"story_{chain[0].id}"
            biggest = max(chain, key=lambda e: (len(e.article_ids), e.date))
            for e in chain:
                e.story_id = sid
            stories.append(Story(id=sid, title=biggest.title, event_ids=[e.id for e in chain],
                                 first_date=chain[0].date, last_date=chain[-1].date))
        return stories
