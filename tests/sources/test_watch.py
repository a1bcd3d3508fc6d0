"""watch(): rounds of polling with a fake sleep, new items only, per-feed exponential backoff."""
from __future__ import annotations

from itertools import chain, repeat
from pathlib import Path

from conftest import DATA

from newsweave.config import Settings
from newsweave.models import RawItem
from newsweave.sources import read_feed_list, watch
from newsweave.sources.feeds import MemoryFeedState

SRC = DATA / "sources"
LOCAL = Settings(allow_private=True, connect_timeout=2, read_timeout=2)
ITEM = ("<item><title>{t}</title><link>https://gazette.example/{t}</link>"
        "<description>About {t}.</description></item>")


def rss(*titles: str) -> bytes:
    items = "".join(ITEM.format(t=t) for t in titles)
    return f"<rss version='2.0'><channel><title>G</title>{items}</channel></rss>".encode()


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.errors: list[tuple[str, str]] = []
        self.sleeps: list[float] = []

    def on_items(self, items: list[RawItem]) -> None:
        self.batches.append([i.title or "" for i in items])

    def on_error(self, url: str, reason: str) -> None:
        self.errors.append((url, reason))


def test_two_rounds_conditional_get_no_repeats(server) -> None:
    etag = '"one"'

    def feed(req):
        if req.headers.get("If-None-Match") == etag:
            return server.Reply(304, b"")
        return server.Reply(200, (SRC / "feed.rss").read_bytes(), {"ETag": etag})

    server.routes["/feed"] = feed
    rec = Recorder()
    watch([server.url("/feed")], 60, rec.on_items, LOCAL, MemoryFeedState(), rounds=2,
          sleep=rec.sleeps.append, on_error=rec.on_error)
    assert rec.batches == [["Ferry resumes after storm", "Council approves cycle lanes"]]
    assert rec.sleeps == [60] and rec.errors == []
    assert server.hits("/feed") == 2
    assert server.requests[1][1]["if-none-match"] == etag


def test_only_new_entries_are_handed_on(server) -> None:
    bodies = iter([rss("a", "b"), rss("c", "a", "b"), rss("c", "a", "b")])  # no validators
    server.routes["/feed"] = lambda req: server.Reply(200, next(bodies))
    rec = Recorder()
    watch([server.url("/feed")], 5, rec.on_items, LOCAL, MemoryFeedState(), rounds=3,
          sleep=rec.sleeps.append)
    assert rec.batches == [["a", "b"], ["c"]]
    assert rec.sleeps == [5, 5]


def test_failing_feed_backs_off_exponentially_and_resets(server) -> None:
    replies = chain([500, 500, 200, 500], repeat(200))  # per request to /flaky
    server.routes["/flaky"] = lambda req: server.Reply(status := next(replies),
                                                       rss("x") if status == 200 else b"down")
    server.add("/ok", rss("y"))
    state = MemoryFeedState()
    rec = Recorder()
    watch([server.url("/flaky"), server.url("/ok")], 10, rec.on_items, LOCAL, state, rounds=12,
          sleep=rec.sleeps.append, on_error=rec.on_error)
    # /flaky: fails at round 0 (wait 2), fails at 2 (wait 4), succeeds at 6, fails at 7
    # (wait 2 again: reset by the success), succeeds at 9, then every round.
    assert server.hits("/flaky") == 5 + 2
    assert server.hits("/ok") == 12
    assert [r for _, r in rec.errors] == ["HTTP 500 Internal Server Error"] * 3
    assert rec.batches == [["y"], ["x"]]
    assert state.get_feed_state(server.url("/flaky"))["error"] is None
    assert len(rec.sleeps) == 11


def test_backoff_is_capped(server) -> None:
    server.add("/down", "no", status=503)
    rec = Recorder()
    watch([server.url("/down")], 10, rec.on_items, LOCAL, MemoryFeedState(), rounds=20,
          sleep=rec.sleeps.append, on_error=rec.on_error, max_backoff_seconds=40)
    # rounds 0, 2, 6, then every 4 rounds (the 40 s cap): 10, 14, 18
    assert server.hits("/down") == 6


def test_read_feed_list(tmp_path: Path) -> None:
    p = tmp_path / "feeds.txt"
    p.write_text("# my feeds\nhttps://a.example/rss\n\n  https://b.example/atom.xml   # German\n"
                 "https://c.example/feed#section\n", encoding="utf-8")
    assert read_feed_list(p) == ["https://a.example/rss", "https://b.example/atom.xml",
                                 "https://c.example/feed#section"]
