"""The alert queue and the case page: read (scope `read`), assign, decide, approve (`cases`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from tradescreen.cases import decisions
from tradescreen.cases.decisions import DECISIONS, CaseError
from tradescreen.web import queue
from tradescreen.web.books import case_alert_ids
from tradescreen.web.cases import assign, audit_log, load_case
from tradescreen.web.core import (
    PREFIX,
    WebError,
    db_of,
    form_of,
    redirect,
    render,
    require,
    state_of,
)
from tradescreen.web.sessions import Session

router = APIRouter()
MAX_ID = 2**62


def alert_id_of(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise WebError(404, f"No alert {raw[:40]!r}.")
    return int(raw)


@router.get("/queue")
def alert_queue(request: Request, session: Annotated[Session, Depends(require("read"))]
                ) -> Response:
    db = db_of(request)
    try:
        f = queue.parse_filter(request.query_params, session.user)
    except queue.FilterError as exc:
        raise WebError(400, str(exc)) from None
    ids = case_alert_ids(db, f.book) if f.book else None
    page = queue.read_page(db, f, now=datetime.now(UTC), alert_ids=ids)
    books = [str(r[0]) for r in db.fetchall("SELECT name FROM books ORDER BY name")]
    return render(request, "queue.html", {
        "page": page, "f": f, "sources": queue.sources(db), "assignees": queue.assignees(db),
        "books": books, "decisions": DECISIONS, "statuses": ("open", "decided", "final",
                                                              "suppressed"),
        "sorts": tuple(queue.SORTS), "page_size": queue.PAGE_SIZE,
        "back": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    })


def _back(form: Any, default: str) -> str:
    target = str(form.get("back") or "")
    # Only our own pages: never an absolute or scheme-relative address.
    return target if target.startswith(f"{PREFIX}/") and not target.startswith("//") else default


@router.post("/alerts/{alert_id}/assign")
async def assign_to_me(request: Request, alert_id: str,
                       session: Annotated[Session, Depends(require("cases"))]) -> Response:
    form = await form_of(request, session)
    aid = alert_id_of(alert_id)
    state = state_of(request)

    def work() -> None:
        try:
            assign(db_of(request), state.settings, aid, session.user, session.actor)
        except LookupError as exc:
            raise WebError(404, str(exc)) from None

    await run_in_threadpool(work)
    return redirect(_back(form, f"{PREFIX}/cases/{aid}"))


@router.get("/cases/{alert_id}")
def case_page(request: Request, alert_id: str,
              session: Annotated[Session, Depends(require("read"))]) -> Response:
    aid = alert_id_of(alert_id)
    state = state_of(request)
    case = load_case(db_of(request), state.store(), state.settings, aid)
    if case is None:
        raise WebError(404, f"No alert {aid}.")
    return render(request, "case.html", {
        "case": case, "decisions": DECISIONS, "four_eyes": state.settings.four_eyes,
        "notice": request.query_params.get("done", "")[:40],
    })


def _refusal(exc: CaseError) -> WebError:
    text = str(exc)
    if text.startswith("no alert"):
        return WebError(404, text)
    return WebError(403 if "four-eyes" in text else 409, text)


@router.post("/cases/{alert_id}/decide")
async def decide(request: Request, alert_id: str,
                 session: Annotated[Session, Depends(require("cases"))]) -> Response:
    form = await form_of(request, session)
    aid = alert_id_of(alert_id)
    decision = str(form.get("decision") or "")
    reason = str(form.get("reason") or "")[:2000]
    if decision not in DECISIONS:
        raise WebError(400, f"Choose a decision: {', '.join(DECISIONS)}.")
    if not reason.strip():
        raise WebError(400, "A decision needs a reason.")
    state = state_of(request)

    def work() -> None:
        log = audit_log(db_of(request), state.settings)
        try:
            decisions.decide(log, aid, decision, reason, session.actor, state.settings.four_eyes)
        except CaseError as exc:
            raise _refusal(exc) from None

    await run_in_threadpool(work)
    return redirect(f"{PREFIX}/cases/{aid}?done=decided")


@router.post("/cases/{alert_id}/approve")
async def approve(request: Request, alert_id: str,
                  session: Annotated[Session, Depends(require("cases"))]) -> Response:
    await form_of(request, session)
    aid = alert_id_of(alert_id)
    state = state_of(request)

    def work() -> None:
        log = audit_log(db_of(request), state.settings)
        try:
            decisions.approve(log, aid, session.actor)
        except CaseError as exc:
            raise _refusal(exc) from None

    await run_in_threadpool(work)
    return redirect(f"{PREFIX}/cases/{aid}?done=approved")
