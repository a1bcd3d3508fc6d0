"""Storylines in the web UI and the API: the list page, one storyline, the event page's box."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from api._client import TOKEN, Client, copy_store
from web.test_pages import page


def _with_story(demo_db: Path, tmp_path: Path) -> tuple[Client, str, str, str, Path]:
    """A copy of the demo store where the seeds' event and an earlier event form a storyline."""
    from newsweave.api import create_app
    from newsweave.config import Settings
    from newsweave.models import Story
    from newsweave.store import open_store

    db = copy_store(demo_db, tmp_path)
    store = open_store(db)
    events = store.list_events(1000)
    seeds = next(e for e in events if "Chinese Defense Minister" in e.title)
    other = next(e for e in events if e.id != seeds.id and e.date and e.date < seeds.date)
    copies = {}
    for e in events:
        copies.update(store.copies_in_event(e.id))
    sid = "story_test"
    linked = [dataclasses.replace(e, story_id=sid) if e.id in (seeds.id, other.id) else e
              for e in events]
    store.replace_events(linked, copies, [Story(sid, seeds.title, [other.id, seeds.id],
                                                other.date, seeds.date)])
    store.close()
    return Client(create_app(Settings(db=str(db), token=TOKEN))), sid, seeds.id, other.id, db


def test_storyline_list_detail_and_event_box(demo_db: Path, tmp_path: Path) -> None:
    c, sid, seeds, other, db = _with_story(demo_db, tmp_path)
    d = c.get(f"/api/stories/{sid}").json()
    assert [e["id"] for e in d["events"]] == [other, seeds]
    assert {"date", "title", "articles", "sources"} <= set(d["events"][0])
    r = c.get("/api/stories/story_nope")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"

    html = page(c, "/stories")
    assert f'id="{sid}"' in html and "2 events" in html and f'href="/stories/{sid}"' in html
    assert f'href="/events/{seeds}"' in html and f'href="/events/{other}"' in html
    one = page(c, f"/stories/{sid}")
    assert f'href="/events/{seeds}"' in one and f'href="/events/{other}"' in one and "<h1>" in one
    page(c, "/stories/story_nope", status=404)

    home = page(c, "/")
    assert home.count(f'href="/stories/{sid}"') == 2  # both events of the storyline say so

    html = page(c, f"/events/{seeds}")
    assert 'class="storyline"' in html
    assert f'href="/events/{other}"' in html  # the other event is a link, this one is not
    assert f'href="/events/{seeds}"' not in html

    from typer.testing import CliRunner

    from newsweave.cli import app

    out = CliRunner().invoke(app, ["--db", str(db), "event", seeds]).stdout
    assert f"storyline {sid}: " in out and f"{other} → " in out


def test_event_page_follows_a_storyline_change(demo_db: Path, tmp_path: Path) -> None:
    c, sid, seeds, _, _ = _with_story(demo_db, tmp_path)
    assert 'class="storyline"' in page(c, f"/events/{seeds}")
    store = c.app.state.newsweave.store
    events = store.list_events(1000)
    copies = {}
    for e in events:
        copies.update(store.copies_in_event(e.id))
    # Regrouped: same events, no storyline any more. The cached page must not keep the old box.
    store.replace_events([dataclasses.replace(e, story_id=None) for e in events], copies, [])
    assert 'class="storyline"' not in page(c, f"/events/{seeds}")
    assert "No storylines yet" in page(c, "/stories")


def test_storylines_page_on_a_store_without_any(web: Client) -> None:
    html = page(web, "/stories")
    assert 'aria-current="page">Storylines' in html
