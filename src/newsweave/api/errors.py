"""One error shape for every API error: ``{"error": {"code", "message", "detail"}}``.

Pages (paths outside /api asked for by a browser) get the same information as an HTML page.
"""
from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any, Callable

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import InputError, NewsweaveError, StoreError

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 406: "not_acceptable", 409: "conflict",
         413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_request",
         429: "too_many_requests", 500: "internal_error", 503: "unavailable"}

_log = logging.getLogger("newsweave.api")

HtmlRenderer = Callable[[Request, int, dict[str, Any]], Response]


class ApiError(Exception):
    """An error a route raises on purpose, with its status, code, message and detail."""

    def __init__(self, status: int, message: str, *, code: str | None = None,
                 detail: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message
        self.detail = detail
        self.headers = headers


def error_body(status: int, message: str, code: str | None = None, detail: Any = None
               ) -> dict[str, Any]:
    """The JSON error document."""
    return {"error": {"code": code or CODES.get(status, "error"), "message": message,
                      "detail": jsonable_encoder(detail)}}


def error_json(status: int, message: str, code: str | None = None, detail: Any = None,
               headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, message, code, detail), status_code=status,
                        headers=headers)


def wants_html(request: Request) -> bool:
    """A page request from a browser (never for /api or the OpenAPI document)."""
    path = request.url.path
    if path.startswith("/api") or path == "/openapi.json":
        return False
    return "text/html" in request.headers.get("accept", "")


def _validation_detail(errors: Any) -> list[dict[str, Any]]:
    # Echoing the rejected input back could reflect megabytes (or the attacker's markup);
    # location, message and type are enough to fix the request.
    return [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")),
             "type": str(e.get("type", ""))} for e in errors]


def install_error_handlers(app: FastAPI, render_html: HtmlRenderer) -> None:
    """Route every error through one place, as JSON (API) or a page (browser)."""

    def respond(request: Request, status: int, message: str, code: str | None = None,
                detail: Any = None, headers: dict[str, str] | None = None) -> Response:
        if wants_html(request):
            resp = render_html(request, status, {"code": code or CODES.get(status, "error"),
                                                 "message": message, "detail": detail})
            for k, v in (headers or {}).items():
                resp.headers[k] = v
            return resp
        return error_json(status, message, code, detail, headers)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return respond(request, exc.status, exc.message, exc.code, exc.detail, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        message = exc.detail if isinstance(exc.detail, str) else phrase
        if status == 404 and message == "Not Found":
            message = f"no such page or resource: {request.url.path}"
        return respond(request, status, message, None, None, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        detail = _validation_detail(exc.errors())
        where = ", ".join(".".join(str(p) for p in d["loc"]) + ": " + d["msg"] for d in detail[:3])
        return respond(request, 422, f"invalid request: {where}" if where else "invalid request",
                       "invalid_request", detail)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> Response:
        return respond(request, 400, exc.reason, "invalid_input", {"source": exc.source})

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError) -> Response:
        # The message names the store's path: logged for the operator, not shown to strangers.
        _log.error("store error on %s: %s", request.url.path, exc)
        return respond(request, 503, "the store could not be read or written", "store_error")

    @app.exception_handler(NewsweaveError)
    async def _other(request: Request, exc: NewsweaveError) -> Response:
        return respond(request, 500, str(exc), "internal_error")
