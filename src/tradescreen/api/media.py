"""POST /media/scan: an article (text or HTML) scanned as `tradescreen media scan` scans it.

The scanner (gazetteers over the served index, the controls' terms, a book's customers) is
built once per index and book and reused; a book's customers named in the article open case
alerts of kind `media` through the API's audit sink, as the CLI's do.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from tradescreen.api.auth import Caller, require
from tradescreen.api.common import json_response, screener_of, state_of
from tradescreen.api.errors import ApiError
from tradescreen.api.state import ApiState
from tradescreen.api.yente import ERRORS
from tradescreen.screen.party import Screener

router = APIRouter()
MAX_CHARS = 2_000_000
_LOCK = threading.Lock()
_SCANNERS: dict[tuple[int, int, str | None, str], tuple[Screener, Any]] = {}


class MediaScanRequest(BaseModel):
    text: str | None = Field(None, max_length=MAX_CHARS, description="Plain text of an article.")
    html: str | None = Field(None, max_length=MAX_CHARS,
                             description="An HTML page; its main text is extracted.")
    title: str | None = Field(None, max_length=1000)
    name: str | None = Field(None, max_length=1000, description="Where it came from (a URL).")
    book: str | None = Field(None, max_length=200,
                             description="Also look for this book's customers; a customer "
                             "named opens a case alert of kind `media`.")

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _one(self) -> MediaScanRequest:
        if (self.text is None) == (self.html is None):
            raise ValueError("give exactly one of `text` or `html`")
        return self


def _scanner(state: ApiState, screener: Screener, book: str | None) -> Any:
    from tradescreen.media.run import build_scanner

    stamp = ""
    if book is not None:
        from tradescreen.books.storage import BookError, BookStore

        try:
            info = BookStore(state.store()._conn).require(book)
        except BookError as exc:
            raise ApiError(404, str(exc)) from None
        stamp = info.updated_at  # a re-imported book gets a new customer index
    key = (id(state), id(screener), book, stamp)
    with _LOCK:
        hit = _SCANNERS.get(key)
        if hit is None:
            for old in [k for k in _SCANNERS if k[0] == id(state) and k[2] == book]:
                del _SCANNERS[old]
            hit = _SCANNERS[key] = (screener, build_scanner(state.settings, screener, book))
    return hit[1]


def _scan(state: ApiState, screener: Screener, body: MediaScanRequest, actor: str
          ) -> dict[str, Any]:
    from tradescreen.media.alerts import customer_event, scan_event
    from tradescreen.media.documents import DocumentError, documents_from_bytes

    raw = (body.html if body.html is not None else body.text or "").encode("utf-8")
    kind = "html" if body.html is not None else "text"
    docs = list(documents_from_bytes(body.name or "request", raw, kind=kind))
    doc = docs[0]
    if isinstance(doc, DocumentError):
        raise ApiError(422, doc.error)
    if body.title and doc.title is None:
        from dataclasses import replace

        doc = replace(doc, title=body.title)
    scanner = _scanner(state, screener, body.book)
    result = scanner.scan(doc)
    state.emit(scan_event(doc, result, actor=actor))
    if body.book is not None:
        event = customer_event(doc, result, actor=actor, book=body.book)
        if event is not None:
            state.emit(event)
            result["alerts_recorded"] = len(event.data["screenings"])
    return result


@router.post("/media/scan", tags=["Screening"], responses=ERRORS)
async def media_scan(
    request: Request,
    body: MediaScanRequest,
    caller: Annotated[Caller, Depends(require("screen"))],
) -> Response:
    """Scan an article for listed parties, a book's customers, programme terms, places,
    ports, items and regulations: `{"document", "mentions", "snapshots"}` as `tradescreen
    media scan --json` gives it, each mention with its offsets in the extracted text."""
    state = state_of(request)
    screener = screener_of(state)
    return json_response(await run_in_threadpool(_scan, state, screener, body, caller.actor))
