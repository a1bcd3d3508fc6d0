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
        return report

    def _enricher(self) -> "Enricher":
        if self.enricher is None:
            from .stages.enrich import Enricher

            self.enricher = Enricher(self.store.all_entities())
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
