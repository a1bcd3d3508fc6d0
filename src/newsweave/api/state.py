"""What the app's routes share: the store, settings, caches, the ingester and the page renderer."""
from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from ..config import Settings
from ..store.base import Store
from .ingest import Ingester
from .queries_web import ReadCache
from .security import ServerConfig
from .templating import Pages


@dataclass
class AppState:
    store: Store
    settings: Settings
    config: ServerConfig
    cache: ReadCache
    ingester: Ingester
    pages: Pages


def state_of(request: Request) -> AppState:
    """The app's shared state."""
    return request.app.state.newsweave
