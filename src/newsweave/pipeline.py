"""Runs the stages over batches of inputs with a per-item error policy.

A bad input or item is recorded as a Failure with its reason and the batch goes on; each batch of
articles is stored in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from .config import Settings
from .errors import InputError, StageError
from .models import Article, Failure, IngestReport, RawItem
from .store.base import Store

if TYPE_CHECKING:  # pragma: no cover
    from .stages.enrich import Enricher
    from .stages.group import Grouping

ProgressFn = Callable[[str, str], None]  # (event: "stored"|"duplicate"|"unchanged"|"failed", item)


@dataclass
class Pipeline:
    """The ingest flow: sources -> extract -> store."""

    store: Store
    settings: Settings
    progress: ProgressFn | None = None
    enricher: "Enricher | None" = None

    def _tick(self, event: str, item: str) -> None:
        if self.progress:
            self.progress(event, item)

    def run_items(self, items: Iterable[RawItem | Failure], report: IngestReport | None = None
                  ) -> IngestReport:
        """Extract and store raw items (Failures from the sources are passed into the report)."""
        from .stages.extract import extract

        report = report or IngestReport()
        batch: list[Article] = []
        for item in items:
            if isinstance(item, Failure):
                report.failed.append(item)
                self._tick("failed", item.item)
                continue
            try:
                batch.append(extract(item))
            except (StageError, InputError) as e:
                report.failed.append(Failure(item=item.source, reason=getattr(e, "reason", str(e)),
                                             stage=getattr(e, "stage", "extract")))
                self._tick("failed", item.source)
                continue
            if len(batch) >= self.settings.batch_size:
                self._flush(batch, report)
                batch = []
        if batch:
            self._flush(batch, report)
        if self.settings.enrich:
            # Articles stored by an earlier, interrupted run get their enrichment now.
            self.enrich_missing()
        if self.enricher is not None:
            self.enricher.close()
        if self.settings.group and (report.stored or self.store.articles_without_features()):
            self.group()
        return report

    def group(self) -> "Grouping":
        """Featurise what is new, then rebuild copies, events and stories from the store."""
        from .stages.group import Grouper

        grouper = Grouper()
        ids = self.store.articles_without_features()
        step = self.settings.batch_size
        for i in range(0, len(ids), step):
            arts = [a for a in (self.store.get_article(x) for x in ids[i:i + step]) if a]
            ents = {}
            for a in arts:
                e = self.store.get_enrichment(a.id)
                ents[a.id] = sorted({m.entity_id for m in (e.mentions if e else [])
                                     if m.entity_id and m.type in ("PER", "ORG", "LOC")})
            self.store.save_features(grouper.featurize(arts, ents))
            self._tick("embedded", f"{min(i + step, len(ids))}/{len(ids)}")
        features = {f.article_id: f for f in self.store.load_features()}
        types = {e.id: e.type for e in self.store.all_entities()}
        grouping = grouper.group(list(self.store.iter_articles()), features, types)
        self.store.replace_events(grouping.events, grouping.copies, grouping.stories)
        return grouping

    def _enricher(self) -> "Enricher":
        if self.enricher is None:
            from .stages.enrich import Enricher

            self.enricher = Enricher(self.store.all_entities(), workers=self.settings.workers)
        return self.enricher

    def enrich_articles(self, articles: Sequence[Article]) -> int:
        """Run the understanding stages on stored articles and store the results."""
        if not articles:
            return 0
        result = self._enricher().enrich(articles)
        self.store.save_enrichments(result.enrichments, result.entities)
        return len(result.enrichments)

    def enrich_missing(self) -> int:
        """Enrich every stored article that has no enrichment yet, in batches."""
        ids = self.store.unenriched_article_ids()
        done = 0
        for i in range(0, len(ids), self.settings.batch_size):
            arts = [a for a in (self.store.get_article(x) for x in ids[i:i + self.settings.batch_size])
                    if a is not None]
            done += self.enrich_articles(arts)
            self._tick("enriched", f"{done}/{len(ids)}")
        return done

    def _flush(self, batch: list[Article], report: IngestReport) -> None:
        result = self.store.add_articles(batch)
        report.stored += result.stored
        report.duplicates += result.duplicates
        report.unchanged += result.unchanged
        if self.settings.enrich and result.stored:
            stored = set(result.stored)
            self.enrich_articles([a for a in batch if a.id in stored])
        for i in result.stored:
            self._tick("stored", i)
        for i, _ in result.duplicates:
            self._tick("duplicate", i)
        for i in result.unchanged:
            self._tick("unchanged", i)


def ingest(inputs: Sequence[str], store: Store, settings: Settings, *,
           progress: ProgressFn | None = None, stdin=None) -> IngestReport:
    """Read every input (files, folders, globs, URLs, feeds, WARC, '-'), extract, store."""
    from .sources import iter_raw

    return Pipeline(store, settings, progress).run_items(iter_raw(inputs, settings, stdin=stdin))


def ingest_items(items: Iterable[RawItem], store: Store, settings: Settings, *,
                 progress: ProgressFn | None = None) -> IngestReport:
    """Extract and store items that are already in memory (feeds polled by `watch`, the API)."""
    return Pipeline(store, settings, progress).run_items(items)


def extract_only(inputs: Sequence[str], settings: Settings, *, stdin=None
                 ) -> Iterable[Article | Failure]:
    """Extraction without a store: one Article (or Failure) per input item."""
    from .sources import iter_raw
    from .stages.extract import extract

    for item in iter_raw(inputs, settings, stdin=stdin):
        if isinstance(item, Failure):
            yield item
            continue
        try:
            yield extract(item)
        except (StageError, InputError) as e:
            yield Failure(item=item.source, reason=getattr(e, "reason", str(e)),
                          stage=getattr(e, "stage", "extract"))


def enrich_store(store: Store, settings: Settings, *, progress: ProgressFn | None = None) -> int:
    """Enrich the stored articles that have no enrichment yet; returns how many were enriched."""
    return Pipeline(store, settings, progress).enrich_missing()


def regroup_store(store: Store, settings: Settings, *, progress: ProgressFn | None = None
                  ) -> "Grouping":
    """Re-cluster the whole store from scratch: copies, events, storylines."""
    return Pipeline(store, settings, progress).group()
