"""Group stage: stored articles -> copies, events and storylines.

Featurising (embedding) is done once per article and stored. ``Grouper.group`` replays the
stored features through the online clusterer in publication order, so the same articles always
give the same events, and re-clustering from scratch is the same call. It also returns the state
it ends in, which ``Grouper.extend`` takes further with later articles: a process that keeps
running (``watch``, the API server) pays for its new articles only, not for the whole store.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterator, Mapping, Sequence

import numpy as np

from ..models import Article, Event, Failure, Story, StoredFeatures, stable_id
from .storylines import MainEntities, StoryLinks, _centroid, _event_entities

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from ..store.base import Store
    from .cluster import ClusterItem, EventClusterer
    from .dedup import CopyDetector
    from .similarity import Featurizer

TITLE_DECIMALS = 4  # an event title's closeness to the centroid is compared at this precision


@dataclass
class GroupingState:
    """What grouping a store leaves behind, so that later articles can be added to it without
    replaying the whole store (``Grouper.extend``): the clusterer and copy detector as they
    stand, and per article what events and storylines are built from (texts, lead and title
    vectors and lexical weights are not kept)."""

    clusterer: "EventClusterer"
    detector: "CopyDetector"
    articles: dict[str, Article] = field(default_factory=dict)
    features: dict[str, StoredFeatures] = field(default_factory=dict)
    copies: dict[str, str] = field(default_factory=dict)  # copy id -> original id
    members: dict[str, list[str]] = field(default_factory=dict)  # event id -> article ids
    events: dict[str, Event] = field(default_factory=dict)
    named: dict[str, Counter] = field(default_factory=dict)  # event id -> _event_entities
    centroids: dict[str, np.ndarray] = field(default_factory=dict)  # event id -> _centroid
    mains: MainEntities = field(default_factory=MainEntities)  # each event's main entities
    links: StoryLinks = field(default_factory=StoryLinks)  # the last storyline linking
    types: dict[str, str] = field(default_factory=dict)  # the entity types it was counted with
    token: tuple = ()  # what the store looked like when this grouping was written to it

    def remember(self, a: Article, f: StoredFeatures | None) -> None:
        # A copy only when there is something to drop: articles read without their texts (a
        # rebuild of a large store) are kept as they are.
        self.articles[a.id] = replace(a, text="", caption=None, description=None) \
            if a.text or a.caption or a.description else a
        if f is not None:
            self.features[a.id] = StoredFeatures(a.id, f.vector, None, {}, list(f.entities), None)


@dataclass
class Grouping:
    events: list[Event] = field(default_factory=list)
    copies: dict[str, str] = field(default_factory=dict)  # copy id -> original id
    stories: list[Story] = field(default_factory=list)
    # articles whose grouping features could not be computed: each stays in an event of its own
    failed: list[Failure] = field(default_factory=list)
    state: GroupingState | None = None
    # What changed since the grouping the state held before (``extend``): the ids of the events
    # to write (rebuilt, or moved to another storyline) and of the events that are gone. A store
    # that holds that earlier grouping needs only these (``Store.update_events``).
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


class Grouper:
    """Loads the embedder once; featurises articles and groups them."""

    def __init__(self, threshold: float | None = None) -> None:
        self._featurizer = None
        # The event model's join/merge threshold (None: its fitted value; Settings.event_threshold)
        self.threshold = threshold

    def setup(self) -> None:
        """Load the multilingual embedder (once per process, however many ingest runs)."""
        if self._featurizer is None:
            # One loaded encoder per process, shared with pair similarity: `watch` and the API
            # ingest again and again.
            from .similarity import default_featurizer

            self._featurizer = default_featurizer()

    def built_like(self, state: GroupingState) -> bool:
        """Whether a kept grouping joins and merges events at this grouper's threshold."""
        c = state.clusterer
        return c.threshold == (c.fitted_threshold if self.threshold is None else self.threshold)

    def featurize(self, articles: Sequence[Article], entity_ids: Mapping[str, Sequence[str]]
                  ) -> list[StoredFeatures]:
        """Grouping features of articles; entity_ids: article id -> canonical entity ids."""
        from .dedup import signature

        self.setup()
        feats = self._featurizer.featurize_many([
            dict(title=a.title, text=a.text, language=a.language, published=a.published,
                 entities=entity_ids.get(a.id, ())) for a in articles])
        return [StoredFeatures(a.id, f.vector, f.lead, dict(f.lexical),
                               sorted(entity_ids.get(a.id, ())), f.title, signature(a.text))
                for a, f in zip(articles, feats)]

    def group(self, articles: Sequence[Article], features: Mapping[str, StoredFeatures],
              entity_types: Mapping[str, str], store: "Store | None" = None) -> Grouping:
        """Copies, events and stories for articles (any order; sorted here by publication).

        With a ``store`` that has a vector index of its own (``store.vector_index``, PostgreSQL's
        pgvector HNSW), the clusterer's candidates come from that index; otherwise from faiss
        indexes built here. ``Grouping.state`` lets ``extend`` add later articles."""
        from .cluster import EventClusterer
        from .dedup import CopyDetector

        arts = sorted(articles, key=_key)
        detector = CopyDetector.rebuild(_copy_items(arts, features))
        state = GroupingState(EventClusterer(index=self._store_index(store), threshold=self.threshold,
                                             ann_cache=self._ann_cache(store)).setup(), detector)
        state.copies = {c: o for c, o in detector.copies().items() if c != o}
        for a in arts:
            state.remember(a, features.get(a.id))
            if a.id not in state.copies and a.id in features:
                self._cluster(state, a, features[a.id])
        state.members = {eid: list(ids) for eid, ids in state.clusterer.events().items()}
        for copy_id, original in state.copies.items():
            state.members.setdefault(self._home(state, original), []).append(copy_id)
        for a in arts:  # articles never featurised (no text) still belong somewhere
            if a.id not in state.copies and state.clusterer.event_of(a.id) is None:
                state.members.setdefault(stable_id("ev", a.id), [a.id])
        state.clusterer.merged.clear()
        return self._finish(state, set(state.members), entity_types)

    def restore(self, articles: Sequence[Article], features: Mapping[str, StoredFeatures],
                membership: Mapping[str, tuple[str, str | None]],
                entity_types: Mapping[str, str], store: "Store | None" = None,
                story_of: Mapping[str, str | None] | None = None) -> GroupingState | None:
        """The state a grouping of ``articles`` left behind, rebuilt from what the store kept of
        it (``membership``: article id -> (event id, id of its original when a copy)) instead of
        replaying it: the copy detector takes the stored signatures (or hashes the texts that
        have none), the clusterer takes every article into its stored event without scoring
        (``EventClusterer.restore``). ``extend`` then adds
        the articles stored since, as the process that wrote the grouping would have: a
        one-shot ingest pays for its new articles, not for judging the whole store again.

        None when the stored grouping is not one this code builds from these articles (an
        article missing from it, a copy no detector could have found, an event that does
        not start with its first article...): the caller replays the store instead."""
        from .cluster import EventClusterer, stream_order
        from .dedup import CopyDetector

        arts = sorted(articles, key=_key)
        if any(a.id not in membership for a in arts):
            return None
        copies = {a: o for a, (_, o) in membership.items() if o is not None}
        try:
            detector = CopyDetector.restore(_copy_items(arts, features), copies)
        except ValueError:
            return None
        items = [self._item(a, features[a.id]) for a in arts
                 if a.id not in copies and a.id in features]
        try:
            clusterer = EventClusterer(index=self._store_index(store), threshold=self.threshold,
                                       ann_cache=self._ann_cache(store)).setup().restore(
                stream_order(items), {a: e for a, (e, _) in membership.items()})
        except ValueError:
            return None
        state = GroupingState(clusterer, detector, copies=copies)
        state.members = {eid: list(ids) for eid, ids in clusterer.events().items()}
        for a in arts:
            state.remember(a, features.get(a.id))
            if a.id not in copies and clusterer.event_of(a.id) is None:
                # Never featurised: an event of its own, as ``group`` makes it.
                if membership[a.id][0] != stable_id("ev", a.id):
                    return None
                state.members[stable_id("ev", a.id)] = [a.id]
        for copy_id, original in copies.items():
            eid = self._home(state, original)
            if membership[copy_id][0] != eid:
                return None
            state.members[eid].append(copy_id)
        # Storylines are linked by the ``extend`` that follows, once; ``story_of`` (each stored
        # event's storyline) tells it which events' storylines that changes, so that only the
        # events the extension changed need writing.
        self._rebuild(state, set(state.members), entity_types)
        stored_story = story_of or {}
        for eid, ev in state.events.items():
            ev.story_id = stored_story.get(eid)
        return state

    def extend(self, state: "GroupingState", articles: Sequence[Article],
               features: Mapping[str, StoredFeatures], entity_types: Mapping[str, str]
               ) -> Grouping | None:
        """Add articles not seen by the grouping that made ``state`` (which they change in
        place), the way a replay would take them after everything it has seen: copies first,
        then the clusterer in publication order within the batch, then the copies join their
        originals' events. When the batch is all later than what the state has seen this is
        exactly what grouping everything from scratch gives; an earlier article is placed in
        arrival order, as a stream would. None when the articles cannot simply be added and the
        store must be grouped again: an article already grouped, or a new copy published before
        its original, which turns an already-grouped article into a copy."""
        from .dedup import _key as copy_order

        batch = sorted(articles, key=lambda a: copy_order(a.published, a.id))
        copies: dict[str, str] = {}
        for a in batch:
            if a.id in state.articles:
                return None
            f = features.get(a.id)
            original = state.detector.add(a.id, a.text, a.published, f.minhash if f else None)
            if state.detector.demoted:
                return None
            if original is not None and original != a.id:
                copies[a.id] = original
        changed: set[str] = set()
        for a in sorted(batch, key=_key):
            state.remember(a, features.get(a.id))
            if a.id in copies:
                continue
            if a.id in features:
                eid = self._cluster(state, a, features[a.id])
                for gone, keep in state.clusterer.merged:
                    state.members.setdefault(keep, []).extend(state.members.pop(gone, []))
                    changed.update((gone, keep))
                state.clusterer.merged.clear()
            else:  # never featurised: an event of its own
                eid = stable_id("ev", a.id)
            state.members.setdefault(eid, []).append(a.id)
            changed.add(eid)
        for copy_id, original in copies.items():
            state.copies[copy_id] = original
            eid = self._home(state, original)
            state.members[eid].append(copy_id)
            changed.add(eid)
        return self._finish(state, changed, entity_types)

    @staticmethod
    def _store_index(store: "Store | None") -> "object | None":
        # The store's own vector index (PostgreSQL's pgvector HNSW) when it has one; otherwise
        # None, and the clusterer builds faiss indexes in this process.
        if store is None or not getattr(store, "vector_index", False):
            return None
        from .ann import StoreIndex
        from .cluster import WINDOW_DAYS
        from .embed import DIM

        return StoreIndex(store, DIM, WINDOW_DAYS)

    @staticmethod
    def _ann_cache(store: "Store | None") -> "Path | None":
        # Where the in-process index saves its global graph for the next process that groups
        # this store (a file beside a SQLite store; None for a store with its own index).
        if store is None or getattr(store, "vector_index", False):
            return None
        return store.cache_path("ann-cache")

    @staticmethod
    def _item(a: Article, f: StoredFeatures) -> "ClusterItem":
        from .cluster import ClusterItem
        from .similarity import ArticleFeatures

        return ClusterItem(a.id, a.published, ArticleFeatures(
            vector=f.vector, lead=f.lead, lexical=f.lexical, entities=frozenset(f.entities),
            published=a.published, language=a.language, title=f.title), ingested_at=a.ingested_at)

    @classmethod
    def _cluster(cls, state: "GroupingState", a: Article, f: StoredFeatures) -> str:
        return state.clusterer.add(cls._item(a, f))

    @staticmethod
    def _home(state: "GroupingState", original: str) -> str:
        # The event of a copy: its original's, or, when the original itself had no features,
        # the original's event of its own.
        eid = state.clusterer.event_of(original)
        if eid is None:
            eid = stable_id("ev", original)
            state.members.setdefault(eid, [original])
        return eid

    def _finish(self, state: "GroupingState", changed: set[str],
                entity_types: Mapping[str, str]) -> Grouping:
        """Rebuild the changed events, relink the storylines from the earliest event that
        changed; the whole grouping, with what changed (``Grouping.written`` / ``removed``)."""
        before = {eid: e.story_id for eid, e in state.events.items()}
        recounted = self._rebuild(state, changed, entity_types)
        events = list(state.events.values())
        for e in events:
            e.story_id = None
        main = state.mains.settle(state.named)
        # Relinked from the earliest event this changed (rebuilt, or its main entities moved);
        # everything when the entity types changed, which the links compare.
        stories = state.links.link(events, entity_types, state.centroids, main,
                                   None if recounted else changed | state.mains.moved)
        written = [e.id for e in events if e.id in changed or e.story_id != before.get(e.id, "")]
        removed = sorted(eid for eid in changed if eid not in state.events)
        return Grouping(events=events, copies=dict(state.copies), stories=stories, state=state,
                        written=written, removed=removed)

    def _rebuild(self, state: "GroupingState", changed: set[str],
                 entity_types: Mapping[str, str]) -> bool:
        """The changed events (and what storylines are linked from: their entities, centroids)
        built again from their members; the gone ones dropped. True when the entity types
        changed, so that every event's entities were counted again."""
        # In the members' order (then the events that are gone): the same order in every process.
        for eid in [e for e in state.members if e in changed] + sorted(changed - set(state.members)):
            ids = [i for i in state.members.get(eid, []) if i in state.articles]
            before = state.named.get(eid, ())
            if ids:
                ev = self._event(eid, [state.articles[i] for i in ids], state.features,
                                 state.copies, state.clusterer.flags)
                state.events[eid] = ev
                named = state.named[eid] = _event_entities(ev, state.features, entity_types)
                state.mains.change(eid, before, named)
                state.centroids[eid] = _centroid(ev, state.features)
            else:
                state.events.pop(eid, None)
                state.named.pop(eid, None)
                state.centroids.pop(eid, None)
                state.mains.change(eid, before, ())
        # An entity's type follows the majority of its mentions and may have changed with the
        # new articles: then what every event names is counted again.
        recount = any(state.types.get(e, t) != t for e, t in entity_types.items())
        if recount:
            state.named = {eid: _event_entities(ev, state.features, entity_types)
                           for eid, ev in state.events.items()}
            state.mains = MainEntities.of(state.named)
        state.types = dict(entity_types)
        return recount

    @staticmethod
    def _event(eid: str, arts: list[Article], features: Mapping[str, StoredFeatures],
               copies: Mapping[str, str], flags: Mapping[str, str]) -> Event:
        arts = sorted(arts, key=lambda a: (_when(a), a.id))
        originals = [a for a in arts if a.id not in copies]
        sources = {(a.outlet or "").casefold() or f"#{a.id}" for a in originals}
        langs = Counter(a.language or "unknown" for a in arts)
        outlets = list(dict.fromkeys(a.outlet for a in arts if a.outlet))
        dated = [a.published for a in arts if a.published]
        notes = sorted({f"{a.id}: {flags[a.id]}" for a in arts if a.id in flags} |
                       {f"{a.id}: no publication date" for a in arts
                        if a.published is None and a.id not in flags})
        return Event(id=eid, title=representative_title(arts, features), date=(min(dated).date()
                     if dated else min(_when(a) for a in arts).date()), article_ids=[a.id for a in arts],
                     first_published=min(dated) if dated else None,
                     last_published=max(dated) if dated else None, n_sources=len(sources),
                     languages=[lang for lang, _ in langs.most_common()], outlets=outlets,
                     flags=notes)


def _copy_items(arts: Sequence[Article], features: Mapping[str, StoredFeatures]
                ) -> Iterator[tuple[str, str, "datetime | None", "np.ndarray | None"]]:
    # What the copy detector takes of each article: id, text, date and the stored signature.
    for a in arts:
        f = features.get(a.id)
        yield a.id, a.text, a.published, f.minhash if f is not None else None


def _when(a: Article) -> datetime:
    d = a.published or a.ingested_at
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


def _key(a: Article) -> tuple[datetime, str]:
    return (_when(a), a.id)


def representative_title(arts: Sequence[Article], features: Mapping[str, StoredFeatures]) -> str:
    """The headline closest to the event's centroid, in the language most articles use."""
    langs = Counter(a.language for a in arts)
    top = langs.most_common(1)[0][0]
    pool = [a for a in arts if a.language == top and a.title]
    with_vec = [a for a in pool if a.id in features]
    if len(with_vec) < 2:
        return (pool or list(arts))[0].title
    vecs = np.stack([features[a.id].vector for a in with_vec])
    centroid = vecs.mean(axis=0)
    # Rounded, so that vectors equal within float tolerance (computed in another process or batch)
    # pick the same headline; ties (two articles are always equally close to their mean) go to the
    # earliest report, then the smaller id.
    closeness = np.round(vecs @ centroid, TITLE_DECIMALS)
    best = min(range(len(with_vec)), key=lambda i: (-closeness[i], _when(with_vec[i]), with_vec[i].id))
    return with_vec[best].title
