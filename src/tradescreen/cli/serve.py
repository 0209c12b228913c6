"""`tradescreen serve`: the HTTP API on uvicorn."""

from __future__ import annotations

import logging
import os
from typing import Annotated, Any

import typer
from rich.console import Console

from tradescreen.api.config import LOOPBACK
from tradescreen.cli.app import app

# Seconds a worker's event loop may stay busy before the supervisor replaces it (uvicorn's
# default is 5: on a large index a worker's first look at a table, or a long batch, holds the
# interpreter longer than that, and it was killed with the requests it held).
WORKER_HEALTH_TIMEOUT = 120


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(
        min=1, help="Worker processes, forked from one parent that opened the index.")] = 1,
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
        # The app reads its settings from the environment (api.config.load_api_config).
        os.environ["TRADESCREEN_API_NO_AUTH"] = "1"
    options: dict[str, Any] = {
        "access_log": access_log, "log_level": "info", "proxy_headers": False,
        "http": "tradescreen.api.protocol:NoDelayH11Protocol",
    }
    if workers == 1:
        uvicorn.run("tradescreen.api:app_from_env", factory=True, host=host, port=port,
                    **options)
        return
    from tradescreen.api.prefork import Supervisor, bind, warm_screener
    from tradescreen.config import load_settings
    from tradescreen.memory import in_side_arena

    uvicorn.Config("tradescreen.api:app_from_env", **options)  # sets up uvicorn's logging
    try:
        sock = bind(host, port)
    except OSError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] cannot listen on {host}:{port}: {exc}",
                                   markup=True)
        raise typer.Exit(1) from None
    logging.getLogger("uvicorn.error").info(
        "tradescreen serve on http://%s:%d with %d workers (parent %d)",
        f"[{host}]" if ":" in host else host, sock.getsockname()[1], workers, os.getpid())
    settings = load_settings()
    # The tables on another thread: their loading's free holes stay out of the heap where
    # the workers' requests allocate (tradescreen.memory.in_side_arena).
    screener = in_side_arena(lambda: warm_screener(settings))
    supervisor = Supervisor(sock, workers, options, screener=screener,
                            settings=settings, health_timeout=WORKER_HEALTH_TIMEOUT)
    # A busy worker (a large index's first look at a table, a long batch) is waited for:
    # uvicorn's own 5 s health timeout killed such workers with the requests they held.
    status = supervisor.run()
    if status:
        raise typer.Exit(status)
