"""Group stage: stored articles -> copies, events and storylines.

Featurising (embedding) is done once per article and stored. Grouping itself replays the stored
features through the online clusterer in publication order, so the same articles always give the
same events, and re-clustering from scratch is the same call.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

from ..models import Article, Event, Failure, Story, StoredFeatures, stable_id

if TYPE_CHECKING:  # pragma: no cover
    from ..store.base import Store
    from .similarity import Featurizer

# Entity types that identify an event's actors and place (MISC is nationalities, events…).
_KEY_TYPES = {"PER", "ORG", "LOC"}
STORY_GAP_DAYS = 45  # the longest pause between two events of one storyline
STORY_MIN_JACCARD = 0.25  # overlap of main entities for two events to continue one storyline
MAIN_ENTITIES = 6
TITLE_DECIMALS = 4  # an event title's closeness to the centroid is compared at this precision


@dataclass
class Grouping:
    events: list[Event] = field(default_factory=list)
    copies: dict[str, str] = field(default_factory=dict)  # copy id -> original id
    stories: list[Story] = field(default_factory=list)
    # articles whose grouping features could not be computed: each stays in an event of its own
    failed: list[Failure] = field(default_factory=list)


@lru_cache(maxsize=1)
def shared_featurizer() -> "Featurizer":
    """One loaded Featurizer per process: `watch` and the API ingest again and again."""
    from .similarity import Featurizer

    f = Featurizer()
    f.setup()
    return f


class Grouper:
    """Loads the embedder once; featurises articles and groups them."""

    def __init__(self) -> None:
        self._featurizer = None

    def setup(self) -> None:
        """Load the multilingual embedder (once per process, however many ingest runs)."""
        if self._featurizer is None:
            self._featurizer = shared_featurizer()

    def featurize(self, articles: Sequence[Article], entity_ids: Mapping[str, Sequence[str]]
                  ) -> list[StoredFeatures]:
        """Grouping features of articles; entity_ids: article id -> canonical entity ids."""
        self.setup()
        feats = self._featurizer.featurize_many([
            dict(title=a.title, text=a.text, language=a.language, published=a.published,
                 entities=entity_ids.get(a.id, ())) for a in articles])
        return [StoredFeatures(a.id, f.vector, f.lead, dict(f.lexical),
                               sorted(entity_ids.get(a.id, ())), f.title)
                for a, f in zip(articles, feats)]

    def group(self, articles: Sequence[Article], features: Mapping[str, StoredFeatures],
              entity_types: Mapping[str, str], store: "Store | None" = None) -> Grouping:
        """Copies, events and stories for articles (any order; sorted here by publication).

        With a ``store`` that has a vector index of its own (``store.vector_index``, PostgreSQL's
        pgvector HNSW), the clusterer's candidates come from that index; otherwise from faiss
        indexes built here."""
        from .cluster import ClusterItem, EventClusterer
        from .dedup import CopyDetector
        from .similarity import ArticleFeatures

        arts = sorted(articles, key=lambda a: (_when(a), a.id))
        detector = CopyDetector.rebuild((a.id, a.text, a.published) for a in arts)
        copies = {c: o for c, o in detector.copies().items() if c != o}
        index = None
        if store is not None and getattr(store, "vector_index", False):
            from .ann import StoreIndex
            from .cluster import WINDOW_DAYS
            from .embed import DIM

            index = StoreIndex(store, DIM, WINDOW_DAYS)
        clusterer = EventClusterer(index=index).setup()
        for a in arts:
            if a.id in copies or a.id not in features:
                continue
            f = features[a.id]
            clusterer.add(ClusterItem(a.id, a.published, ArticleFeatures(
                vector=f.vector, lead=f.lead, lexical=f.lexical, entities=frozenset(f.entities),
                published=a.published, language=a.language, title=f.title),
                ingested_at=a.ingested_at))
        by_id = {a.id: a for a in arts}
        members: dict[str, list[str]] = {eid: list(ids) for eid, ids in clusterer.events().items()}
        for copy_id, original in copies.items():
            eid = clusterer.event_of(original)
            if eid is None:  # the original itself had no features: the copy goes with it alone
                eid = stable_id("ev", original)
                members.setdefault(eid, [original])
            members[eid].append(copy_id)
        for a in arts:  # articles never featurised (no text) still belong somewhere
            if a.id not in copies and clusterer.event_of(a.id) is None and a.id not in features:
                members.setdefault(stable_id("ev", a.id), [a.id])
        events = [self._event(eid, [by_id[i] for i in ids if i in by_id], features, copies,
                               clusterer.flags) for eid, ids in members.items() if ids]
        stories = link_stories(events, features, entity_types)
        return Grouping(events=events, copies=copies, stories=stories)

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


def _when(a: Article) -> datetime:
    d = a.published or a.ingested_at
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


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
    return set(sorted(counts, key=lambda e: (-counts[e], df.get(e, 0), e))[:MAIN_ENTITIES])


def link_stories(events: Sequence[Event], features: Mapping[str, StoredFeatures],
                 entity_types: Mapping[str, str]) -> list[Story]:
    """Chain successive events that share their main entities and a place into storylines."""
    order = sorted(events, key=lambda e: (e.date or datetime.min.date(), e.id))
    named = {e.id: _event_entities(e, features, entity_types) for e in order}
    df = Counter(ent for counts in named.values() for ent in counts)
    main = {e.id: _main_entities(named[e.id], df) for e in order}
    chains: list[list[Event]] = []
    for ev in order:
        mine = main[ev.id]
        if not mine or ev.date is None:
            chains.append([ev])
            continue
        best, best_score = None, 0.0
        for chain in chains:
            last = chain[-1]
            # The pause is counted from the previous event's newest article: a running event that
            # began months ago but is still reported yesterday is right before this one.
            until = last.last_published.date() if last.last_published else last.date
            if until is None or (ev.date - until).days > STORY_GAP_DAYS:
                continue
            theirs = set().union(*(main[x.id] for x in chain[-2:]))
            shared = mine & theirs
            places = {e for e in shared if entity_types.get(e) == "LOC"}
            people = {e for e in shared if entity_types.get(e) in ("PER", "ORG")}
            score = len(shared) / len(mine | theirs)
            if score >= STORY_MIN_JACCARD and places and people and score > best_score:
                best, best_score = chain, score
        if best is None:
            chains.append([ev])
        else:
            best.append(ev)
    stories = []
    for chain in chains:
        if len(chain) < 2:
            continue
        sid = f"story_{chain[0].id}"
        biggest = max(chain, key=lambda e: (len(e.article_ids), e.date))
        for e in chain:
            e.story_id = sid
        stories.append(Story(id=sid, title=biggest.title, event_ids=[e.id for e in chain],
                             first_date=chain[0].date, last_date=chain[-1].date))
    return stories

