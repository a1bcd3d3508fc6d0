"""The JSON API, in-process over httpx's ASGI transport, on the demo store."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from api._client import TOKEN, Client, assert_error, copy_store

AUTH = {"Authorization": f"Bearer {TOKEN}"}
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy",
                    "x-frame-options")


# ---- reads ------------------------------------------------------------------------------------

def test_events_list_paginates(api: Client, demo_app) -> None:
    first = api.get("/api/events", params={"limit": 5}).json()
    assert first["limit"] == 5 and first["offset"] == 0 and len(first["items"]) == 5
    assert first["next_offset"] == 5
    second = api.get("/api/events", params={"limit": 5, "offset": 5}).json()
    assert not {e["id"] for e in first["items"]} & {e["id"] for e in second["items"]}
    row = first["items"][0]
    assert {"id", "title", "date", "articles", "sources", "languages", "outlets"} <= set(row)
    last = api.get("/api/events", params={"limit": 200}).json()
    assert last["next_offset"] is None
    assert len(last["items"]) == demo_app.state.newsweave.store.count_events()


def test_events_filters(api: Client, seeds_event_id: str) -> None:
    def ids(**params: str) -> set[str]:
        return {e["id"] for e in api.get("/api/events", params={"limit": 200, **params})
                .json()["items"]}

    assert ids(outlet="RFI") == {seeds_event_id}
    assert seeds_event_id in ids(entity="Li Shangfu")
    assert ids(entity="Li Shangfu") <= ids(language="en")
    assert ids(entity="nobody at all") == set()
    assert ids(date_from="2023-04-16", date_to="2023-04-16") == {seeds_event_id}
    assert seeds_event_id not in ids(date_to="2022-12-31")
    assert ids(language="xx") == set()


def test_events_bad_parameters_use_the_error_shape(api: Client) -> None:
    err = assert_error(api.get("/api/events", params={"date_from": "yesterday"}), 422,
                       "invalid_request")
    assert err["detail"][0]["loc"] == ["query", "date_from"]
    assert_error(api.get("/api/events", params={"limit": 0}), 422, "invalid_request")
    assert_error(api.get("/api/events", params={"offset": -1}), 422, "invalid_request")


def test_event_detail(api: Client, seeds_event_id: str) -> None:
    d = api.get(f"/api/events/{seeds_event_id}").json()
    assert d["id"] == seeds_event_id and d["sources"] == 2
    assert {a["outlet"] for a in d["articles"]} == {"RFI", None}
    assert d["first_reporter"]["outlet"] == "RFI"
    assert_error(api.get("/api/events/ev_nope"), 404, "not_found")


def test_similarity_of_two_stored_articles(api: Client, seeds_event_id: str) -> None:
    seeds = {"a": "004_d179e931f6170d12", "b": "000_91d4f52043ef8cf0"}
    d = api.get("/api/similarity", params=seeds).json()
    assert d["same_event"] and d["similarity"] > 0.7
    assert [x["id"] for x in d["articles"]] == [seeds["a"], seeds["b"]]
    assert {x["event"] for x in d["articles"]} == {seeds_event_id}
    other = api.get("/api/similarity", params={"a": seeds["a"], "b": "wikinews-2019-06-23-064"}).json()
    assert not other["same_event"] and other["similarity"] < d["similarity"] - 0.4
    err = assert_error(api.get("/api/similarity", params={"a": seeds["a"], "b": "nope"}), 404,
                       "not_found")
    assert "nope" in err["message"]
    assert_error(api.get("/api/similarity", params={"a": seeds["a"]}), 422)


def test_event_report_is_the_report_contract(api: Client, demo_app, seeds_event_id: str) -> None:
    from newsweave.queries import event_report
    from newsweave.report import report_to_json

    resp = api.get(f"/api/events/{seeds_event_id}/report")
    assert resp.status_code == 200
    got = resp.json()
    want = json.loads(json.dumps(report_to_json(
        event_report(demo_app.state.newsweave.store, seeds_event_id))))
    assert got == want
    rec = got["record"]
    assert {"Vladimir Putin", "Li Shangfu"} <= {w["name"] for w in rec["who"]}
    assert rec["where"][0]["name"] == "Moscow" and rec["when"]["date"] == "2023-04-16"
    assert_error(api.get("/api/events/ev_nope/report"), 404, "not_found")


def test_articles(api: Client) -> None:
    page = api.get("/api/articles", params={"limit": 10}).json()
    assert len(page["items"]) == 10 and page["next_offset"] == 10
    rfi = api.get("/api/articles", params={"outlet": "RFI"}).json()["items"]
    assert len(rfi) == 1
    d = api.get(f"/api/articles/{rfi[0]['id']}").json()
    assert d["outlet"] == "RFI" and "Li Shangfu" in d["text"]
    assert d["enrichment"]["sentences"]
    assert_error(api.get("/api/articles/nope"), 404, "not_found")


def test_entities(api: Client, seeds_event_id: str) -> None:
    page = api.get("/api/entities", params={"limit": 5}).json()
    assert len(page["items"]) == 5 and page["items"][0]["articles"] >= page["items"][-1]["articles"]
    per = api.get("/api/entities", params={"type": "PER", "limit": 50}).json()["items"]
    assert per and all(e["type"] == "PER" for e in per)
    assert_error(api.get("/api/entities", params={"type": "BOGUS"}), 422, "invalid_request")
    d = api.get("/api/entities/Li Shangfu").json()
    assert d["name"] == "Li Shangfu" and d["type"] == "PER"
    assert seeds_event_id in {e["id"] for e in d["events"]}
    assert d["events_by_month"] == [{"month": "2023-04", "events": 1}]
    assert "Vladimir Putin" in {c["name"] for c in d["co_occurring"]}
    assert api.get(f"/api/entities/{d['id']}").json()["name"] == "Li Shangfu"
    assert_error(api.get("/api/entities/nobody-at-all"), 404, "not_found")


def test_search(api: Client, seeds_event_id: str) -> None:
    d = api.get("/api/search", params={"q": "defence minister Moscow"}).json()
    assert d["articles"] and "[" in d["articles"][0]["snippet"]
    assert seeds_event_id in {e["id"] for e in d["events"]}
    assert api.get("/api/search", params={"q": "zzqxyv"}).json()["articles"] == []
    assert_error(api.get("/api/search"), 422, "invalid_request")


def test_stories(api: Client) -> None:
    d = api.get("/api/stories").json()
    assert d["items"] == [] or {"id", "title", "events"} <= set(d["items"][0])
    assert d["next_offset"] is None


def test_openapi_lists_every_route(api: Client) -> None:
    spec = api.get("/openapi.json").json()
    assert {"/api/events", "/api/events/{event_id}", "/api/events/{event_id}/report",
            "/api/articles", "/api/articles/{article_id}", "/api/entities",
            "/api/entities/{key}", "/api/search", "/api/stories", "/api/stories/{story_id}",
            "/api/ingest"} <= set(spec["paths"])
    body = spec["paths"]["/api/ingest"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)
    assert not any(p.startswith("/events") or p == "/" for p in spec["paths"])  # pages stay out


def test_unknown_paths_and_methods_use_the_error_shape(api: Client) -> None:
    assert_error(api.get("/api/nothing-here"), 404, "not_found")
    assert_error(api.get("/nothing-here"), 404, "not_found")  # not a browser: JSON
    assert_error(api.request("DELETE", "/api/events"), 405, "method_not_allowed")


def test_security_headers_on_every_response(api: Client) -> None:
    for url in ("/api/events", "/api/nothing", "/", "/static/app.js", "/openapi.json"):
        r = api.get(url)
        for h in SECURITY_HEADERS:
            assert h in r.headers, (url, h)
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
    assert api.get("/api/events").headers["x-content-type-options"] == "nosniff"


# ---- writes -----------------------------------------------------------------------------------

def test_ingest_needs_the_token(api: Client) -> None:
    rec = {"articles": [{"id": "x1", "title": "T", "text": "Some text here."}]}
    err = assert_error(api.post("/api/ingest", json=rec), 401, "unauthorized")
    assert "token" in err["message"]
    assert_error(api.post("/api/ingest", json=rec, headers={"Authorization": "Bearer wrong"}),
                 403, "bad_token")
    assert_error(api.post("/api/ingest", json=rec,
                          headers={**AUTH, "Origin": "https://evil.example"}), 403, "cross_origin")
    assert_error(api.post("/api/ingest", json=rec, headers={**AUTH, "Sec-Fetch-Site": "cross-site"}),
                 403, "cross_origin")


def test_writes_disabled_without_a_token(demo_db: Path) -> None:
    from newsweave.api import create_app
    from newsweave.config import Settings

    c = Client(create_app(Settings(db=str(demo_db))))
    assert_error(c.post("/api/ingest", json={"url": "https://example.org/"}, headers=AUTH), 403,
                 "writes_disabled")


def test_no_auth_only_on_loopback(demo_db: Path) -> None:
    from newsweave.api import create_app
    from newsweave.config import Settings

    with pytest.raises(ValueError, match="127.0.0.1"):
        create_app(Settings(db=str(demo_db)), no_auth=True, bind_host="0.0.0.0")
    app = create_app(Settings(db=str(demo_db)), no_auth=True, bind_host="127.0.0.1")
    # A DNS-rebinding page would come with its own host name: refused.
    assert_error(Client(app, "http://evil.example").get("/api/events"), 421, "misdirected_request")
    assert Client(app, "http://127.0.0.1:8000").get("/api/events").status_code == 200


@pytest.fixture(scope="module")
def writable(tmp_path_factory, demo_db: Path) -> Client:
    """The app over a private copy of the demo store (ingest rebuilds its events)."""
    from newsweave.api import create_app
    from newsweave.config import Settings

    db = copy_store(demo_db, tmp_path_factory.mktemp("api-write"))
    return Client(create_app(Settings(db=str(db), token=TOKEN)))


def test_ingest_records_runs_the_pipeline(writable: Client) -> None:
    recs = [{"id": "api-rec-1", "title": "Harbour bridge reopens in Sydney after repairs",
             "text": "The Sydney Harbour Bridge reopened on Monday after three weeks of repairs, "
                     "officials said. Traffic returned to normal by the evening.",
             "outlet": "Test Wire", "published": "2024-03-04T10:00:00Z", "language": "en"},
            {"title": "no text"}]
    r = writable.post("/api/ingest", json={"articles": recs}, headers=AUTH)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["stored"] == ["api-rec-1"]
    assert d["failed"][0]["item"] == "api:2" and "no text" in d["failed"][0]["reason"]
    art = writable.get("/api/articles/api-rec-1").json()
    assert art["outlet"] == "Test Wire" and art["enrichment"]["sentences"]
    events = writable.get("/api/events", params={"outlet": "Test Wire"}).json()["items"]
    assert len(events) == 1  # grouped like any ingest
    again = writable.post("/api/ingest", json={"articles": recs[:1]}, headers=AUTH).json()
    assert again["unchanged"] == ["api-rec-1"] and again["stored"] == []


def test_ingest_files(writable: Client) -> None:
    text = ("Volcano erupts near Reykjavik\n\nA volcano erupted on the Reykjanes peninsula "
            "on Tuesday night, Iceland's Met Office said. Lava flowed towards Grindavik.")
    r = writable.post("/api/ingest", headers=AUTH,
                      files=[("files", ("../../etc/volcano.txt", text.encode(), "text/plain"))])
    assert r.status_code == 200, r.text
    assert r.json()["stored"] == ["volcano"]
    assert writable.get("/api/articles/volcano").json()["source"] == "upload:volcano.txt"


def test_ingest_url_refuses_private_addresses(writable: Client) -> None:
    err = assert_error(writable.post("/api/ingest", json={"url": "http://127.0.0.1:9/x"},
                                     headers=AUTH), 422, "ingest_failed")
    assert "loopback" in err["message"]
    assert err["detail"]["failed"][0]["item"] == "http://127.0.0.1:9/x"
    # Only http(s): a path or another scheme never reaches the file reader.
    for bad in ("/etc/passwd", "file:///etc/passwd", "ftp://example.org/x"):
        assert_error(writable.post("/api/ingest", json={"url": bad}, headers=AUTH), 422,
                     "invalid_request")


def test_ingest_bad_bodies(writable: Client) -> None:
    assert_error(writable.post("/api/ingest", content=b"{not json", headers={
        **AUTH, "Content-Type": "application/json"}), 422, "invalid_request")
    assert_error(writable.post("/api/ingest", json={"url": "https://a.example/",
                                                    "articles": []}, headers=AUTH), 422)
    assert_error(writable.post("/api/ingest", json={}, headers=AUTH), 422)
    assert_error(writable.post("/api/ingest", json={"articles": []}, headers=AUTH), 422)
    assert_error(writable.post("/api/ingest", json={"urls": ["x"]}, headers=AUTH), 422)
    assert_error(writable.post("/api/ingest", content=b"x", headers={
        **AUTH, "Content-Type": "text/plain"}), 415, "unsupported_media_type")
    assert_error(writable.post("/api/ingest", headers=AUTH, files=[]), 415)
    huge = b'{"articles": [{"text": "' + b"a" * (22 * 1024 * 1024) + b'"}]}'
    assert_error(writable.post("/api/ingest", content=huge, headers={
        **AUTH, "Content-Type": "application/json"}), 413, "payload_too_large")


def test_report_cache_follows_regrouping(tmp_path: Path, demo_db: Path) -> None:
    from newsweave.api.queries_web import ReadCache
    from newsweave.store import open_store

    store = open_store(copy_store(demo_db, tmp_path))
    events = store.list_events(1000)
    seeds = next(e for e in events if "Chinese Defense Minister" in e.title)
    cache = ReadCache()
    assert len(cache.report(store, seeds.id)["report"]["articles"]) == 2
    assert cache.report(store, seeds.id) is cache.report(store, seeds.id)  # cached
    seeds.article_ids = seeds.article_ids[:1]
    store.replace_events(events, store.copies_in_event(seeds.id), store.list_stories(1000))
    view = cache.report(store, seeds.id)
    assert len(view["report"]["articles"]) == 1 and view["report"]["single_source"]
    assert cache.report(store, "ev_gone") is None
