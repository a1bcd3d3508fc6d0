"""URLs against a real local server: pages, feeds, redirects, limits, timeouts and refusals."""
from __future__ import annotations

import ipaddress
import socket

import pytest
from conftest import DATA

from newsweave.config import Settings
from newsweave.errors import InputError
from newsweave.models import Failure, RawItem
from newsweave.sources import iter_raw, urls
from newsweave.sources.urls import address_problem, fetch

SRC = DATA / "sources"
LOCAL = Settings(allow_private=True, connect_timeout=2, read_timeout=2)


def test_fetch_html_page(server) -> None:
    url = server.add("/story", (SRC / "page.html").read_bytes(),
                     headers={"Content-Type": "text/html; charset=utf-8"})
    res = fetch(url, LOCAL)
    assert (res.status, res.final_url, res.encoding, res.not_modified) == (200, url, "utf-8", False)
    assert res.body == (SRC / "page.html").read_bytes()
    assert server.requests[0][1]["user-agent"] == LOCAL.user_agent


def test_url_input_yields_one_html_item(server) -> None:
    url = server.add("/story", (SRC / "latin1_meta.html").read_bytes(),
                     headers={"Content-Type": "text/html; charset=iso-8859-1"})
    (item,) = iter_raw([url], LOCAL)
    assert isinstance(item, RawItem)
    assert (item.kind, item.source, item.url, item.id) == ("html", url, url, None)
    assert "Município aprova orçamento" in item.content
    assert item.meta["encoding_source"] == "header" and item.fetched_at is not None


def test_url_to_a_feed_yields_its_entries(server) -> None:
    url = server.add("/rss", (SRC / "feed.rss").read_bytes(), headers={"Content-Type": "text/xml"})
    items = list(iter_raw([url], LOCAL))
    assert [i.url for i in items] == ["https://gazette.example/ferry", "https://gazette.example/cycle"]
    assert items[0].source == f"{url}#1" and items[0].meta["feed_url"] == url


def test_url_to_an_image_is_a_failure(server) -> None:
    url = server.add("/logo.png", (SRC / "tiny.png").read_bytes(), headers={"Content-Type": "image/png"})
    (f,) = iter_raw([url], LOCAL)
    assert f == Failure(url, "not a text document: the response is a PNG image (image/png)", "source")


def test_redirects_are_followed_hop_by_hop(server) -> None:
    server.add("/a", status=301, headers={"Location": "/b"})
    server.add("/b", status=302, headers={"Location": server.url("/story")})
    server.add("/story", "<html><body>Here</body></html>", headers={"Content-Type": "text/html"})
    res = fetch(server.url("/a"), LOCAL)
    assert res.final_url == server.url("/story") and res.body.endswith(b"Here</body></html>")
    assert [p for p, _ in server.requests] == ["/a", "/b", "/story"]


def test_too_many_redirects(server) -> None:
    server.add("/loop", status=302, headers={"Location": "/loop"})
    with pytest.raises(InputError) as e:
        fetch(server.url("/loop"), Settings(allow_private=True, max_redirects=3))
    assert e.value.reason == "too many redirects (more than 3)"
    assert server.hits("/loop") == 4


def test_redirect_to_another_scheme_is_refused(server) -> None:
    server.add("/r", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(InputError, match="unsupported URL scheme 'file'"):
        fetch(server.url("/r"), LOCAL)


def test_http_error_status(server) -> None:
    (f,) = iter_raw([server.url("/missing")], LOCAL)
    assert f == Failure(server.url("/missing"), "HTTP 404 Not Found", "source")


def test_body_over_max_bytes_is_aborted(server) -> None:
    small = Settings(allow_private=True, max_bytes=1000)
    declared = server.add("/big", b"x" * 5000)
    with pytest.raises(InputError, match=r"response is 5000 bytes, over max_bytes \(1000\)"):
        fetch(declared, small)
    streamed = server.add("/stream", b"y" * 5000, length=False)  # no Content-Length
    with pytest.raises(InputError, match=r"response body exceeds max_bytes \(1000\); download aborted"):
        fetch(streamed, small)


def test_unreachable_url() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    (f,) = iter_raw([url], LOCAL)
    assert f.item == url and f.reason.startswith("cannot connect:")


def test_unresolvable_host() -> None:
    (f,) = iter_raw(["http://no-such-host.invalid/"], Settings())
    assert f.reason.startswith("cannot connect: cannot resolve host no-such-host.invalid")


def test_slow_url_read_timeout(server) -> None:
    url = server.add("/slow", "late", delay=1.5)
    (f,) = iter_raw([url], Settings(allow_private=True, read_timeout=0.3))
    assert f == Failure(url, "read timed out: no data for 0.3 s", "source")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_private_addresses_are_refused_by_default(server, host: str) -> None:
    url = server.add("/story", "<html><body>secret</body></html>")
    url = url.replace("127.0.0.1", host)
    (f,) = iter_raw([url], Settings())
    assert f.item == url
    assert f.reason.startswith(f"refused to fetch: {host} resolves to ")
    assert f.reason.endswith("a loopback address")
    assert server.requests == []  # refused before connecting


def test_every_redirect_hop_is_checked(server, monkeypatch) -> None:
    # Pretend 127.0.0.1 is public so the first hop passes; the hop to "localhost" must not.
    real = urls.resolve_public
    monkeypatch.setattr(urls, "resolve_public",
                        lambda host, port: ["127.0.0.1"] if host == "127.0.0.1" else real(host, port))
    server.add("/hop", status=302, headers={"Location": server.url("/inside", host="localhost")})
    server.add("/inside", "<html><body>internal</body></html>")
    with pytest.raises(InputError) as e:
        fetch(server.url("/hop"), Settings())
    assert "refused to fetch: localhost resolves to" in e.value.reason
    assert "(redirected to http://localhost:" in e.value.reason
    assert server.hits("/inside") == 0


def test_cloud_metadata_host_is_refused_without_lookup() -> None:
    with pytest.raises(InputError, match="metadata.google.internal is a cloud metadata host"):
        fetch("http://metadata.google.internal/computeMetadata/v1/", Settings())


@pytest.mark.parametrize("ip,problem", [
    ("169.254.169.254", "a cloud metadata address"),
    ("fd00:ec2::254", "a cloud metadata address"),
    ("127.0.0.1", "a loopback address"),
    ("::1", "a loopback address"),
    ("::ffff:127.0.0.1", "a loopback address"),
    ("10.1.2.3", "a private address"),
    ("192.168.0.10", "a private address"),
    ("fd12:3456::1", "a private address"),
    ("169.254.1.1", "a link-local address"),
    ("fe80::1", "a link-local address"),
    ("224.0.0.251", "a multicast address"),
    ("0.0.0.0", "an unspecified address"),
    ("240.0.0.1", "a reserved address"),
    ("100.64.0.1", "a non-public address"),
    ("2002:7f00:1::", "a loopback address"),  # 6to4 wrapping 127.0.0.1
    ("93.184.215.14", None),
    ("2606:4700::1111", None),
])
def test_address_problem(ip: str, problem: str | None) -> None:
    assert address_problem(ipaddress.ip_address(ip)) == problem


def test_url_to_a_compressed_file_or_archive(server) -> None:
    # A .jsonl.gz served as application/gzip (not a Content-Encoding): decompressed and read by
    # the name in the URL's path; a ZIP gives its members, named URL!MEMBER.
    import gzip
    import io
    import zipfile

    records = (SRC / "records.jsonl").read_bytes()
    url = server.add("/dump/records.jsonl.gz", gzip.compress(records),
                     headers={"Content-Type": "application/gzip"})
    got = list(iter_raw([url], LOCAL))
    plain = list(iter_raw([str(SRC / "records.jsonl")], LOCAL))
    assert [type(o) for o in got] == [type(o) for o in plain] and len(got) > 1
    assert got[0].source == f"{url}:1"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a/page.html", (SRC / "page.html").read_bytes())
    url = server.add("/pages.zip", buf.getvalue(), headers={"Content-Type": "application/zip"})
    (item,) = iter_raw([url], LOCAL)
    assert isinstance(item, RawItem) and item.source == f"{url}!a/page.html" and item.id == "page"
