"""Every error is JSON `{"detail": ...}` like yente's, and nothing a client sends becomes a 500."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("tradescreen.api")


class ApiError(HTTPException):
    """An expected refusal: status, a sentence saying why, optional headers (Retry-After)."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code=status, detail=detail, headers=headers)


def error_response(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _clean(value: Any) -> Any:
    # Validation errors may carry the offending input; it can hold lone surrogates or bytes
    # that would not encode as JSON, so only plain, printable parts are echoed back.
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")[:200]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return str(type(value).__name__)


def _validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors()[:20]:
        out.append({
            "loc": [_clean(p) for p in err.get("loc", ())],
            "msg": _clean(err.get("msg", "invalid")),
            "type": _clean(err.get("type", "value_error")),
        })
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, exc.detail, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, _validation_detail(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not the client's fault: logged with its traceback, reported without details.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal error; the server log has the details")
