"""Liveness and readiness, without a key (orchestrators probe them)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tradescreen.api import models
from tradescreen.api.common import json_response, state_of

router = APIRouter()


@router.get("/healthz", tags=["System information"], response_model=models.StatusResponse)
async def healthz() -> Response:
    """The process is up."""
    return json_response({"status": "ok"})


@router.get("/readyz", tags=["System information"], response_model=models.StatusResponse,
            responses={503: {"model": models.ErrorResponse}})
async def readyz(request: Request) -> Response:
    """503 until the index is loaded, then 200."""
    state = state_of(request)
    if state.ready:
        return json_response({"status": "ok"})
    detail = state.load_error or "Index not ready."
    return json_response({"detail": detail}, status=503, headers={"Retry-After": "5"})
