"""tradescreen's own endpoints: /screen (one party), /screen-tx (a transaction), /lists."""

from __future__ import annotations

import importlib.util
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from tradescreen.api import models
from tradescreen.api.auth import Caller, require
from tradescreen.api.common import digest, json_response, screener_of, state_of
from tradescreen.api.errors import ApiError
from tradescreen.api.matching import audit_result
from tradescreen.api.yente import ERRORS
from tradescreen.events import Event
from tradescreen.screen.inputs import InputError, make_query
from tradescreen.screen.party import query_to_dict

router = APIRouter()


@router.post("/screen", tags=["Screening"], response_model=models.ScreenResponse,
             responses=ERRORS)
async def screen(
    request: Request,
    body: models.ScreenRequest,
    caller: Annotated[Caller, Depends(require("screen"))],
) -> Response:
    """Screen one party; the answer has the shape of `tradescreen screen --json`: every result
    with its decision, explanation rows and the list snapshot it came from."""
    state = state_of(request)
    screener = screener_of(state)
    countries = [*body.countries, *([body.country] if body.country else [])]
    try:
        query = make_query(body.name, body.schema_, body.birth_date, countries, body.identifiers)
    except InputError as exc:
        raise ApiError(422, str(exc)) from None
    if not query.name and not query.identifiers:
        raise ApiError(422, "give a name or identifiers to screen")
    found = screener.screen(query, limit=body.limit)
    data = {"query": query_to_dict(query), "results": [r.to_dict() for r in found],
            "snapshots": list(screener.index.snapshots)}
    state.emit(Event(
        kind="screening",
        actor=caller.actor,
        subject=digest("/screen", data["query"], body.limit),
        data={"endpoint": "/screen", "query": data["query"],
              "results": [audit_result(r) for r in found]},
        snapshots=tuple(screener.index.snapshots),
    ))
    return json_response(data)


def tx_available() -> bool:
    """Whether transaction screening (tradescreen.screen.tx) is installed in this build."""
    return importlib.util.find_spec("tradescreen.screen.tx") is not None


@router.post("/screen-tx", tags=["Screening"], responses={**ERRORS, 501: ERRORS[400]})
async def screen_tx(
    request: Request,
    body: Annotated[dict[str, Any], Body(description="One transaction (see `screen-tx`).")],
    caller: Annotated[Caller, Depends(require("screen"))],
) -> Response:
    """Screen a transaction (parties, ownership, goods, route, red flags) as `tradescreen
    screen-tx` does: a clear / review / block decision with every reason cited. 501 when this
    build has no transaction screener; 503 until export-control reference data is imported."""
    if not tx_available():
        raise ApiError(501, "transaction screening is not available in this build")
    state = state_of(request)
    screener = screener_of(state)
    from tradescreen.api.tx import screen_transaction

    return json_response(await run_in_threadpool(
        screen_transaction, state, screener, body, caller.actor))


@router.get("/lists", tags=["Data access"], response_model=models.ListsResponse,
            responses=ERRORS)
async def lists(
    request: Request,
    _caller: Annotated[Caller, Depends(require("read"))],
) -> Response:
    """The active list snapshots (as `tradescreen lists status --json`) and those the index
    serves; `stale` is true while a newly activated snapshot is not yet loaded."""
    state = state_of(request)
    active = await run_in_threadpool(lambda: state.store().active_snapshots())
    served = list(state.screener.index.snapshots) if state.screener else []
    return json_response({
        "lists": [s.to_dict() for s in active],
        "index_snapshots": served,
        "stale": sorted(served) != sorted(s.id for s in active),
    })
