"""Server safety: response headers, body size cap, host and origin checks, write authorisation.

Reads are public. Writes (POST) need the bearer token (``NEWSWEAVE_TOKEN``) unless the server runs
with ``--no-auth``, which is only accepted when it is bound to 127.0.0.1; then the Host header
must name the loopback too (so a DNS-rebinding page cannot reach it under another name).
"""
from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

from .errors import ApiError, error_body

_log = logging.getLogger("newsweave.api")

LOOPBACK_BIND = "127.0.0.1"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


@dataclass(frozen=True)
class ServerConfig:
    """How the app guards writes."""

    no_auth: bool = False
    token: str | None = None
    max_body: int = 20 * 1024 * 1024


def check_bind(host: str, no_auth: bool) -> None:
    """Refuse ``--no-auth`` on any address but 127.0.0.1 (raises ValueError)."""
    if no_auth and host != LOOPBACK_BIND:
        raise ValueError(f"--no-auth is only allowed when bound to {LOOPBACK_BIND} (not {host!r}); "
                         "set NEWSWEAVE_TOKEN instead")


def http_url(url: Any) -> str | None:
    """The URL when it is an absolute http(s) URL with a host, else None (never a javascript:)."""
    if not isinstance(url, str) or len(url) > 4096:
        return None
    u = url.strip()
    try:
        parts = urlsplit(u)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if any(c in u for c in "\r\n\t\x00 \"'<>`"):
        return None
    return u


def _host_name(host_header: str) -> str:
    h = host_header.strip().lower()
    if h.startswith("["):
        return h[: h.find("]") + 1] if "]" in h else h
    return h.rsplit(":", 1)[0] if ":" in h else h


def check_origin(headers: dict[str, str]) -> None:
    """A write must come from this site's own pages or from a non-browser client.

    Browsers say where a request comes from in Sec-Fetch-Site; older ones only send Origin
    (which is "null" in some privacy modes and is then refused)."""
    site = headers.get("sec-fetch-site")
    origin = headers.get("origin")
    if site is not None:
        if site not in ("same-origin", "none"):
            raise ApiError(403, "cross-site write refused", code="cross_origin",
                           detail={"sec_fetch_site": site[:40]})
        return
    if origin is None:
        return
    host = headers.get("host", "")
    parts = urlsplit(origin) if origin != "null" else None
    if parts is None or parts.netloc.lower() != host.lower():
        raise ApiError(403, "cross-origin write refused", code="cross_origin",
                       detail={"origin": origin[:200]})


def authorize_write(headers: dict[str, str], config: ServerConfig, form_token: str | None = None
                    ) -> None:
    """Allow a write or raise ApiError(401/403): bearer header, or the form's token field."""
    check_origin(headers)
    if config.no_auth:
        return
    if not config.token:
        raise ApiError(403, "writes are disabled: start the server with NEWSWEAVE_TOKEN set",
                       code="writes_disabled")
    given = None
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        given = auth[7:].strip()
    elif form_token:
        given = form_token
    if not given:
        raise ApiError(401, "a token is required to write (Authorization: Bearer <token>)",
                       headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(given.encode("utf-8", "replace"), config.token.encode("utf-8")):
        raise ApiError(403, "wrong token", code="bad_token")


class _TooLarge(Exception):
    pass


ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]],
                   Awaitable[None]]


class SecurityMiddleware:
    """Adds the security headers to every response, caps request bodies, checks the Host header
    when writes need no token, and turns anything unhandled into the JSON error shape."""

    def __init__(self, app: ASGIApp, config: ServerConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in HEADERS if k not in names]
            await send(message)

        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        if self.config.no_auth and _host_name(headers.get("host", "")) not in LOOPBACK_NAMES:
            await _send_error(send_with_headers, 421, "misdirected_request",
                              "this server only answers to 127.0.0.1 or localhost")
            return
        length = headers.get("content-length")
        limit = self.config.max_body
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _send_error(send_with_headers, 413, "payload_too_large",
                              f"request body over {limit} bytes")
            return
        seen = 0

        async def capped_receive() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, capped_receive, send_with_headers)
        except _TooLarge:
            if not started:
                await _send_error(send_with_headers, 413, "payload_too_large",
                                  f"request body over {limit} bytes")
        except Exception:  # noqa: BLE001 - the last line: never a traceback to the client
            _log.exception("unhandled error on %s", scope.get("path"))
            if not started:
                await _send_error(send_with_headers, 500, "internal_error",
                                  "internal error; see the server log")
            else:
                raise


async def _send_error(send: Any, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(status, message, code)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
