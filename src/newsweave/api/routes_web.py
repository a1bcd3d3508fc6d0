"""The web pages: server-rendered HTML over the same query functions as the JSON API."""
from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ..queries import story_detail, story_rows
from ..stages.storylines import STORY_GAP_DAYS
from .charts import arrival_bars, month_bars, outlet_timeline
from .errors import ApiError
from .ingest import check_outcome, report_data
from .queries_web import (EventFilters, article_page, entity_page, entity_rows, event_rows,
                          search_all)
from .routes_api import read_uploads
from .security import authorize_write
from .state import state_of

router = APIRouter(include_in_schema=False)
PAGE = 20


def _page_no(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100_000))
    except ValueError:
        return 1


def _day(value: str | None, problems: list[str], name: str) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        problems.append(f"{name}: not a date (use YYYY-MM-DD)")
        return None


def _text(value: str | None, n: int = 300) -> str | None:
    v = (value or "").strip()[:n]
    return v or None


def _not_found(what: str, key: str) -> ApiError:
    return ApiError(404, f"no {what} {key[:200]!r}")


@router.get("/", response_class=HTMLResponse)
def home(request: Request, date_from: str | None = None, date_to: str | None = None,
         language: str | None = None, outlet: str | None = None, entity: str | None = None,
         page: str | None = None) -> HTMLResponse:
    st = state_of(request)
    problems: list[str] = []
    f = EventFilters(_day(date_from, problems, "from"), _day(date_to, problems, "to"),
                     _text(language, 20), _text(outlet), _text(entity))
    n = _page_no(page)
    rows, more, _ = event_rows(st.store, st.cache, f, PAGE, (n - 1) * PAGE)
    if f.entity and not rows and n == 1 and st.store.get_entity(f.entity) is None:
        problems.append(f"no entity called {f.entity!r}")
    for r in rows:
        r["bars"] = arrival_bars(r.pop("arrivals"))
    return st.pages.render(request, "home.html", nav="events", rows=rows, filters=f,
                           params=f.as_params(), page=n, more=more, problems=problems)


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, event_id: str) -> HTMLResponse:
    st = state_of(request)
    view = st.cache.report(st.store, event_id[:300])
    if view is None or view["detail"] is None:
        raise _not_found("event", event_id)
    # The storyline can change (a recluster) while the event's articles stay the same.
    story_id = view["detail"].get("story_id")
    story = story_detail(st.store, story_id) if story_id else None
    sig = (story_id, tuple((e["id"], e["title"]) for e in story["events"]) if story else ())
    pages = view.setdefault("html", {})
    html = pages.get(sig)
    if html is None:
        # The page depends only on the cached view and the storyline: render it once for each.
        report, detail = view["report"], view["detail"]
        num = {a["id"]: i + 1 for i, a in enumerate(report["articles"])}
        outlet = {a["id"]: a.get("outlet") or a["id"] for a in report["articles"]}
        copies = {a["id"]: a.get("copy_of") for a in detail["articles"]}
        reuses = {c["article"]: c.get("reuses") or [] for c in report.get("coverage", [])}
        html = pages[sig] = st.pages.text(
            "event.html", title=report["title"], nav="events", r=report, detail=detail,
            support=view["support"], num=num, outlet=outlet, copies=copies, reuses=reuses,
            story=story,
            matrix=view["matrix"], timeline=outlet_timeline(report["articles"]))
    return HTMLResponse(html)


@router.get("/stories", response_class=HTMLResponse)
def stories(request: Request, page: str | None = None) -> HTMLResponse:
    st = state_of(request)
    n = _page_no(page)
    rows = story_rows(st.store, PAGE + 1, (n - 1) * PAGE)
    return st.pages.render(request, "stories.html", title="Storylines", nav="stories",
                           rows=rows[:PAGE], page=n, more=len(rows) > PAGE, params={},
                           gap_days=STORY_GAP_DAYS, one=False)


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story(request: Request, story_id: str) -> HTMLResponse:
    st = state_of(request)
    d = story_detail(st.store, story_id[:300])
    if d is None:
        raise _not_found("storyline", story_id)
    return st.pages.render(request, "stories.html", title=d["title"], nav="stories", rows=[d],
                           page=1, more=False, params={}, gap_days=STORY_GAP_DAYS, one=True)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article(request: Request, article_id: str) -> HTMLResponse:
    st = state_of(request)
    d = article_page(st.store, article_id[:300])
    if d is None:
        raise _not_found("article", article_id)
    return st.pages.render(request, "article.html", title=d["title"], nav="", a=d)


@router.get("/entities", response_class=HTMLResponse)
def entities(request: Request, type: str | None = None, page: str | None = None
             ) -> HTMLResponse:
    st = state_of(request)
    t = type if type in ("PER", "ORG", "LOC", "MISC") else None
    n = _page_no(page)
    rows, more = entity_rows(st.store, 50, (n - 1) * 50, t)
    return st.pages.render(request, "entities.html", title="Entities", nav="entities", rows=rows,
                           type=t, page=n, more=more, params={"type": t} if t else {})


@router.get("/entities/{key:path}", response_class=HTMLResponse)
def entity(request: Request, key: str) -> HTMLResponse:
    st = state_of(request)
    d = entity_page(st.store, key[:300])
    if d is None:
        raise _not_found("entity", key)
    return st.pages.render(request, "entity.html", title=d["name"], nav="entities", e=d,
                           chart=month_bars(d["events_by_month"]))


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: str = Query("", max_length=2000)) -> HTMLResponse:
    st = state_of(request)
    d = search_all(st.store, q[:500], 30)
    return st.pages.render(request, "search.html", title="Search", nav="search", s=d)


def _ingest_form(request: Request, status: int = 200, **ctx: Any) -> HTMLResponse:
    st = state_of(request)
    ctx.setdefault("result", None)
    ctx.setdefault("error", None)
    ctx.setdefault("url", "")
    return st.pages.render(request, "ingest.html", status=status, title="Ingest", nav="ingest",
                           needs_token=not st.config.no_auth,
                           writes_enabled=st.config.no_auth or bool(st.config.token), **ctx)


@router.get("/ingest", response_class=HTMLResponse)
def ingest_form(request: Request) -> HTMLResponse:
    return _ingest_form(request)


@router.post("/ingest", response_class=HTMLResponse)
async def ingest_submit(request: Request) -> HTMLResponse:
    from starlette.concurrency import run_in_threadpool

    st = state_of(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    url = ""
    try:
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype not in ("multipart/form-data", "application/x-www-form-urlencoded"):
            raise ApiError(415, "send the form (multipart/form-data)")
        try:
            form = await request.form(max_files=20, max_fields=20,
                                      max_part_size=st.config.max_body)
        except Exception as e:  # noqa: BLE001 - malformed form data is the client's error
            raise ApiError(400, "malformed form body", detail=str(e)[:200]) from None
        token = form.get("token")
        authorize_write(headers, st.config, token if isinstance(token, str) else None)
        raw_url = form.get("url")
        url = raw_url.strip()[:4096] if isinstance(raw_url, str) else ""
        files = [(v.filename or "upload.txt", data) for v in form.getlist("files")
                 if hasattr(v, "read") and (data := await v.read())]
        if url and files:
            raise ApiError(422, "give a URL or files, not both")
        if url:
            report = await run_in_threadpool(st.ingester.url, url)
        elif files:
            report = await run_in_threadpool(st.ingester.files, files)
        else:
            raise ApiError(422, "paste a URL or choose files to upload")
        check_outcome(report)
    except ApiError as e:
        return _ingest_form(request, e.status, error={"message": e.message, "detail": e.detail},
                            url=url)
    data = report_data(report)
    events = {aid: st.store.event_of_article(aid)[0] for aid in data["stored"]}
    return _ingest_form(request, result=data, events=events)


__all__ = ["router", "read_uploads"]
