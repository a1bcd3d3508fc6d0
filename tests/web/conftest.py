"""Fixtures for the page tests: the app over the demo store, and over a copy holding hostile
articles (the demo store itself is built once per session by tests/conftest.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi, uvicorn, jinja2, python-multipart) "
                    "is not installed")

from api._client import TOKEN, Client, copy_store  # noqa: E402
from web.payloads import records  # noqa: E402


@pytest.fixture(scope="session")
def web(demo_db: Path) -> Client:
    """The app over the demo store (read-only use), asked for pages like a browser."""
    from newsweave.api import create_app
    from newsweave.config import Settings

    return Client(create_app(Settings(db=str(demo_db), token=TOKEN)))


@pytest.fixture(scope="session")
def xss_db(tmp_path_factory, demo_db: Path) -> Path:
    """A copy of the demo store with the hostile articles ingested through the API."""
    from newsweave.api import create_app
    from newsweave.config import Settings

    db = copy_store(demo_db, tmp_path_factory.mktemp("xss"))
    app = create_app(Settings(db=str(db), token=TOKEN))
    r = Client(app).post("/api/ingest", json={"articles": records()},
                         headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text[:500]
    assert sorted(r.json()["stored"]) == ["xss-1", "xss-2", "xss-3", "xss-big"], r.text[:500]
    app.state.newsweave.store.close()
    return db


@pytest.fixture(scope="session")
def xss_web(xss_db: Path) -> Client:
    from newsweave.api import create_app
    from newsweave.config import Settings

    return Client(create_app(Settings(db=str(xss_db), token=TOKEN)))
