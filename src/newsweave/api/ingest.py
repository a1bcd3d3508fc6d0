"""Ingest through the server: a URL, JSON records or uploaded files, through the same pipeline
(and the same protections: private addresses refused unless the settings allow them, size caps,
per-item failures) as ``newsweave ingest``."""
from __future__ import annotations

import re
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterator, Sequence

from pydantic import BaseModel, ConfigDict, Field

from ..config import Settings
from ..models import Failure, IngestReport, RawItem
from ..store.base import Store
from .errors import ApiError

MAX_RECORDS = 1000
MAX_FILES = 20


class IngestRequest(BaseModel):
    """JSON body of POST /api/ingest: one http(s) URL, or records with the JSONL input fields
    (id, url, title, text, html, published, outlet, author, language, description)."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, max_length=4096, description="An http(s) page, feed or WARC.")
    articles: list[dict[str, Any]] | None = Field(None, max_length=MAX_RECORDS,
                                                  description="Article records, as in JSONL input.")


def report_data(report: IngestReport) -> dict[str, Any]:
    """The ingest report as plain data (the CLI's --format json shape)."""
    return {"stored": report.stored, "duplicates": [list(d) for d in report.duplicates],
            "unchanged": report.unchanged,
            "failed": [{"item": f.item, "stage": f.stage, "reason": f.reason}
                       for f in report.failed]}


def _safe_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^\w.\-]+", "_", Path(name.replace("\\", "/")).name).strip("._")[:100]
    base = base or "upload.txt"
    out, n = base, 1
    while out in taken:
        n += 1
        out = f"{n}-{base}"
    taken.add(out)
    return out


def _renamed(items: Iterator[RawItem | Failure], tmp: str) -> Iterator[RawItem | Failure]:
    # Sources name the upload, not the server's temporary folder.
    for it in items:
        if isinstance(it, Failure):
            it.item = it.item.replace(tmp + "/", "upload:")
        else:
            it.source = it.source.replace(tmp + "/", "upload:")
        yield it


class Ingester:
    """Runs one ingest at a time over the server's store (grouping rebuilds every event)."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._lock = threading.Lock()

    def _run(self, items: Iterator[RawItem | Failure]) -> IngestReport:
        from ..pipeline import ingest_items

        with self._lock:
            return ingest_items(items, self.store, self.settings)  # type: ignore[arg-type]

    def url(self, url: str) -> IngestReport:
        """Fetch and ingest one http(s) URL (private addresses refused unless allowed)."""
        from ..sources.urls import is_url, iter_url

        url = url.strip()
        if not is_url(url):
            raise ApiError(422, "url must be an absolute http:// or https:// URL",
                           code="invalid_request", detail={"url": url[:200]})
        return self._run(iter_url(url, self.settings))

    def records(self, records: Sequence[Any]) -> IngestReport:
        """Ingest article records with the same fields as JSONL input."""
        from ..sources.records import record_item

        if not records:
            raise ApiError(422, "articles is empty", code="invalid_request")
        if len(records) > MAX_RECORDS:
            raise ApiError(413, f"at most {MAX_RECORDS} records per request")
        return self._run(iter(record_item(r, f"api:{i + 1}") for i, r in enumerate(records)))

    def files(self, files: Sequence[tuple[str, bytes]]) -> IngestReport:
        """Ingest uploaded files, read exactly as ``newsweave ingest FILE`` reads them."""
        from ..sources.files import iter_path

        if not files:
            raise ApiError(422, "no file uploaded", code="invalid_request")
        if len(files) > MAX_FILES:
            raise ApiError(413, f"at most {MAX_FILES} files per request")
        taken: set[str] = set()
        with tempfile.TemporaryDirectory(prefix="newsweave-upload-") as tmp:
            paths = []
            for name, data in files:
                p = Path(tmp) / _safe_name(name, taken)
                p.write_bytes(data)
                paths.append(p)

            def items() -> Iterator[RawItem | Failure]:
                for p in paths:
                    yield from iter_path(p, self.settings)

            return self._run(_renamed(items(), tmp))


def check_outcome(report: IngestReport) -> None:
    """Nothing stored, nothing known already and something failed: an error, with the report."""
    if report.failed and not (report.stored or report.duplicates or report.unchanged):
        raise ApiError(422, report.failed[0].reason if len(report.failed) == 1 else
                       f"all {len(report.failed)} items failed", code="ingest_failed",
                       detail=report_data(report))
