"""The ASGI app: `create_app(settings, sink=..., screener=...)`.

    from tradescreen.api import create_app
    app = create_app(load_settings(), sink=audit_log)   # any tradescreen.events.EventSink

`sink` receives one `Event(kind="screening")` per screening request (/match, /search with a
query, /screen); the default discards them until an audit sink is wired in. Events reach it
from a background writer (`audit_writer.py`): requests never wait for the database's write
lock. `audit_spool`: the directory where events wait, kept across restarts (a killed server's
events are appended by the next one); default a private temporary one. `screener`: an
already loaded one (tests, embedding; or a pre-forked worker's, inherited from its parent, with
`watch=True`); otherwise the index loads in the background at startup. With `watch` (default:
no screener given) the index is reloaded when a new list snapshot is activated.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI

from tradescreen import __version__
from tradescreen.api import cases, health, media, own, yente
from tradescreen.api.config import ApiConfig, load_api_config
from tradescreen.api.errors import install_error_handlers
from tradescreen.api.limits import LimitsMiddleware
from tradescreen.api.models import REQUEST_ERRORS
from tradescreen.api.state import ApiState
from tradescreen.config import Settings, load_settings
from tradescreen.events import EventSink
from tradescreen.screen.party import Screener

log = logging.getLogger("tradescreen.api")
RETRY_FAILED_LOAD = 60.0  # seconds before a snapshot set whose index failed is tried again
AUDIT_SPOOL = "audit-spool"  # under TRADESCREEN_HOME: events not yet in the audit log


def create_app(
    settings: Settings,
    *,
    sink: EventSink | None = None,
    screener: Screener | None = None,
    config: ApiConfig | None = None,
    audit_spool: Path | None = None,
    watch: bool | None = None,
) -> FastAPI:
    config = config or load_api_config()
    state = ApiState(settings, config, sink=sink, screener=screener, audit_spool=audit_spool)
    if watch is None:
        watch = screener is None  # a screener handed in is the caller's to replace

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.audit.start()  # appends what a killed predecessor left spooled
        task = asyncio.create_task(_keep_loaded(state)) if watch else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await asyncio.to_thread(state.audit.close)

    app = FastAPI(
        title="tradescreen",
        version=__version__,
        description="Restricted-party screening; yente-compatible /match and /search.",
        lifespan=lifespan,
        docs_url=None,  # served offline by tradescreen.web (no CDN)
        redoc_url=None,
        responses=REQUEST_ERRORS,
    )
    app.state.tradescreen = state
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(yente.router)
    app.include_router(own.router)
    app.include_router(cases.router)
    app.include_router(media.router)
    from tradescreen.web import install_web  # the analyst workbench at /ui, and /docs

    install_web(app)
    app.add_middleware(LimitsMiddleware, config=config)
    return app


async def _keep_loaded(state: ApiState) -> None:
    """Load the index, then look for newly activated snapshots every `reload_seconds` (a read
    of the small snapshots table: it never waits for a writer) and load the new index beside
    the old one, which serves until the swap."""
    if state.screener is None:
        await asyncio.to_thread(state.load)
    failed: dict[tuple[str, ...], float] = {}
    while state.config.reload_seconds > 0:
        await asyncio.sleep(state.config.reload_seconds)
        try:
            ids = await asyncio.to_thread(state.active_ids)
            if ids == state.serving_ids() or time.monotonic() < failed.get(ids, 0.0):
                continue
            log.info("list snapshots changed: loading the index of %s", ", ".join(ids))
            if not await asyncio.to_thread(state.load, ids):
                failed[ids] = time.monotonic() + RETRY_FAILED_LOAD
        except Exception:  # the old index keeps serving; try again next round
            log.exception("checking for new list snapshots failed")


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` and `tradescreen serve` workers: requests are recorded
    in the hash-chained audit log of the settings' database (tradescreen.cases.audit)."""
    from tradescreen.cases.audit import open_sink

    settings = load_settings()
    return create_app(settings, sink=open_sink(settings),
                      audit_spool=settings.home / AUDIT_SPOOL)
