"""The analyst workbench: server-rendered pages under /ui in the API's own process.

    from tradescreen.web import install_web
    install_web(app)   # the FastAPI app of tradescreen.api.create_app

Same store, keys and scopes as the API; sessions, CSRF and security headers in `core` and
`sessions`; one module per group of pages; templates and static files beside them.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from tradescreen.web import casework, media, pages, report, screening
from tradescreen.web.core import (
    HERE,
    PREFIX,
    SecurityHeaders,
    SignInRequired,
    WebError,
    error_page,
    sign_in_redirect,
)
from tradescreen.web.docs import install_docs

__all__ = ["install_web"]


def install_web(app: FastAPI) -> None:
    """Mount /ui (pages and static files) and the offline /docs on `app`."""
    router = APIRouter(prefix=PREFIX, include_in_schema=False)
    for module in (pages, screening, casework, report, media):
        router.include_router(module.router)
    app.include_router(router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="ui-static")
    install_docs(app)

    @app.exception_handler(WebError)
    async def web_error(request: Request, exc: WebError) -> Response:
        return error_page(request, exc)

    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, exc: SignInRequired) -> Response:
        return sign_in_redirect(request, exc)

    app.add_middleware(SecurityHeaders)
