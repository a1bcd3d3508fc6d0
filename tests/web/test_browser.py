"""The web UI in a real browser: Debian's Chromium driven by Python Playwright against a
`newsweave serve` process on a free loopback port.

Chromium comes from Debian (`apt-get install -y chromium`); Playwright's own browser download is
never used. Without Chromium these tests fail in CI (CI=true) and are skipped elsewhere.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from api._client import TOKEN, copy_store
from newsweave.testing import served

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
OUT = Path(__file__).resolve().parents[2] / "test-output"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, xss_db: Path):
    """`newsweave serve` over a copy of the demo store that already holds the hostile articles."""
    db = copy_store(xss_db, tmp_path_factory.mktemp("browser"))
    try:
        with served(db, {"NEWSWEAVE_TOKEN": TOKEN}, log=db.parent / "serve.log") as base:
            yield base
    except RuntimeError as e:
        pytest.fail(str(e))


class Watch:
    """What a page did that it must not: dialogs, console errors (CSP violations among them)."""

    def __init__(self, page) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def clean(self, page, where: str) -> None:
        assert page.evaluate("window.__xss") is None, where
        assert self.dialogs == [], (where, self.dialogs)
        assert self.errors == [], (where, self.errors)
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")], where


def _page(chromium, width: int = 1100, height: int = 900):
    ctx = chromium.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    return ctx, page


def test_home_event_record_citation_and_matrix(chromium, server: str) -> None:
    OUT.mkdir(exist_ok=True)
    ctx, page = _page(chromium)
    watch = Watch(page)
    page.goto(server + "/")
    assert page.locator("h1").inner_text() == "Latest events"
    page.screenshot(path=str(OUT / "browser-home.png"), full_page=True)
    page.get_by_role("link", name="Chinese Defense Minister received by Putin in person in Moscow"
                     ).click()
    page.wait_for_selector("#record")
    record = page.locator("#record").inner_text()
    for fact in ("Vladimir Putin", "Li Shangfu", "Moscow", "2023-04-16"):
        assert fact in record
    # The citation popover: hidden, shown on hover, pinned by a click.
    cite = page.locator(".cite").first
    pop = cite.locator(".popover")
    assert not pop.is_visible()
    cite.locator(".cite-btn").hover()
    assert pop.is_visible()
    assert "arrived in Moscow on Sunday, April 16" in pop.inner_text()
    cite.locator(".cite-btn").click()
    page.mouse.move(0, 0)
    assert pop.is_visible() and cite.locator(".cite-btn").get_attribute("aria-expanded") == "true"
    page.screenshot(path=str(OUT / "browser-event-citation.png"), full_page=False)
    page.keyboard.press("Escape")
    assert not pop.is_visible()
    cells = page.locator("table.matrix td")
    assert cells.count() >= 2 * page.locator("table.matrix tbody tr").count()
    assert page.locator("table.matrix td.reported").count() > 0
    assert page.locator("table.matrix td.absent").count() > 0
    assert page.locator("svg.timeline circle").count() >= 1
    page.screenshot(path=str(OUT / "browser-event.png"), full_page=True)
    watch.clean(page, "event page")
    ctx.close()


def test_phone_layout(chromium, server: str) -> None:
    OUT.mkdir(exist_ok=True)
    ctx, page = _page(chromium, 390, 844)
    watch = Watch(page)
    for url, name in (("/", "phone-home"), ("/search?q=Putin", "phone-search")):
        page.goto(server + url)
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 1, (url, wide)
        page.screenshot(path=str(OUT / f"browser-{name}.png"), full_page=True)
    watch.clean(page, "phone pages")
    ctx.close()


def test_hostile_articles_never_run(chromium, server: str) -> None:
    OUT.mkdir(exist_ok=True)
    ctx, page = _page(chromium)
    watch = Watch(page)
    # One more hostile article through the ingest form (same pipeline as the CLI).
    rec = {"id": "xss-form", "title": "Form <script>window.__xss=9</script> headline <img src=x "
           "onerror=alert(1)>", "text": "Port Velmar reopened its northern pier on Monday, the "
           "harbour authority said. <script>alert('form')</script>", "outlet": "Form <i>Wire</i>",
           "url": "javascript:alert(2)", "published": "2024-05-13T09:00:00Z", "language": "en"}
    page.goto(server + "/ingest")
    page.set_input_files("input[name=files]", files=[{
        "name": "hostile.jsonl", "mimeType": "application/x-ndjson",
        "buffer": json.dumps(rec).encode()}])
    page.fill("input[name=token]", TOKEN)
    # The first ingest in the server loads the language models: allow it minutes, not seconds.
    with page.expect_navigation(timeout=300_000):
        page.click("button[type=submit]", timeout=300_000)
    page.wait_for_selector(".result, .problem")
    assert "1 stored" in page.locator(".result").inner_text()
    watch.clean(page, "ingest result")
    urls = ["/", "/articles/xss-1", "/articles/xss-2", "/articles/xss-3", "/articles/xss-big",
            "/articles/xss-form", "/search?q=Velmar", "/search?q=%3Cscript%3E", "/entities"]
    page.goto(server + "/search?q=Velmar+crane")
    urls += sorted(set(page.eval_on_selector_all(
        "a[href^='/events/']", "els => els.map(e => e.getAttribute('href'))")))
    assert len(urls) > 9, "the hostile articles form events"
    for url in urls:
        page.goto(server + url)
        assert page.locator("h1").count() >= 1 and page.locator("h1").first.is_visible(), url
        assert len(page.locator("h1").first.inner_text()) <= 600, url
        for sel in ("script:not([src])", "img", "svg[onload]", "b[onmouseover]"):
            assert page.locator(f"main {sel}").count() == 0, (url, sel)
        if page.locator(".cite-btn").count():
            page.locator(".cite-btn").first.click()
        watch.clean(page, url)
        if url.startswith("/events/") or url in ("/articles/xss-1", "/articles/xss-big"):
            name = url.strip("/").replace("/", "-")
            page.screenshot(path=str(OUT / f"browser-xss-{name}.png"), full_page=False)
    page.goto(server + "/articles/xss-1")
    assert "<script>window.__xss" in page.locator("main").inner_text()  # shown, as text
    assert page.locator("a.ext").count() == 0  # its javascript: URL is not a link
    ctx.close()
