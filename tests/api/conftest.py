"""Fixtures for the API tests: the app over the demo store, called in-process over httpx."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi, uvicorn, jinja2, python-multipart) "
                    "is not installed")

from api._client import TOKEN, Client  # noqa: E402


@pytest.fixture(scope="session")
def demo_app(demo_db: Path):
    """The app over the demo store (read-only use), with a write token configured."""
    from newsweave.api import create_app
    from newsweave.config import Settings

    return create_app(Settings(db=str(demo_db), token=TOKEN))


@pytest.fixture(scope="session")
def api(demo_app) -> Client:
    return Client(demo_app)


@pytest.fixture(scope="session")
def seeds_event_id(api: Client) -> str:
    """The id of the seeds' event (the one whose title names the Chinese Defense Minister)."""
    items = api.get("/api/events", params={"limit": 200}).json()["items"]
    ids = [e["id"] for e in items if "Chinese Defense Minister" in e["title"]]
    assert len(ids) == 1, [e["title"] for e in items]
    return ids[0]
