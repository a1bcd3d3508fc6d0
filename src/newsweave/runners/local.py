"""In-process runners.

``LocalRunner`` is the default and today's behaviour: it only extracts; the pipeline analyses the
articles after storing them (so duplicates are never analysed, and ``--workers`` analyses in a
process pool) and featurises them when it groups.

``InlineBatchRunner`` runs the remote workers' half (``BatchWorker``) in this process, batch by
batch, exactly as a Ray actor would: it checks the precomputed-analysis path without a cluster.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from ..config import Settings
from ..models import Failure, RawItem
from .base import BatchWorker, Processed, extract_item


class LocalRunner:
    """Extraction in this process, one item at a time."""

    name = "local"

    def process(self, items: Iterable[RawItem | Failure], settings: Settings
                ) -> Iterator[Processed]:
        """One Processed (article or failure) per item, in input order."""
        for item in items:
            yield extract_item(item)

    def close(self) -> None:
        """Nothing to release."""


class InlineBatchRunner:
    """The worker half (extract, analyse, featurise) in this process, in batches."""

    name = "inline"

    def __init__(self, batch_size: int = 16) -> None:
        self.batch_size = max(1, batch_size)
        self._worker: BatchWorker | None = None

    def process(self, items: Iterable[RawItem | Failure], settings: Settings
                ) -> Iterator[Processed]:
        """One Processed per item, in input order, with analyses and features precomputed."""
        if self._worker is None:
            self._worker = BatchWorker(enrich=settings.enrich, group=settings.group)
        batch: list[RawItem | Failure] = []
        for item in items:
            batch.append(item)
            if len(batch) >= self.batch_size:
                yield from self._worker.run(batch)
                batch = []
        if batch:
            yield from self._worker.run(batch)

    def close(self) -> None:
        """Nothing to release (the models stay loaded for the process)."""
