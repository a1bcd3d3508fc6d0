"""Helpers for the source tests: read inputs as `newsweave ingest` does, and say where each
item or failure came from."""
from __future__ import annotations

import io
from pathlib import Path

from conftest import DATA

from newsweave.config import Settings
from newsweave.models import Failure, RawItem
from newsweave.sources import iter_raw

SRC = DATA / "sources"
S = Settings()


def run(*inputs: str | Path, settings: Settings = S, stdin: bytes | None = None) -> list:
    return list(iter_raw([str(i) for i in inputs], settings,
                         stdin=io.BytesIO(stdin) if stdin is not None else None))


def where(o: RawItem | Failure) -> str:
    return o.source if isinstance(o, RawItem) else o.item
