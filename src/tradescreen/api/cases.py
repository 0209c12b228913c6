"""Alerts, decisions and the audit record over HTTP: the `cases` and `audit` commands' twins.

The acting user is the API key's name, so four-eyes works per key: the key that decided an
alert cannot approve it (403). Reading needs `read`, deciding and approving `cases`, the audit
record `admin`.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from tradescreen.api.auth import Caller, require
from tradescreen.api.common import json_response, state_of
from tradescreen.api.errors import ApiError
from tradescreen.api.models import KEY_ERRORS, error_responses
from tradescreen.cases import decisions
from tradescreen.cases.alerts import (
    STATUSES,
    AlertFilter,
    count_alerts,
    get_alert,
    list_alerts,
)
from tradescreen.cases.audit import open_sink
from tradescreen.cases.decisions import CaseError

router = APIRouter(tags=["Cases"],
                   responses={**KEY_ERRORS, **error_responses(400, 404, 409, 503)})


class NDJSONResponse(Response):
    media_type = "application/x-ndjson"

# Alert ids are database integers: anything larger is no alert (and would overflow SQLite).
AlertId = Annotated[int, Path(ge=1, le=2**62)]


class DecideRequest(BaseModel):
    decision: str = Field(pattern="^(true_match|false_positive|escalate)$")
    reason: str = Field(min_length=1, max_length=2000)


def _alert(log: Any, alert: Any, *, full: bool) -> dict[str, Any]:
    data = alert.to_dict()
    current = decisions.get_decision(log, alert.decision_id)
    data["decision"] = current.to_dict() if current else None
    if full:
        data["history"] = [d.to_dict() for d in decisions.history(log, alert.id)]
    return data


def _refusal(exc: CaseError) -> ApiError:
    text = str(exc)
    if text.startswith("no alert"):
        return ApiError(404, text)
    # Deciding on someone else's behalf or approving one's own decision is a permission
    # matter; the other refusals (already final, nothing to approve) are conflicts of state.
    return ApiError(403 if "four-eyes" in text else 409, text)


def _with_log(request: Request, work: Any) -> Any:
    with open_sink(state_of(request).settings) as sink:
        return work(sink.log())


@router.get("/cases", summary="Alerts raised by screenings, a page at a time, with the total")
async def list_cases(
    request: Request,
    caller: Annotated[Caller, Depends(require("read"))],
    status: Annotated[str | None, Query(max_length=20)] = None,
    book: Annotated[str | None, Query(max_length=200)] = None,
    source: Annotated[str | None, Query(max_length=100)] = None,
    since: Annotated[str | None, Query(max_length=40, description="Raised on/after (ISO)")] = None,
    until: Annotated[str | None, Query(max_length=40, description="Raised on/before")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> Response:
    if status is not None and status not in STATUSES:
        raise ApiError(400, f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    where = AlertFilter(status=status, book=book, source=source, since=since, until=until)
    try:
        where.where()
    except ValueError as exc:
        raise ApiError(400, str(exc).replace("--", "")) from None

    def work(log: Any) -> dict[str, Any]:
        with log.db.read():
            total = count_alerts(log.db, where)
            page = list_alerts(log.db, limit=limit, offset=offset, where=where)
            alerts = [_alert(log, a, full=False) for a in page]
        return {"alerts": alerts, "total": total, "offset": offset, "limit": limit}

    return json_response(await run_in_threadpool(_with_log, request, work))


@router.get("/cases/{alert_id}", summary="One alert with its explanation and decisions")
async def show_case(
    request: Request, alert_id: AlertId, caller: Annotated[Caller, Depends(require("read"))]
) -> Response:
    def work(log: Any) -> dict[str, Any]:
        alert = get_alert(log.db, alert_id)
        if alert is None:
            raise ApiError(404, f"no alert {alert_id}")
        return _alert(log, alert, full=True)

    return json_response(await run_in_threadpool(_with_log, request, work))


@router.post("/cases/{alert_id}/decide", summary="Decide an alert (four-eyes may apply)")
async def decide_case(
    request: Request,
    alert_id: AlertId,
    body: DecideRequest,
    caller: Annotated[Caller, Depends(require("cases"))],
) -> Response:
    settings = state_of(request).settings

    def work(log: Any) -> dict[str, Any]:
        try:
            alert, made = decisions.decide(
                log, alert_id, body.decision, body.reason, caller.actor, settings.four_eyes
            )
        except CaseError as exc:
            raise _refusal(exc) from None
        return {"alert": alert.to_dict(), "decision": made.to_dict()}

    return json_response(await run_in_threadpool(_with_log, request, work))


@router.post("/cases/{alert_id}/approve", summary="Approve another user's decision")
async def approve_case(
    request: Request, alert_id: AlertId, caller: Annotated[Caller, Depends(require("cases"))]
) -> Response:
    def work(log: Any) -> dict[str, Any]:
        try:
            alert, made = decisions.approve(log, alert_id, caller.actor)
        except CaseError as exc:
            raise _refusal(exc) from None
        return {"alert": alert.to_dict(), "decision": made.to_dict()}

    return json_response(await run_in_threadpool(_with_log, request, work))


@router.get("/audit/verify", tags=["Audit"], summary="Re-compute the audit hash chain")
async def verify_audit(
    request: Request, caller: Annotated[Caller, Depends(require("admin"))]
) -> Response:
    def work(log: Any) -> dict[str, Any]:
        verdict = log.verify()
        return {"valid": verdict.ok, "records": verdict.records, "first_bad": verdict.bad_seq,
                "message": verdict.message()}

    return json_response(await run_in_threadpool(_with_log, request, work))


@router.get("/audit/export", tags=["Audit"], summary="The audit record as JSON lines",
            response_class=NDJSONResponse)
async def export_audit(
    request: Request, caller: Annotated[Caller, Depends(require("admin"))]
) -> Response:
    def work(log: Any) -> bytes:
        return b"".join(orjson.dumps(r.to_dict()) + b"\n" for r in log.records())

    body = await run_in_threadpool(_with_log, request, work)
    return NDJSONResponse(body)
