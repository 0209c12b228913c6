"""Books as the workbench shows them: last re-screen, new and removed alerts, one customer row.

A book's re-screen opens case alerts through the audit log keyed by the party (`query_key`), not
by the book, so a book's case alerts are found through its rows' party keys. "New" alerts are
those raised by the last re-screen; "removed" are case alerts still open on one of the book's
customers for a listed entry the last re-screen no longer raised.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import orjson

from tradescreen.books.readers import query_from_json
from tradescreen.books.storage import BookInfo, BookStore
from tradescreen.cases.keys import query_key
from tradescreen.screen.party import query_to_dict
from tradescreen.store.db import Database


@dataclass(frozen=True)
class BookAlerts:
    info: BookInfo
    rows: int
    alerts: list[Any]  # tradescreen.books.alerts.Alert, current
    new: list[Any]  # raised by the last re-screen
    removed: list[tuple[int, str, str, str, str]]  # (case alert id, row, source, id, caption)
    case_ids: list[int]  # case alerts on this book's customers
    row_of_key: dict[str, str]  # party key -> row id


_CACHE: dict[tuple[str, str, str, str | None], BookAlerts] = {}
_LOCK = threading.Lock()


def raised_at(db: Database, name: str) -> dict[tuple[str, str, str], str]:
    return {(str(r), str(s), str(i)): str(t) for r, s, i, t in db.fetchall(
        "SELECT row_id, source, source_id, raised_at FROM book_alerts WHERE book = ?", (name,))}


def book_alerts(db: Database, name: str) -> BookAlerts | None:
    store = BookStore(db)
    info = store.info(name)
    if info is None:
        return None
    label = db.label
    key = (label, name, info.updated_at, info.screened_at)
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        return _with_removed(db, hit)
    rows = store.rows(name)
    row_of_key = {query_key(query_to_dict(r.query)): r.row_id for r in rows if r.query}
    alerts = store.alerts(name)
    when = raised_at(db, name)
    new = [a for a in alerts if info.screened_at and when.get(a.key) == info.screened_at]
    result = BookAlerts(info, len(rows), alerts, new, [], [], row_of_key)
    with _LOCK:
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = result
    return _with_removed(db, result)


def _with_removed(db: Database, book: BookAlerts) -> BookAlerts:
    """Case alerts change with every decision: read them fresh (one narrow scan)."""
    current = {(a.row_id, a.source, a.source_id) for a in book.alerts}
    case_ids: list[int] = []
    removed: list[tuple[int, str, str, str, str]] = []
    for aid, qkey, source, sid, status, caption in db.fetchall(
        "SELECT id, query_key, source, source_id, status, caption FROM alerts"
    ):
        row = book.row_of_key.get(str(qkey))
        if row is None:
            continue
        case_ids.append(int(aid))
        if status == "open" and (row, source, sid) not in current:
            removed.append((int(aid), row, str(source), str(sid), str(caption)))
    return BookAlerts(book.info, book.rows, book.alerts, book.new, removed, case_ids,
                      book.row_of_key)


def case_alert_ids(db: Database, name: str) -> list[int]:
    found = book_alerts(db, name)
    return found.case_ids if found is not None else []


def book_row(db: Database, name: str, row_id: str) -> dict[str, Any] | None:
    row = db.fetchone(
        "SELECT data, query, error, updated_at, screened_hash, content_hash FROM book_rows "
        "WHERE book = ? AND row_id = ?", (name, row_id))
    if row is None:
        return None
    data, query, error, updated, screened, chash = row
    return {"row_id": row_id, "data": orjson.loads(data),
            "query": query_to_dict(query_from_json(query)) if query else None,
            "error": error, "updated_at": updated, "dirty": screened != chash}
