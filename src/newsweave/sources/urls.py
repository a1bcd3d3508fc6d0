"""Fetch http(s) URLs safely: timeouts, size cap, checked redirects, no private addresses."""
from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..config import Settings
from ..errors import InputError
from ..models import Failure, RawItem
from .decode import charset_from_content_type

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud instance-metadata endpoints: the classic SSRF target, named so the refusal says so.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254",
))
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog", "metadata"})
_REDIRECTS = (301, 302, 303, 307, 308)
_REFUSED = "refused:"


@dataclass
class FetchResult:
    """What one GET returned, after redirects."""

    url: str  # as requested
    final_url: str
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    encoding: str | None  # charset declared in Content-Type, if any
    not_modified: bool = False
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def content_type(self) -> str | None:
        """The Content-Type header, if any."""
        return self.headers.get("content-type")


def is_url(value: str) -> bool:
    """True for an http(s) URL."""
    return value.lower().startswith(("http://", "https://"))


def address_problem(ip: IPAddress) -> str | None:
    """Why an address must not be fetched from (None when it is a public address)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return address_problem(embedded)
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    for test, what in (("is_loopback", "a loopback"), ("is_link_local", "a link-local"),
                       ("is_multicast", "a multicast"), ("is_unspecified", "an unspecified"),
                       ("is_reserved", "a reserved"), ("is_private", "a private")):
        if getattr(ip, test):
            return f"{what} address"
    if not ip.is_global:
        return "a non-public address"
    return None


def resolve_public(host: str, port: int) -> list[str]:
    """The host's addresses, or InputError when it resolves to any non-public address."""
    if host.lower().rstrip(".") in METADATA_HOSTS:
        raise InputError(host, f"{_REFUSED} {host} is a cloud metadata host")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise InputError(host, f"cannot resolve host {host}: {e}") from e
    addrs: list[str] = []
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        problem = address_problem(ip)
        if problem:
            # One bad address is enough: the connection could land on any of them.
            raise InputError(host, f"{_REFUSED} {host} resolves to {ip}, {problem}")
        addrs.append(str(ip))
    return addrs


def _transport(settings: Settings) -> Any:
    import httpx

    transport = httpx.HTTPTransport(trust_env=False)
    if settings.allow_private:
        return transport
    import httpcore

    class GuardedBackend(httpcore.SyncBackend):
        # Check the addresses at connect time and connect to the checked one, so a second DNS
        # answer (rebinding) cannot swap in a private address after the check.
        def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                        local_address: str | None = None, socket_options: Any = None) -> Any:
            try:
                addrs = resolve_public(host, port)
            except InputError as e:
                raise httpcore.ConnectError(e.reason) from None
            last: Exception | None = None
            for addr in addrs:
                try:
                    return super().connect_tcp(addr, port, timeout, local_address, socket_options)
                except httpcore.ConnectError as e:
                    last = e
            raise last or httpcore.ConnectError(f"no address for {host}")

    # httpx has no public hook for the network backend; the pool is rebuilt with ours
    # (httpx is pinned, see pyproject.toml).
    transport._pool = httpcore.ConnectionPool(
        ssl_context=transport._pool._ssl_context, network_backend=GuardedBackend())
    return transport


def _check_url(url: str, original: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(original, f"unsupported URL scheme {parts.scheme or '(none)'!r} in {url}")
    if not parts.hostname:
        raise InputError(original, f"URL has no host: {url}")


def fetch(url: str, settings: Settings, etag: str | None = None,
          last_modified: str | None = None) -> FetchResult:
    """GET ``url`` with the safety limits in ``settings``; raises InputError(url, reason)."""
    import httpx

    _check_url(url, url)
    headers = {"User-Agent": settings.user_agent, "Accept": "*/*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = httpx.Timeout(connect=settings.connect_timeout, read=settings.read_timeout,
                            write=settings.read_timeout, pool=settings.connect_timeout)
    current = url
    with httpx.Client(transport=_transport(settings), timeout=timeout, follow_redirects=False,
                      trust_env=False) as client:
        for _ in range(settings.max_redirects + 1):
            where = "" if current == url else f" (redirected to {current})"
            try:
                with client.stream("GET", current, headers=headers) as resp:
                    status = resp.status_code
                    if status in _REDIRECTS and "location" in resp.headers:
                        nxt = urljoin(str(resp.url), resp.headers["location"])
                        _check_url(nxt, url)
                        current = nxt
                        continue
                    hdrs = {k.lower(): v for k, v in resp.headers.items()}
                    if status == 304:
                        return FetchResult(url, current, status, hdrs, b"", None, not_modified=True)
                    if not 200 <= status < 300:
                        raise InputError(url, f"HTTP {status} {resp.reason_phrase}{where}".rstrip())
                    body = _read_body(resp, url, settings)
                    return FetchResult(url, current, status, hdrs, body,
                                       charset_from_content_type(hdrs.get("content-type")))
            except httpx.ConnectTimeout:
                raise InputError(url, f"connection timed out after {settings.connect_timeout:g} s"
                                 f"{where}") from None
            except httpx.ReadTimeout:
                raise InputError(url, f"read timed out: no data for {settings.read_timeout:g} s"
                                 f"{where}") from None
            except httpx.TimeoutException as e:
                raise InputError(url, f"timed out: {e}{where}") from None
            except httpx.ConnectError as e:
                msg = str(e)
                if msg.startswith(_REFUSED):
                    raise InputError(url, msg.replace(_REFUSED, "refused to fetch:", 1) + where) from None
                raise InputError(url, f"cannot connect: {msg or type(e).__name__}{where}") from None
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as e:
                raise InputError(url, f"invalid URL: {e}{where}") from None
            except httpx.HTTPError as e:
                raise InputError(url, f"HTTP error: {e or type(e).__name__}{where}") from None
    raise InputError(url, f"too many redirects (more than {settings.max_redirects})")


def _read_body(resp: Any, url: str, settings: Settings) -> bytes:
    limit = settings.max_bytes
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise InputError(url, f"response is {declared} bytes, over max_bytes ({limit})")
    # The read timeout is per chunk; a server dripping bytes must still finish in bounded time.
    deadline = time.monotonic() + settings.connect_timeout + 3 * settings.read_timeout
    chunks: list[bytes] = []
    size = 0
    for chunk in resp.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise InputError(url, f"response body exceeds max_bytes ({limit}); download aborted")
        if time.monotonic() > deadline:
            raise InputError(url, "download too slow: aborted after "
                             f"{settings.connect_timeout + 3 * settings.read_timeout:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


def iter_url(url: str, settings: Settings) -> Iterator[RawItem | Failure]:
    """Items from one URL: the entries of a feed, one HTML/text page, records or a WARC."""
    from .dispatch import STAGE, iter_fetched

    try:
        res = fetch(url, settings)
    except InputError as e:
        yield Failure(url, e.reason, STAGE)
        return
    yield from iter_fetched(res, settings)
