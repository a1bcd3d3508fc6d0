"""The Jinja2 environment of the web pages: autoescaping always on, small formatting filters.

Nothing here marks text as safe: every value from articles (titles, texts, outlet names, URLs)
is escaped by Jinja2 when rendered; links are emitted only for http(s) URLs (``http_url``).
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..output import plural
from .security import http_url

WEB = Path(__file__).resolve().parents[1] / "web"
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"


def clip(value: Any, n: int = 300) -> str:
    """At most ``n`` characters, with an ellipsis when cut (a 1 MB title stays readable)."""
    s = "" if value is None else str(value)
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def when(value: Any, with_time: bool = False) -> str:
    """A date or datetime (or ISO string) as YYYY-MM-DD[ HH:MM]; '' when absent."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value[:25]
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:25]


def query(params: dict[str, Any], **changes: Any) -> str:
    """A query string from the current parameters with some changed (None removes one)."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def make_env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(clip=clip, when=when, http_url=http_url, plural=plural)
    env.globals.update(query=query)
    env.tests["gt_one"] = lambda seq: len(seq) > 1
    return env


class Pages:
    """Renders a template into an HTML response."""

    def __init__(self) -> None:
        self.env = make_env()

    def text(self, name: str, **context: Any) -> str:
        """The page as a string."""
        context.setdefault("title", "Newsweave")
        context.setdefault("nav", "")
        return self.env.get_template(name).render(**context)

    def render(self, request: Request, name: str, status: int = 200, **context: Any
               ) -> HTMLResponse:
        return HTMLResponse(self.text(name, **context), status_code=status)

    def error(self, request: Request, status: int, err: dict[str, Any]) -> HTMLResponse:
        return self.render(request, "error.html", status=status, title=f"Error {status}",
                           err={**err, "status": status})
