"""`tradescreen serve`: the HTTP API on uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console

from tradescreen.api.config import LOOPBACK
from tradescreen.cli.app import app

WORKER_HEALTH_TIMEOUT = 120  # seconds (uvicorn's default is 5)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (one index each).")] = 1,
    no_auth: Annotated[
        bool, typer.Option("--no-auth", help="Development only: no API keys (loopback only).")
    ] = False,
    access_log: Annotated[bool, typer.Option(help="Log every request line.")] = False,
) -> None:
    """Serve the HTTP API (yente-compatible /match and /search, /screen, /lists).

    Requests need an API key (`tradescreen keys create`) unless --no-auth is given on a
    loopback address. Limits: TRADESCREEN_API_RATE / _BURST (per key), _MAX_BODY, _MAX_BATCH.
    Newly activated list snapshots are served within seconds (TRADESCREEN_API_RELOAD).
    """
    import uvicorn

    unauthenticated = no_auth or os.environ.get("TRADESCREEN_API_NO_AUTH") in ("1", "true", "yes")
    if unauthenticated and host not in LOOPBACK:
        Console(stderr=True).print("[bold red]error:[/] --no-auth is only allowed on a loopback "
                                   "address (127.0.0.1, ::1)", markup=True)
        raise typer.Exit(2)
    if no_auth:
        # Workers are separate processes that build their app from the environment.
        os.environ["TRADESCREEN_API_NO_AUTH"] = "1"
    uvicorn.run(
        "tradescreen.api:app_from_env", factory=True, host=host, port=port, workers=workers,
        access_log=access_log, log_level="info", proxy_headers=False,
        http="tradescreen.api.protocol:NoDelayH11Protocol",
        # uvicorn kills a worker that leaves its health ping unanswered for 5 s, dropping the
        # requests it holds; on a large index a worker's first look at a table (the listed
        # parties' clusters, rigour's person tagger) holds the interpreter longer than that.
        timeout_worker_healthcheck=WORKER_HEALTH_TIMEOUT,
    )
