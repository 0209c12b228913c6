"""The ASGI app: `create_app(settings, sink=..., screener=...)`.

    from tradescreen.api import create_app
    app = create_app(load_settings(), sink=audit_log)   # any tradescreen.events.EventSink

`sink` receives one `Event(kind="screening")` per screening request (/match, /search with a
query, /screen); the default discards them until an audit sink is wired in. `screener`: an
already loaded one (tests, embedding); otherwise the index loads in the background at startup
and is reloaded when a new list snapshot is activated.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI

from tradescreen import __version__
from tradescreen.api import cases, health, own, yente
from tradescreen.api.config import ApiConfig, load_api_config
from tradescreen.api.errors import install_error_handlers
from tradescreen.api.limits import LimitsMiddleware
from tradescreen.api.state import ApiState
from tradescreen.config import Settings, load_settings
from tradescreen.events import EventSink
from tradescreen.screen.party import Screener

log = logging.getLogger("tradescreen.api")


def create_app(
    settings: Settings,
    *,
    sink: EventSink | None = None,
    screener: Screener | None = None,
    config: ApiConfig | None = None,
) -> FastAPI:
    config = config or load_api_config()
    state = ApiState(settings, config, sink=sink, screener=screener)
    watch = screener is None  # a screener handed in is the caller's to replace

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_keep_loaded(state)) if watch else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        title="tradescreen",
        version=__version__,
        description="Restricted-party screening; yente-compatible /match and /search.",
        lifespan=lifespan,
        docs_url=None,  # served offline by tradescreen.web (no CDN)
        redoc_url=None,
    )
    app.state.tradescreen = state
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(yente.router)
    app.include_router(own.router)
    app.include_router(cases.router)
    from tradescreen.web import install_web  # the analyst workbench at /ui, and /docs

    install_web(app)
    app.add_middleware(LimitsMiddleware, config=config)
    return app


async def _keep_loaded(state: ApiState) -> None:
    """Load the index, then look for newly activated snapshots every `reload_seconds`."""
    await asyncio.to_thread(state.load)
    while state.config.reload_seconds > 0:
        await asyncio.sleep(state.config.reload_seconds)
        try:
            if await asyncio.to_thread(state.stale):
                log.info("list snapshots changed: loading the new index")
                await asyncio.to_thread(state.load)
        except Exception:  # the old index keeps serving; try again next round
            log.exception("checking for new list snapshots failed")


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` and `tradescreen serve` workers: requests are recorded
    in the hash-chained audit log of the settings' database (tradescreen.cases.audit)."""
    from tradescreen.cases.audit import open_sink

    settings = load_settings()
    return create_app(settings, sink=open_sink(settings))
