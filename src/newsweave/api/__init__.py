"""The HTTP side: JSON API under /api and the server-rendered web pages (``create_app``)."""
from __future__ import annotations

from typing import Any

__all__ = ["create_app", "serve"]


def __getattr__(name: str) -> Any:
    # FastAPI is imported only when the server is wanted.
    if name in __all__:
        from . import app

        return getattr(app, name)
    raise AttributeError(name)
