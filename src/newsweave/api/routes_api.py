"""The JSON API under /api: thin adapters over the shared query functions."""
from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Path, Query, Request

from .. import queries
from .errors import ApiError
from .ingest import IngestRequest, check_outcome, report_data
from .queries_web import (EventFilters, article_rows, entity_page, entity_rows, event_rows,
                          search_all)
from .security import authorize_write
from .state import state_of

router = APIRouter(prefix="/api", tags=["api"])

def _limit() -> Any:
    return Query(50, ge=1, le=200, description="Page size.")


def _offset() -> Any:
    return Query(0, ge=0, le=10_000_000, description="Rows to skip.")


def _id() -> Any:
    return Path(..., min_length=1, max_length=300)


def _page(items: list[Any], limit: int, offset: int, more: bool) -> dict[str, Any]:
    return {"items": items, "limit": limit, "offset": offset,
            "next_offset": offset + limit if more else None}


def _not_found(what: str, key: str) -> ApiError:
    return ApiError(404, f"no {what} {key[:200]!r}", detail={"id": key[:200]})


@router.get("/events", summary="Events, newest first, with filters")
def list_events(request: Request, limit: int = _limit(), offset: int = _offset(),
                date_from: date | None = Query(None, description="First day (YYYY-MM-DD)."),
                date_to: date | None = Query(None, description="Last day (YYYY-MM-DD)."),
                language: str | None = Query(None, max_length=20),
                outlet: str | None = Query(None, max_length=300),
                entity: str | None = Query(None, max_length=300,
                                           description="Entity id, name or name variant.")
                ) -> dict[str, Any]:
    st = state_of(request)
    f = EventFilters(date_from.isoformat() if date_from else None,
                     date_to.isoformat() if date_to else None, language, outlet, entity)
    rows, more, _ = event_rows(st.store, st.cache, f, limit, offset)
    for r in rows:
        r.pop("arrivals", None)
    return _page(rows, limit, offset, more)


@router.get("/events/{event_id}", summary="One event: its articles, outlets, first reporter")
def get_event(request: Request, event_id: str = _id()) -> dict[str, Any]:
    d = queries.event_detail(state_of(request).store, event_id)
    if d is None:
        raise _not_found("event", event_id)
    return d


@router.get("/events/{event_id}/report", summary="The event's comparison report (JSON contract)")
def get_report(request: Request, event_id: str = _id()) -> dict[str, Any]:
    st = state_of(request)
    view = st.cache.report(st.store, event_id)
    if view is None:
        raise _not_found("event", event_id)
    if view["error"]:
        raise ApiError(500, "the report of this event could not be computed",
                       code="report_failed", detail={"reason": view["error"]})
    return view["report"]


@router.get("/articles", summary="Articles, newest first")
def list_articles(request: Request, limit: int = _limit(), offset: int = _offset(),
                  language: str | None = Query(None, max_length=20),
                  outlet: str | None = Query(None, max_length=300)) -> dict[str, Any]:
    rows, more = article_rows(state_of(request).store, limit, offset, language, outlet)
    return _page(rows, limit, offset, more)


@router.get("/articles/{article_id}", summary="One article with its enrichment")
def get_article(request: Request, article_id: str = _id()) -> dict[str, Any]:
    d = queries.article_detail(state_of(request).store, article_id)
    if d is None:
        raise _not_found("article", article_id)
    return d


@router.get("/similarity", summary="How alike two stored articles are (1 = the same story)")
def get_similarity(request: Request, a: str = Query(..., max_length=300, description="Article id."),
                   b: str = Query(..., max_length=300, description="Another article id.")
                   ) -> dict[str, Any]:
    d = queries.article_similarity(state_of(request).store, a, b)
    if isinstance(d, str):
        raise _not_found("article", d)
    return d


@router.get("/entities", summary="Canonical entities, most articles first")
def list_entities(request: Request, limit: int = _limit(), offset: int = _offset(),
                  type: str | None = Query(None, pattern="^(PER|ORG|LOC|MISC)$")
                  ) -> dict[str, Any]:
    rows, more = entity_rows(state_of(request).store, limit, offset, type)
    return _page(rows, limit, offset, more)


@router.get("/entities/{key:path}", summary="One entity: variants, events over time, co-occurring")
def get_entity(request: Request, key: str = _id()) -> dict[str, Any]:
    d = entity_page(state_of(request).store, key)
    if d is None:
        raise _not_found("entity", key)
    return d


@router.get("/search", summary="Full-text search over articles (and their events)")
def search(request: Request, q: str = Query(..., min_length=1, max_length=500),
           limit: int = Query(20, ge=1, le=100)) -> dict[str, Any]:
    d = search_all(state_of(request).store, q, limit)
    for a in d["articles"]:
        a.pop("highlight", None)  # the snippet marks matches with [ ]
    return d


@router.get("/stories", summary="Storylines, newest first")
def list_stories(request: Request, limit: int = _limit(), offset: int = _offset()) -> dict[str, Any]:
    rows = queries.story_rows(state_of(request).store, limit + 1, offset)
    return _page(rows[:limit], limit, offset, len(rows) > limit)


@router.get("/stories/{story_id}", summary="One storyline and its events in date order")
def get_story(request: Request, story_id: str = _id()) -> dict[str, Any]:
    d = queries.story_detail(state_of(request).store, story_id)
    if d is None:
        raise _not_found("storyline", story_id)
    return d


_INGEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": IngestRequest.model_json_schema()},
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["files"],
                "properties": {"files": {"type": "array",
                                         "items": {"type": "string", "format": "binary"}}}}},
        },
    },
    "security": [{"bearer": []}],
}


@router.post("/ingest", summary="Ingest a URL, JSON records or uploaded files",
             openapi_extra=_INGEST_BODY)
async def ingest(request: Request) -> dict[str, Any]:
    from starlette.concurrency import run_in_threadpool

    st = state_of(request)
    authorize_write({k.lower(): v for k, v in request.headers.items()}, st.config)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            body = IngestRequest.model_validate_json(await request.body())
        except ValueError as e:
            errs = getattr(e, "errors", lambda: [])()
            raise ApiError(422, "invalid JSON body: give {\"url\": ...} or {\"articles\": [...]}",
                           code="invalid_request",
                           detail=[{"loc": list(x.get("loc", ())), "msg": x.get("msg", ""),
                                    "type": x.get("type", "")} for x in errs]) from None
        if (body.url is None) == (body.articles is None):
            raise ApiError(422, "give exactly one of url or articles", code="invalid_request")
        if body.url is not None:
            report = await run_in_threadpool(st.ingester.url, body.url)
        else:
            report = await run_in_threadpool(st.ingester.records, body.articles or [])
    elif ctype == "multipart/form-data":
        files = await read_uploads(request, st.config.max_body)
        report = await run_in_threadpool(st.ingester.files, files)
    else:
        raise ApiError(415, "send application/json or multipart/form-data",
                       detail={"content_type": ctype[:100]})
    check_outcome(report)
    return report_data(report)


async def read_uploads(request: Request, max_part: int) -> list[tuple[str, bytes]]:
    """The uploaded files of a multipart form (field ``files``; empty parts skipped)."""
    try:
        form = await request.form(max_files=20, max_fields=20, max_part_size=max_part)
    except Exception as e:  # noqa: BLE001 - malformed multipart is the client's error
        raise ApiError(400, "malformed multipart body", detail=str(e)[:200]) from None
    out = []
    for value in form.getlist("files"):
        if hasattr(value, "read"):
            data = await value.read()
            if data:
                out.append((value.filename or "upload.txt", data))
    return out
