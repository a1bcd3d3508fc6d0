"""Newsweave: one news event, every outlet's account, side by side."""
from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

__all__ = ["__version__", "open_store", "ingest", "Article", "RawItem", "Settings", "load_settings"]

if TYPE_CHECKING:  # pragma: no cover
    from .config import Settings, load_settings
    from .models import Article, RawItem
    from .pipeline import ingest
    from .store import open_store


def __getattr__(name: str) -> Any:
    # Keep `import newsweave` cheap: resolve the public names on first use.
    if name in ("Article", "RawItem"):
        from . import models
        return getattr(models, name)
    if name in ("Settings", "load_settings"):
        from . import config
        return getattr(config, name)
    if name == "ingest":
        from .pipeline import ingest
        return ingest
    if name == "open_store":
        from .store import open_store
        return open_store
    raise AttributeError(name)
