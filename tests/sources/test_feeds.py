"""RSS/Atom: entries as items, the real outlet feeds' encodings, conditional GET polling."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from conftest import DATA

from newsweave.config import Settings
from newsweave.errors import InputError
from newsweave.models import Failure, RawItem
from newsweave.sources import iter_raw
from newsweave.sources.feeds import MemoryFeedState, parse_feed, poll_feed

SRC = DATA / "sources"
LOCAL = Settings(allow_private=True, connect_timeout=2, read_timeout=2)


def test_rss_entries() -> None:
    ferry, cycle = iter_raw([str(SRC / "feed.rss")], Settings())
    assert ferry.kind == "html" and ferry.source == f"{SRC / 'feed.rss'}#1"
    assert ferry.content == "<p>The harbour ferry resumed on Tuesday.</p><p>Repairs continue.</p>"
    assert ferry.description == "Short summary of the ferry story."
    assert (ferry.url, ferry.title, ferry.author, ferry.outlet, ferry.language) == (
        "https://gazette.example/ferry", "Ferry resumes after storm", "Jo Reporter",
        "Example Gazette", "en")
    assert ferry.published == datetime(2023, 4, 18, 5, 15, tzinfo=timezone.utc)
    assert ferry.id is None and ferry.meta["entry_id"] == "https://gazette.example/ferry"
    assert cycle.content == "<p>The council voted 23 to 9.</p>" and cycle.description is None


def test_atom_entry_with_html_title() -> None:
    (entry,) = iter_raw([str(SRC / "feed.atom")], Settings())
    assert entry.title == "Brücke eröffnet"  # markup stripped from a type="html" title
    assert entry.author == "Erika Muster" and entry.language == "de"
    assert entry.meta["feed_url"] == "https://zeitung.example/atom.xml"
    assert entry.published == datetime(2023, 4, 18, 6, tzinfo=timezone.utc)


def test_headline_only_entry_is_kept_and_marked() -> None:
    rss = (b"<rss version='2.0'><channel><title>T</title><item><title>Only a headline</title>"
           b"<link>https://x.example/1</link></item><item><link>https://x.example/2</link></item>"
           b"</channel></rss>")
    item, failure = parse_feed(rss, "mem.rss")
    assert item.content == "<h1>Only a headline</h1>" and item.meta["title_only"] is True
    assert failure == Failure("mem.rss#2", "feed entry https://x.example/2 has no content, "
                              "summary or title", "source")


def test_a_headline_only_entry_needs_a_headline() -> None:
    rss = (b"<rss version='2.0'><channel><title>T</title><item><title>A</title>"
           b"<link>https://x.example/1</link></item><item><title>Ferry resumes service</title>"
           b"</item></channel></rss>")
    failure, item = parse_feed(rss, "mem.rss")
    assert failure == Failure("mem.rss#1", "feed entry https://x.example/1 has no content or "
                              "summary, and its title ('A', 1 word) is too short to stand for an "
                              "article", "source")
    assert item.content == "<h1>Ferry resumes service</h1>"


def test_not_a_feed() -> None:
    (f,) = parse_feed(b"<html><body>hello</body></html>", "page.xml")
    assert f.item == "page.xml" and f.reason.startswith("not an RSS/Atom feed")


# ---- real outlet feeds: encodings ----------------------------------------------------------

REAL = {  # file -> (encoding label found, first entry's title, feed title)
    "encoding.rss": ("xml-declaration", "Mãe de utente é a nova presidente da Raríssimas",
                     "Jornal de Notícias - Últimas Notícias"),
    "uolNoticias.rss": ("detected", "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em "
                        "simulações de 2º turno", "UOL Noticias"),
    "encoding-gb2312.xml": ("xml-declaration", "习近平为何如此强调崇尚英雄？", "新闻国内"),
    "heise.atom": ("xml-declaration", "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei",
                   "heise developer neueste Meldungen"),
    "guardian.rss": ("xml-declaration", "Trump State of the Union address promised unity but "
                     "emphasized discord", "The Guardian"),
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_feed_titles_are_correct_unicode(name: str) -> None:
    from conftest import shared_path

    how, title, outlet = REAL[name]
    items = list(iter_raw([str(shared_path("eval", "feeds", name))], Settings()))
    assert all(isinstance(i, RawItem) for i in items)
    assert items[0].title == title and items[0].outlet == outlet
    assert items[0].meta["encoding_source"] == how
    for item in items:  # no mojibake or replacement characters anywhere
        text = (item.title or "") + item.content
        assert "\ufffd" not in text and "Ã" not in text and "Â" not in text


def test_real_latin1_feed_has_dates_with_portuguese_names() -> None:
    from conftest import shared_path

    items = list(iter_raw([str(shared_path("eval", "feeds", "uolNoticias.rss"))], Settings()))
    assert items[0].published == datetime(2018, 9, 24, 22, 42, 40, tzinfo=timezone.utc)
    assert all(i.published for i in items)


def test_real_gb2312_feed_all_titles_are_hanzi() -> None:
    from conftest import shared_path

    items = list(iter_raw([str(shared_path("eval", "feeds", "encoding-gb2312.xml"))], Settings()))
    assert len(items) == 20
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in i.title) for i in items)


# ---- polling with conditional GET ------------------------------------------------------------

def test_poll_feed_honours_etag_and_last_modified(server) -> None:
    body = (SRC / "feed.rss").read_bytes()
    etag, modified = '"v1"', "Tue, 18 Apr 2023 06:00:00 GMT"

    def feed(req):
        if req.headers.get("If-None-Match") == etag:
            return server.Reply(304, b"", {"ETag": etag})
        return server.Reply(200, body, {"Content-Type": "application/rss+xml", "ETag": etag,
                                        "Last-Modified": modified})

    server.routes["/feed"] = feed
    url = server.url("/feed")
    state = MemoryFeedState()
    items, rec = poll_feed(url, LOCAL, state)
    assert [i.title for i in items] == ["Ferry resumes after storm", "Council approves cycle lanes"]
    assert items[0].source == f"{url}#1" and items[0].meta["feed_url"] == url
    assert items[0].fetched_at is not None
    assert (rec.etag, rec.last_modified, rec.not_modified, rec.error) == (etag, modified, False, None)
    assert state.get_feed_state(url)["etag"] == etag

    items, rec = poll_feed(url, LOCAL, state)
    assert items == [] and rec.not_modified and rec.status == 304
    assert rec.etag == etag and rec.last_modified == modified  # kept for the next poll
    sent = server.requests[-1][1]
    assert sent["if-none-match"] == etag and sent["if-modified-since"] == modified


def test_poll_feed_records_errors_and_keeps_validators(server) -> None:
    server.add("/feed", (SRC / "feed.rss").read_bytes(), headers={"ETag": '"a"'})
    url = server.url("/feed")
    state = MemoryFeedState()
    poll_feed(url, LOCAL, state)
    server.add("/feed", "<html><body>maintenance</body></html>")  # 200, but not a feed
    with pytest.raises(InputError) as e:
        poll_feed(url, LOCAL, state)
    assert e.value.reason.startswith("not an RSS/Atom feed")
    st = state.get_feed_state(url)
    assert st["etag"] == '"a"' and st["error"].startswith("not an RSS/Atom feed")
    server.add("/feed", "gone", status=410)
    with pytest.raises(InputError, match="HTTP 410 Gone"):
        poll_feed(url, LOCAL, state)
    assert state.get_feed_state(url)["error"] == "HTTP 410 Gone"
