"""Stores: SQLite by default; a URL chooses the backend."""
from __future__ import annotations

from pathlib import Path

from .base import Store, StoreStats


def open_store(db: str | Path) -> Store:
    """Open the store named by a path, ``sqlite:///path`` or ``postgresql://…``."""
    name = str(db)
    if name.startswith(("postgresql://", "postgres://")):
        from ..errors import StoreError
        raise StoreError("the PostgreSQL store is not available in this version; use a SQLite path")
    if name.startswith("sqlite:///"):
        name = name[len("sqlite:///"):]
    from .sqlite import SQLiteStore
    return SQLiteStore(name)


__all__ = ["open_store", "Store", "StoreStats"]
