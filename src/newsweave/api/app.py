"""The app factory: the JSON API (/api), the web pages and their static files over one store."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..config import Settings
from ..store.base import Store
from .errors import install_error_handlers
from .ingest import Ingester
from .queries_web import ReadCache
from .security import LOOPBACK_BIND, SecurityMiddleware, ServerConfig, check_bind
from .state import AppState
from .templating import STATIC, Pages


def create_app(settings: Settings, *, store: Store | None = None, no_auth: bool = False,
               bind_host: str | None = None) -> FastAPI:
    """Build the app over ``store`` (opened from ``settings.db`` when not given).

    ``no_auth`` lets writes through without the token; it is refused unless ``bind_host`` is
    127.0.0.1 (the default when not given: the app is then served in-process or on loopback).
    """
    check_bind(bind_host or LOOPBACK_BIND, no_auth)
    if store is None:
        from ..store import open_store

        store = open_store(settings.db)
    config = ServerConfig(no_auth=no_auth, token=settings.token or None,
                          max_body=settings.max_bytes + 1024 * 1024)
    app = FastAPI(title="Newsweave", version=__version__,
                  description="One news event, every outlet's account, side by side. "
                              "Reads are public; POST /api/ingest needs `Authorization: Bearer "
                              "<NEWSWEAVE_TOKEN>` unless the server runs with --no-auth on "
                              "127.0.0.1. Every error is `{\"error\": {\"code\", \"message\", "
                              "\"detail\"}}`.",
                  docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None)
    pages = Pages()
    app.state.newsweave = AppState(store=store, settings=settings, config=config,
                                   cache=ReadCache(), ingester=Ingester(store, settings),
                                   pages=pages)
    install_error_handlers(app, pages.error)
    app.add_middleware(SecurityMiddleware, config=config)

    from .routes_api import router as api_router
    from .routes_web import router as web_router

    app.include_router(api_router)
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)
            schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
                "type": "http", "scheme": "bearer"}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/api/health", tags=["api"], summary="Liveness and store counts")
    def health(request: Request) -> dict[str, Any]:
        st: AppState = request.app.state.newsweave
        return {"status": "ok", "version": __version__, "articles": st.store.count_articles(),
                "events": st.store.count_events()}

    return app


def serve(settings: Settings, *, host: str, port: int, no_auth: bool = False,
          log_level: str = "info") -> None:
    """Run the app with uvicorn until interrupted."""
    import uvicorn

    app = create_app(settings, no_auth=no_auth, bind_host=host)
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False,
                proxy_headers=False, access_log=log_level == "debug")
