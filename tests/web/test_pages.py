"""Every page rendered in-process (httpx ASGI transport), on the demo store and on hostile input."""
from __future__ import annotations

import re

from api._client import Client
from web.payloads import BIG_TITLE

HTML = {"Accept": "text/html"}


def page(c: Client, url: str, status: int = 200, **kw) -> str:
    r = c.get(url, headers=HTML, **kw)
    assert r.status_code == status, (url, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    html = r.text
    # No inline script or style anywhere: the CSP would block them, and they are not needed.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/app.js" defer>']
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", html, re.I)
    return html


def seeds_id(c: Client) -> str:
    html = page(c, "/")
    m = re.search(r'href="/events/([^"]+)">Chinese Defense Minister', html)
    assert m, "the seeds' event is on the home page"
    return m.group(1)


def test_home_lists_events_with_sources_outlets_and_chart(web: Client) -> None:
    html = page(web, "/")
    assert "Chinese Defense Minister received by Putin in person in Moscow" in html
    assert "2 independent sources" in html and '<span class="outlet">RFI</span>' in html
    assert html.count('<svg class="spark"') == 20 and 'rel="next"' in html
    # A running event shows its first and latest day.
    spans = re.findall(r"<time>([\d-]+)</time> – <time>([\d-]+)</time>", html)
    assert spans and all(a < b for a, b in spans)
    html2 = page(web, "/?page=2")
    assert 'rel="prev"' in html2 and "Chinese Defense Minister" not in html2


def test_home_filters(web: Client) -> None:
    html = page(web, "/?outlet=RFI")
    assert html.count('class="event-row"') == 1 and "Chinese Defense Minister" in html
    html = page(web, "/?entity=Li+Shangfu&date_from=2023-01-01&date_to=2023-12-31&language=en")
    assert "Chinese Defense Minister" in html and 'value="Li Shangfu"' in html
    assert "no entity called" in page(web, "/?entity=Nobody+Atall")
    assert "not a date" in page(web, "/?date_from=last+week")
    assert 'class="event-row"' not in page(web, "/?language=xx")


def test_event_page_record_summary_matrix_quotes_timeline(web: Client) -> None:
    eid = seeds_id(web)
    html = page(web, f"/events/{eid}")
    rec = html[html.index('id="record"'):html.index('id="summary"')]
    for fact in ("Vladimir Putin", "Li Shangfu", "Moscow", "2023-04-16"):
        assert fact in rec
    summary = html[html.index('id="summary"'):html.index('id="matrix"')]
    assert summary.count('class="cite-btn"') >= 4
    # The popover of the first citation holds the cited article's own sentence.
    first = re.search(r'<span class="support-text">([^<]+)</span>', summary).group(1)
    assert "Chinese defense minister arrived in Moscow on Sunday, April 16" in first
    assert "Chinese Defence Minister Li Shangfu met with Russian President" in summary
    matrix = html[html.index('id="matrix"'):html.index('id="timeline"')]
    assert matrix.count('class="cell reported"') > matrix.count("<tr>") // 2
    assert 'class="cell absent"' in matrix
    assert 'id="quotes"' in html and "Cold War" in html
    assert '<svg class="timeline"' in html and "<circle" in html
    assert html.count('id="art-') == 2 and 'href="/articles/004_d179e931f6170d12"' in html
    # article text in any script keeps its own direction: titles are isolated inside the lists
    assert re.search(r'href="/articles/004_d179e931f6170d12"><bdi>[^<]+</bdi></a>', html)
    ticks = re.findall(r'class="tick( end| mid)?"', html)  # one tick: both seeds share a day
    assert ticks and ticks[0] == "" and set(ticks[1:-1]) <= {" mid"}
    assert len(ticks) == 1 or ticks[-1] == " end"
    page(web, "/events/ev_nope", 404)


def test_article_entity_entities_search_ingest_pages(web: Client) -> None:
    html = page(web, "/articles/004_d179e931f6170d12")
    assert "Chinese Defense Minister received by Putin" in html and "/events/" in html
    assert '<div class="text" lang="en">' in html  # the article's language, for fonts and readers
    html = page(web, "/entities/Li Shangfu")
    assert "Li Shangfu" in html and '<svg class="months"' in html
    assert "Vladimir Putin" in html[html.index("Named alongside"):]
    page(web, "/entities/nobody-at-all", 404)
    html = page(web, "/entities?type=PER")
    assert "Li Shangfu" in html or 'rel="next"' in html
    html = page(web, "/search?q=defence+minister+Moscow")
    assert "<mark>" in html and "Chinese Defense Minister" in html
    assert "No article matches" in page(web, "/search?q=zzqxyv")
    html = page(web, "/ingest")
    assert 'enctype="multipart/form-data"' in html and 'name="token"' in html


def test_ingest_form_needs_the_token(web: Client) -> None:
    r = web.post("/ingest", headers=HTML, files=[("files", ("a.txt", b"Some text.", "text/plain"))],
                 data={"token": "wrong"})
    assert r.status_code == 403 and "wrong token" in r.text
    r = web.post("/ingest", headers=HTML, data={"url": "http://127.0.0.1/"})
    assert r.status_code == 401 and "token is required" in r.text


def test_error_page_for_browsers(web: Client) -> None:
    html = page(web, "/no/such/page", 404)
    assert "404" in html and "not_found" in html


def test_hostile_text_is_escaped_everywhere(xss_web: Client) -> None:
    pages = ["/", "/articles/xss-1", "/articles/xss-2", "/articles/xss-3", "/articles/xss-big",
             "/search?q=Velmar+crane", "/search?q=%3Cscript%3E", "/entities"]
    home = page(xss_web, "/")
    pages += [f"/events/{m}" for m in re.findall(r'href="/events/([^"]+)"', home)[:6]]
    for url in pages:
        html = page(xss_web, url)
        assert "<script>window.__xss" not in html, url
        assert "<img src=x" not in html and "<svg onload" not in html, url
        assert "<b onmouseover" not in html, url
        assert BIG_TITLE[:1000] not in html, url  # titles are clipped, never 1 MB on a page
    html = page(xss_web, "/articles/xss-1")
    assert "&lt;script&gt;window.__xss" in html  # shown as text
    assert 'href="javascript' not in html
    assert 'href="https://example.org/velmar?a=1&amp;b=' not in page(xss_web, "/articles/xss-2")
