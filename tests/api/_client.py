"""Helpers shared by the API and web tests: an in-process httpx client, store copies, checks."""
from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import httpx

TOKEN = "test-token-0123456789"


class Client:
    """A synchronous face on httpx's ASGI transport (one event loop per call)."""

    def __init__(self, app: Any, base_url: str = "http://testserver") -> None:
        self.app = app
        self.base_url = base_url

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url=self.base_url,
                                         timeout=600) as c:
                return await c.request(method, url, **kw)

        return asyncio.run(go())

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)


def copy_store(src: Path, dst_dir: Path) -> Path:
    """A private copy of a SQLite store (with its WAL files, when present)."""
    dst = dst_dir / src.name
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(src) + suffix)
        if p.exists():
            shutil.copy(p, str(dst) + suffix)
    return dst


def assert_error(resp: httpx.Response, status: int, code: str | None = None) -> dict:
    """The response is the one error shape, with this status (and code)."""
    assert resp.status_code == status, resp.text[:500]
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "detail"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]
