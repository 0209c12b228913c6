"""Small helpers shared by the routers: JSON responses, the loaded screener, datasets, audit."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from fastapi import Request, Response

from tradescreen.api.errors import ApiError
from tradescreen.api.state import ApiState
from tradescreen.screen.party import Screener


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # orjson, not pydantic: responses are plain dicts and this is the hot path of /match.
    return Response(orjson.dumps(data), status_code=status, headers=headers,
                    media_type="application/json")


def state_of(request: Request) -> ApiState:
    return request.app.state.tradescreen  # type: ignore[no-any-return]


def screener_of(state: ApiState) -> Screener:
    screener = state.screener
    if screener is None:
        detail = "the index is still loading; retry shortly"
        if state.load_error:
            detail = f"no index loaded: {state.load_error}"
        raise ApiError(503, detail, {"Retry-After": "5"})
    return screener


def sources_of(state: ApiState) -> list[str]:
    return sorted({s.source for s in state.snapshots.values()})


def dataset_scope(state: ApiState, dataset: str, include: list[str]) -> set[str] | None:
    """The sources a dataset name covers (None: all); unknown names are 404 like yente's."""
    known = set(sources_of(state))
    if dataset == "default":
        scope = None
    elif dataset in known:
        scope = {dataset}
    else:
        raise ApiError(404, "No such dataset.")
    if include:
        wanted = set(include) & (known if scope is None else scope)
        return wanted
    return scope


def digest(*parts: Any) -> str:
    """A stable id for a request's content: the audit record's subject."""
    blob = orjson.dumps(parts, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return "sha256:" + hashlib.sha256(blob).hexdigest()
