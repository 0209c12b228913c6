"""Screen a party and screen a transaction, from the workbench.

A party screening is audited like the API's `/screen` (kind `screening`, which opens alerts for
review/match hits); with "open alerts" unticked it is audited as a `lookup` that opens none. A
transaction goes through the API's own transaction screener (`api.tx`), so the decision, reasons
and citations are exactly those of `/screen-tx`.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from tradescreen.api.matching import audit_result
from tradescreen.cases.alerts import record_screening
from tradescreen.events import Event
from tradescreen.screen.inputs import InputError, make_query
from tradescreen.screen.party import Screener, query_to_dict
from tradescreen.web.cases import audit_log
from tradescreen.web.core import WebError, db_of, form_of, render, require, state_of
from tradescreen.web.sessions import Session

router = APIRouter()
SCHEMAS = ("LegalEntity", "Person", "Company", "Organization", "Vessel", "Airplane")
MAX_TX_BYTES = 1_000_000


def _screener(request: Request) -> Screener:
    screener = state_of(request).screener
    if screener is None:
        raise WebError(503, "The list index is still loading; try again in a few seconds.")
    return screener


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]


@router.get("/screen")
def screen_form(request: Request, session: Annotated[Session, Depends(require("screen"))]
                ) -> Response:
    return render(request, "screen.html", {"form": {}, "results": None, "schemas": SCHEMAS})


@router.post("/screen")
async def screen_party(request: Request, session: Annotated[Session, Depends(require("screen"))]
                       ) -> Response:
    form = await form_of(request, session)
    fields = {k: str(form.get(k) or "")[:1000] for k in (
        "name", "schema", "birth_date", "countries", "identifiers")}
    open_alerts = form.get("open_alerts") == "1"
    screener = _screener(request)
    try:
        query = make_query(fields["name"], fields["schema"] or None, fields["birth_date"] or None,
                           _split(fields["countries"]), _split(fields["identifiers"]))
    except InputError as exc:
        raise WebError(400, str(exc)) from None
    if not query.name and not query.identifiers:
        raise WebError(400, "Give a name or identifiers to screen.")

    def work() -> dict[str, Any]:
        found = screener.screen(query, limit=10)
        state = state_of(request)
        snaps = tuple(screener.index.snapshots)
        data = {"endpoint": "/ui/screen", "query": query_to_dict(query),
                "results": [audit_result(r) for r in found]}
        db = db_of(request)
        log = audit_log(db, state.settings)
        opened: dict[tuple[str, str], dict[str, Any]] = {}
        if open_alerts:
            event = Event("screening", session.actor, f"query:{query.name}", data, snaps)
            outcomes = record_screening(log, event)
            hits = [r for r in found if r.decision in ("match", "review")]
            for result, outcome in zip(hits, outcomes, strict=False):
                opened[(result.score.record.source, result.score.record.source_id)] = outcome
        else:
            log.append("lookup", session.actor, f"query:{query.name}", data, snaps)
        results = []
        store = state.store()
        for r in found:
            row = r.to_dict()
            record = r.score.record
            row["entity"] = store.entity(record.snapshot, record.source_id)
            row["snapshot_info"] = state.snapshots.get(record.snapshot)
            row["alert"] = opened.get((record.source, record.source_id))
            results.append(row)
        return {"results": results, "query": query_to_dict(query)}

    out = await run_in_threadpool(work)
    return render(request, "screen.html", {"form": fields, "results": out["results"],
                                           "schemas": SCHEMAS, "open_alerts": open_alerts})


# -- transactions ---------------------------------------------------------------------------


@router.get("/screen-tx")
def tx_form(request: Request, session: Annotated[Session, Depends(require("screen"))]
            ) -> Response:
    return render(request, "screen_tx.html", {"result": None, "text": "", "form": {}})


def _simple_tx(form: Any) -> dict[str, Any]:
    """The simple case: one buyer, one good, a route."""
    def val(name: str) -> str | None:
        value = str(form.get(name) or "").strip()[:1000]
        return value or None

    parties = []
    for role in ("seller", "buyer"):
        if val(f"{role}_name"):
            parties.append({"role": role, "name": val(f"{role}_name"),
                            "country": (val(f"{role}_country") or "").lower() or None})
    goods = []
    if val("hs_code") or val("description"):
        goods.append({"hs_code": val("hs_code"), "description": val("description")})
    tx: dict[str, Any] = {"id": val("tx_id"), "parties": parties, "goods": goods}
    if val("origin") or val("destination"):
        tx["route"] = {"origin": (val("origin") or "").lower() or None,
                       "destination": (val("destination") or "").lower() or None}
    return tx


@router.post("/screen-tx")
async def screen_tx(request: Request, session: Annotated[Session, Depends(require("screen"))]
                    ) -> Response:
    form = await form_of(request, session)
    text = str(form.get("transaction") or "")
    upload = form.get("file")
    if upload is not None and hasattr(upload, "read"):
        raw = await upload.read(MAX_TX_BYTES + 1)
        if raw:
            if len(raw) > MAX_TX_BYTES:
                raise WebError(400, "The uploaded file is larger than 1 MB.")
            text = raw.decode("utf-8", errors="replace")
    if text.strip():
        if len(text) > MAX_TX_BYTES:
            raise WebError(400, "The transaction is larger than 1 MB.")
        try:
            body = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise WebError(400, f"The transaction is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            raise WebError(400, "The transaction must be one JSON object.")
    else:
        body = _simple_tx(form)
    screener = _screener(request)
    from tradescreen.api.errors import ApiError
    from tradescreen.api.tx import screen_transaction

    state = state_of(request)
    try:
        result = await run_in_threadpool(screen_transaction, state, screener, body, session.actor)
    except ApiError as exc:
        raise WebError(exc.status_code, str(exc.detail)) from None
    return render(request, "screen_tx.html", {"result": result, "text": text,
                                              "form": {k: form.get(k) or "" for k in form}})
