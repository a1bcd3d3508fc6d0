"""Copy everything from one store into another (e.g. SQLite -> PostgreSQL), losing nothing.

Articles keep their ids, dates, notes and storage order; then come recorded duplicates, entities
and enrichments (with mentions), grouping features, events (with copies) and storylines, and
feed polling state. Each batch is one transaction in the destination; a run that stopped half
way can simply be run again (everything already copied is kept, not duplicated).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, TypeVar

from ..errors import StoreError
from .base import Store

T = TypeVar("T")
BATCH = 500


@dataclass
class MigrationReport:
    """How much was copied."""

    articles: int = 0
    duplicates: int = 0
    entities: int = 0
    enrichments: int = 0
    features: int = 0
    events: int = 0
    copies: int = 0
    stories: int = 0
    feeds: int = 0

    def summary(self) -> str:
        return ", ".join(f"{v} {k}" for k, v in vars(self).items())


def _batches(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    batch: list[T] = []
    for x in items:
        batch.append(x)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def migrate_store(src: Store, dst: Store, *, progress: Callable[[str, int], None] | None = None
                  ) -> MigrationReport:
    """Copy every article, duplicate, enrichment, entity, feature, event, story and feed state
    from ``src`` into ``dst`` (empty, or holding an earlier partial copy of ``src``)."""
    tick = progress or (lambda what, n: None)
    report = MigrationReport()
    if dst.count_articles():
        # Replacing the events would silently drop the destination's own grouping.
        src_ids = {a.id for a in src.iter_stored_articles()}
        foreign = [a.id for a in dst.iter_stored_articles() if a.id not in src_ids]
        if foreign:
            raise StoreError(f"the destination already holds {len(foreign)} articles that are not "
                             f"in the source (e.g. {foreign[0]!r}); migrate into an empty store")

    for batch in _batches(src.iter_stored_articles()):
        res = dst.add_articles(batch)
        if res.duplicates:
            first = res.duplicates[0]
            raise StoreError(f"article {first[0]!r} was taken for a duplicate of {first[1]!r} in "
                             "the destination: the source store is inconsistent")
        if res.conflicts:
            _, aid, _ = res.conflicts[0]
            raise StoreError(f"article {aid!r} is in the destination with another text: it holds "
                             "a different copy; migrate into an empty store")
        report.articles += len(batch)
        tick("articles", report.articles)

    for batch in _batches(src.iter_duplicates()):
        dst.import_duplicates(batch)
        report.duplicates += len(batch)
    tick("duplicates", report.duplicates)

    entities = src.all_entities()
    dst.save_enrichments([], entities)  # mentions refer to entities: these first
    report.entities = len(entities)
    tick("entities", report.entities)
    enriched = _enriched_ids(src)
    for ids in _batches(enriched):
        items = [e for e in (src.get_enrichment(i) for i in ids) if e is not None]
        dst.save_enrichments(items, [])
        report.enrichments += len(items)
        tick("enrichments", report.enrichments)

    for ids in _batches(a.id for a in src.iter_stored_articles()):
        feats = src.load_features(ids)
        if feats:
            dst.save_features(feats)
        report.features += len(feats)
    tick("features", report.features)

    events = _all(lambda offset: src.list_events(BATCH, offset, min_articles=0))
    copies: dict[str, str] = {}
    for ev in events:
        copies.update(src.copies_in_event(ev.id))
    stories = _all(lambda offset: src.list_stories(BATCH, offset))
    dst.replace_events(events, copies, stories)
    report.events, report.copies, report.stories = len(events), len(copies), len(stories)
    tick("events", report.events)

    for st in src.iter_feed_states():
        dst.set_feed_state(st["url"], st["etag"], st["last_modified"], st["checked_at"], st["error"])
        report.feeds += 1
    tick("feeds", report.feeds)
    return report


def _all(page: Callable[[int], list[T]]) -> list[T]:
    out: list[T] = []
    while True:
        got = page(len(out))
        out += got
        if len(got) < BATCH:
            return out


def _enriched_ids(src: Store) -> list[str]:
    missing = set(src.unenriched_article_ids())
    return [a.id for a in src.iter_stored_articles() if a.id not in missing]
