"""Sign-in and the reading pages: overview, list updates, books, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from tradescreen.books.storage import BookStore
from tradescreen.store import StoreError
from tradescreen.web import audit as chain
from tradescreen.web.books import book_alerts, book_row
from tradescreen.web.cases import audit_log
from tradescreen.web.core import (
    PREFIX,
    WebError,
    db_of,
    form_of,
    idle_seconds,
    is_tls,
    login_cookie_ok,
    new_login_token,
    redirect,
    render,
    require,
    session_of,
    state_of,
)
from tradescreen.web.lists import cached_diff, changed_fields, statuses
from tradescreen.web.sessions import (
    COOKIE,
    LOGIN_COOKIE,
    Session,
    close_session,
    open_session,
    purge_idle,
)

router = APIRouter()


# -- signing in and out ---------------------------------------------------------------------


def _next(raw: Any) -> str:
    target = str(raw or "")
    # Only a page of ours: never an absolute or scheme-relative address (open redirect).
    if target.startswith(f"{PREFIX}/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"{PREFIX}/"


def _login_page(request: Request, *, error: str = "", status: int = 200) -> Response:
    token = new_login_token()
    response = render(request, "login.html", {
        "login_token": token, "next": _next(request.query_params.get("next")), "error": error,
    }, status=status)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict",
                        secure=is_tls(request), path=f"{PREFIX}/login")
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    if not login_cookie_ok(request, form.get("csrf_token")):
        return _login_page(request, error="The sign-in form expired; please try again.",
                           status=403)
    secret = str(form.get("key") or "").strip()
    state = state_of(request)

    def work() -> tuple[str, Session] | None:
        key = state.keys.store.verify(secret) if secret else None
        if key is None:
            return None
        db = db_of(request)
        purge_idle(db, idle_seconds())
        return open_session(db, key, secret)

    opened = await run_in_threadpool(work)
    if opened is None:
        return _login_page(request, error="Unknown or revoked key.", status=401)
    token, _session = opened
    response = redirect(_next(form.get("next")))
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=is_tls(request),
                        path=PREFIX, max_age=None)
    response.delete_cookie(LOGIN_COOKIE, path=f"{PREFIX}/login")
    return response


@router.post("/logout")
async def logout(request: Request, session: Annotated[Session, Depends(require("read"))]
                 ) -> Response:
    await form_of(request, session)
    token = request.cookies.get(COOKIE) or ""
    # The connection is per thread: look it up in the thread that uses it.
    await run_in_threadpool(lambda: close_session(db_of(request), token))
    response = redirect(f"{PREFIX}/login")
    response.delete_cookie(COOKIE, path=PREFIX)
    return response


# -- overview -------------------------------------------------------------------------------

AGE_BUCKETS = (("under 1 day", 0, 1), ("1-7 days", 1, 7), ("7-30 days", 7, 30),
               ("over 30 days", 30, None))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def open_by_age_and_source(db: Any, now: datetime) -> tuple[list[str], list[dict[str, Any]]]:
    """Open alerts per source, split by age: one grouped scan of the open alerts."""
    cuts = [_iso(now - timedelta(days=d)) for d in (1, 7, 30)]
    rows = db.fetchall(
        "SELECT source, "
        "SUM(CASE WHEN created_at >= ? THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN created_at < ? AND created_at >= ? THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN created_at < ? AND created_at >= ? THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN created_at < ? THEN 1 ELSE 0 END), COUNT(*) "
        "FROM alerts WHERE status = 'open' GROUP BY source ORDER BY source",
        (cuts[0], cuts[0], cuts[1], cuts[1], cuts[2], cuts[2]),
    )
    labels = [b[0] for b in AGE_BUCKETS]
    return labels, [{"source": r[0], "counts": [int(v or 0) for v in r[1:5]],
                     "total": int(r[5])} for r in rows]


def books_summary(db: Any) -> list[dict[str, Any]]:
    rows = db.fetchall(
        "SELECT b.name, b.screened_at, COUNT(a.row_id), "
        "SUM(CASE WHEN a.raised_at = b.screened_at THEN 1 ELSE 0 END) "
        "FROM books b LEFT JOIN book_alerts a ON a.book = b.name "
        "GROUP BY b.name, b.screened_at ORDER BY b.name")
    return [{"name": r[0], "screened_at": r[1], "alerts": int(r[2]), "new": int(r[3] or 0)}
            for r in rows]


@router.get("/")
def overview(request: Request) -> Response:
    session = session_of(request)
    if session is None:
        return redirect(f"{PREFIX}/login")
    session = require("read")(request)
    state = state_of(request)
    db = db_of(request)
    labels, by_source = open_by_age_and_source(db, datetime.now(UTC))
    log = audit_log(db, state.settings)
    return render(request, "overview.html", {
        "lists": statuses(state.store()),
        "age_labels": labels, "by_source": by_source,
        "age_totals": [sum(r["counts"][i] for r in by_source) for i in range(len(labels))],
        "books": books_summary(db),
        "chain": chain.cached_status(log), "head": log.head(),
    })


# -- list updates ---------------------------------------------------------------------------


@router.get("/lists")
def list_updates(request: Request, session: Annotated[Session, Depends(require("read"))]
                 ) -> Response:
    store = state_of(request).store()
    history = {source: store.snapshots(source) for source in store.sources()}
    return render(request, "lists.html", {"history": history})


DIFF_ROWS = 100  # per section; "show all" lifts it


@router.get("/lists/diff")
def list_diff(request: Request, session: Annotated[Session, Depends(require("read"))]
              ) -> Response:
    store = state_of(request).store()
    old, new = (request.query_params.get(k, "")[:200] for k in ("from", "to"))
    try:
        diff = cached_diff(store, old, new)
    except StoreError as exc:
        raise WebError(400, str(exc)) from None
    shown = 10**9 if request.query_params.get("all") == "1" else DIFF_ROWS
    return render(request, "diff.html", {
        "diff": diff, "fields": changed_fields(store, diff, limit=shown), "shown": shown,
        "old": store.snapshot(old), "new": store.snapshot(new),
    })


# -- books ----------------------------------------------------------------------------------


@router.get("/books")
def books(request: Request, session: Annotated[Session, Depends(require("read"))]) -> Response:
    return render(request, "books.html", {"books": books_summary(db_of(request))})


@router.get("/books/{name}")
def book(request: Request, name: str, session: Annotated[Session, Depends(require("read"))]
         ) -> Response:
    found = book_alerts(db_of(request), name)
    if found is None:
        raise WebError(404, f"No book {name[:100]!r}.")
    return render(request, "book.html", {"book": found, "name": name})


@router.get("/books/{name}/rows/{row_id}")
def book_row_page(request: Request, name: str, row_id: str,
                  session: Annotated[Session, Depends(require("read"))]) -> Response:
    db = db_of(request)
    row = book_row(db, name, row_id)
    if row is None:
        raise WebError(404, f"No row {row_id[:100]!r} in book {name[:100]!r}.")
    alerts = [a for a in BookStore(db).alerts(name) if a.row_id == row_id]
    found = book_alerts(db, name)
    keys = [k for k, r in (found.row_of_key.items() if found else ()) if r == row_id]
    cases = db.fetchall(
        "SELECT id, status, source, source_id, caption, score FROM alerts WHERE query_key = ? "
        "ORDER BY id", (keys[0],)) if keys else []
    return render(request, "book_row.html", {"name": name, "row": row, "alerts": alerts,
                                             "cases": cases})


# -- audit ----------------------------------------------------------------------------------


@router.get("/audit")
def audit_page(request: Request, session: Annotated[Session, Depends(require("admin"))]
               ) -> Response:
    db = db_of(request)
    log = audit_log(db, state_of(request).settings)
    actor = request.query_params.get("actor", "")[:200] or None
    return render(request, "audit.html", {
        "status": chain.cached_status(log), "head": log.head(),
        "activity": chain.activity(db), "recent": chain.recent(db, actor), "actor": actor,
    })


@router.post("/audit/verify")
async def audit_verify(request: Request, session: Annotated[Session, Depends(require("admin"))]
                       ) -> Response:
    await form_of(request, session)
    state = state_of(request)
    await run_in_threadpool(lambda: chain.verify(audit_log(db_of(request), state.settings)))
    return redirect(f"{PREFIX}/audit")


@router.get("/audit/export")
def audit_export(request: Request, session: Annotated[Session, Depends(require("admin"))]
                 ) -> Response:
    log = audit_log(db_of(request), state_of(request).settings)
    with log.db.read():
        body = b"".join(orjson.dumps(r.to_dict()) + b"\n" for r in log.records())
    return Response(body, media_type="application/x-ndjson", headers={
        "content-disposition": 'attachment; filename="audit.jsonl"'})
