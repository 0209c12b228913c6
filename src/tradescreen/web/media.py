"""Scan an article from the workbench: the text with every mention highlighted, each linked to
the listed entry (or customer row) and the term's citation below it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from tradescreen.api.errors import ApiError
from tradescreen.web.core import WebError, form_of, render, require, state_of
from tradescreen.web.sessions import Session

router = APIRouter()
MAX_CHARS = 2_000_000


def segments(text: str, mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut into plain and highlighted pieces; where mentions overlap, the first (then
    longest) is highlighted and the others are listed below only."""
    out: list[dict[str, Any]] = []
    at = 0
    for n, m in sorted(enumerate(mentions), key=lambda x: (x[1]["start"], -x[1]["end"])):
        if m["start"] < at:
            continue
        if m["start"] > at:
            out.append({"text": text[at:m["start"]], "mention": None, "n": None})
        out.append({"text": text[m["start"]:m["end"]], "mention": m, "n": n})
        at = m["end"]
    if at < len(text):
        out.append({"text": text[at:], "mention": None, "n": None})
    return out


@router.get("/media")
def media_form(request: Request, session: Annotated[Session, Depends(require("screen"))]
               ) -> Response:
    return render(request, "media.html", {"form": {}, "result": None})


@router.post("/media")
async def media_scan(request: Request, session: Annotated[Session, Depends(require("screen"))]
                     ) -> Response:
    from tradescreen.api.media import MediaScanRequest, _scan

    form = await form_of(request, session)
    body = str(form.get("body") or "")[:MAX_CHARS]
    book = str(form.get("book") or "").strip() or None
    if not body.strip():
        raise WebError(400, "Paste the text or HTML of an article.")
    html = body.lstrip().startswith("<")
    state = state_of(request)
    screener = state.screener
    if screener is None:
        raise WebError(503, "The list index is still loading; try again in a few seconds.")
    request_body = MediaScanRequest(html=body if html else None, text=None if html else body,
                                    book=book)
    try:
        result = await run_in_threadpool(_scan, state, screener, request_body, session.actor)
    except ApiError as exc:
        raise WebError(exc.status_code, str(exc.detail)) from None
    store = state.store()
    for m in result["mentions"]:
        if m["kind"] == "listed_party":
            m["entity"] = store.entity(m["snapshot"], m["source_id"])
    return render(request, "media.html", {
        "form": {"body": body, "book": book or ""}, "result": result,
        "segments": segments(result["document"]["text"], result["mentions"]),
    })
