"""What every workbench page shares: templates, security headers, the signed-in user, CSRF.

Pages are Jinja2 templates with autoescaping on, so every value from a list file, a customer book
or a transaction is text, never markup. Every response under /ui carries a Content-Security-Policy
that allows scripts, styles and images from this origin only (no inline script, no third party);
the printable case report, which must be one self-contained file, gets a stricter one that allows
no script at all and only its own embedded styles.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tradescreen.api.state import ApiState
from tradescreen.store.db import Database
from tradescreen.web.sessions import COOKIE, LOGIN_COOKIE, Session, find_session, same_token

HERE = Path(__file__).parent
PREFIX = "/ui"

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# The report embeds its styles (one file to archive) and runs nothing.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
              "form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
# Swagger UI sets inline styles on its elements; its script is still served from here only.
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}

ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def idle_seconds() -> int:
    """Session idle expiry: TRADESCREEN_UI_IDLE_MINUTES (default 30)."""
    try:
        minutes = float(os.environ.get("TRADESCREEN_UI_IDLE_MINUTES", "30"))
    except ValueError:
        minutes = 30.0
    return max(1, int(minutes * 60))


class WebError(Exception):
    """A refusal shown as a page: 400 bad input, 403 missing scope or bad CSRF, 404, 409."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SignInRequired(Exception):
    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def state_of(request: Request) -> ApiState:
    return request.app.state.tradescreen  # type: ignore[no-any-return]


def db_of(request: Request) -> Database:
    """This worker thread's connection to the store's database."""
    return state_of(request).store().db


def is_tls(request: Request) -> bool:
    return request.url.scheme == "https"


def session_of(request: Request) -> Session | None:
    cached = getattr(request.state, "web_session", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    found = find_session(db_of(request), request.cookies.get(COOKIE), idle_seconds())
    request.state.web_session = found
    return found


def require(scope: str) -> Callable[[Request], Session]:
    """A dependency: the signed-in user, who must hold `scope` (checked on every request)."""

    def dependency(request: Request) -> Session:
        session = session_of(request)
        if session is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInRequired(target if request.method == "GET" else f"{PREFIX}/")
        if not session.allows(scope):
            raise WebError(403, f"Your key {session.user!r} lacks the {scope!r} scope "
                                f"(it has: {', '.join(sorted(session.scopes))}).")
        return session

    return dependency


async def form_of(request: Request, session: Session) -> Mapping[str, Any]:
    """The posted form, once its csrf_token matches the session's (else 403, nothing done)."""
    form = await request.form()
    if not same_token(session.csrf, form.get("csrf_token")):  # type: ignore[arg-type]
        raise WebError(403, "The form's security token is missing or wrong; reload the page "
                            "and try again. Nothing was changed.")
    return form


def render(
    request: Request, template: str, context: Mapping[str, Any], *, status: int = 200,
    session: Session | None = None, csp: str = CSP,
) -> HTMLResponse:
    session = session if session is not None else getattr(request.state, "web_session", None)
    html = ENV.get_template(template).render(
        **context, session=session, prefix=PREFIX, path=request.url.path,
        csrf=session.csrf if session else "", quote=quote,
    )
    return HTMLResponse(html, status_code=status, headers={"content-security-policy": csp})


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, exc: WebError) -> Response:
    return render(request, "error.html", {"status": exc.status, "message": exc.message},
                  status=exc.status)


def sign_in_redirect(request: Request, exc: SignInRequired) -> Response:
    return redirect(f"{PREFIX}/login?next={quote(exc.next_url, safe='')}")


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def login_cookie_ok(request: Request, given: Any) -> bool:
    return same_token(request.cookies.get(LOGIN_COOKIE) or "", given)


class SecurityHeaders:
    """ASGI middleware: the security headers (and a default CSP) on every /ui and /docs
    response, error pages, redirects and static files included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path.startswith(PREFIX) or path.startswith("/docs")):
            await self.app(scope, receive, send)
            return
        default_csp = DOCS_CSP if path.startswith("/docs") else CSP
        static = path.startswith(f"{PREFIX}/static/") or path.startswith("/docs/assets/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = dict(SECURITY_HEADERS)
                extra["content-security-policy"] = default_csp
                if not static:
                    extra["cache-control"] = "no-store"
                for name, value in extra.items():
                    if name.encode() not in names:
                        headers.append((name.encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
