"""Stores: SQLite by default; a URL chooses the backend."""
from __future__ import annotations

from pathlib import Path

from .base import Store, StoreStats


def open_store(db: str | Path) -> Store:
    """Open the store named by a path, ``sqlite:///path`` or ``postgresql://…``."""
    name = str(db)
    if name.startswith(("postgresql://", "postgres://")):
        try:
            import psycopg  # noqa: F401  (the server store's driver is an optional extra)
            import psycopg_pool  # noqa: F401
        except ImportError as e:
            from ..errors import MissingDependency
            raise MissingDependency(e.name or "psycopg", "postgres") from e
        from .postgres import PostgresStore
        return PostgresStore(name)
    if name.startswith("sqlite:///"):
        name = name[len("sqlite:///"):]
    from .sqlite import SQLiteStore
    return SQLiteStore(name)


__all__ = ["open_store", "Store", "StoreStats"]
