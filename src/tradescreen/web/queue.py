"""The alert queue: filters, sort and pages as one SQL query over `alerts`.

Filters are parsed from the query string into `QueueFilter` (unknown values are refused, never
ignored); the query selects only the columns a queue row shows (no explanation JSON), counts the
matches and reads one page, so 10,000 open alerts cost one indexed scan and a 50-row read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tradescreen.cases.alerts import STATUSES
from tradescreen.cases.decisions import DECISIONS
from tradescreen.store.db import Database

PAGE_SIZE = 50
AGES = {"1d": 1, "7d": 7, "30d": 30}  # "older than N days"; "new" = younger than one day
SORTS = {
    "created": "a.created_at", "score": "a.score", "id": "a.id", "source": "a.source",
    "name": "a.caption", "last_seen": "a.last_seen_at",
}
BANDS = ("match", "review")


@dataclass(frozen=True)
class QueueFilter:
    status: str = "open"  # "" = any
    decision: str = ""  # true_match | false_positive | escalate | none | ""
    band: str = ""
    source: str = ""
    book: str = ""
    age: str = ""  # new | 1d | 7d | 30d | ""
    assignee: str = ""  # a user, "none" (unassigned) or ""
    sort: str = "created"
    order: str = "asc"
    page: int = 1

    def query_string(self, **changes: Any) -> str:
        values = replace(self, **changes).__dict__
        defaults = QueueFilter().__dict__
        return urlencode({k: v for k, v in values.items() if v != defaults[k] or k == "status"})


class FilterError(ValueError):
    pass


def _choice(params: Mapping[str, str], name: str, allowed: tuple[str, ...] | list[str]) -> str:
    value = (params.get(name) or "").strip()
    if value and value not in allowed:
        raise FilterError(f"unknown {name} {value!r}; use one of {', '.join(allowed)}")
    return value


def parse_filter(params: Mapping[str, str], user: str) -> QueueFilter:
    status = params.get("status", "open").strip()
    if status and status not in STATUSES:
        raise FilterError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    assignee = (params.get("assignee") or "").strip()[:100]
    if assignee == "me":
        assignee = user
    try:
        page = max(1, min(int(params.get("page") or 1), 10**6))
    except ValueError:
        raise FilterError("page must be a number") from None
    return QueueFilter(
        status=status,
        decision=_choice(params, "decision", (*DECISIONS, "none")),
        band=_choice(params, "band", BANDS),
        source=(params.get("source") or "").strip()[:100],
        book=(params.get("book") or "").strip()[:200],
        age=_choice(params, "age", ("new", *AGES)),
        assignee=assignee,
        sort=_choice(params, "sort", tuple(SORTS)) or "created",
        order=_choice(params, "order", ("asc", "desc")) or "asc",
        page=page,
    )


@dataclass(frozen=True)
class QueueRow:
    id: int
    created_at: str
    status: str
    source: str
    source_id: str
    caption: str
    party: str
    score: float
    band: str
    decision: str | None
    assignee: str | None


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    filter: QueueFilter

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _where(f: QueueFilter, now: datetime, alert_ids: list[int] | None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if f.status:
        clauses.append("a.status = ?")
        params.append(f.status)
    if f.band:
        clauses.append("a.band = ?")
        params.append(f.band)
    if f.source:
        clauses.append("a.source = ?")
        params.append(f.source)
    if f.decision == "none":
        clauses.append("a.decision_id IS NULL")
    elif f.decision:
        clauses.append("d.decision = ?")
        params.append(f.decision)
    if f.age == "new":
        clauses.append("a.created_at >= ?")
        params.append(_iso(now - timedelta(days=1)))
    elif f.age:
        clauses.append("a.created_at < ?")
        params.append(_iso(now - timedelta(days=AGES[f.age])))
    if f.assignee == "none":
        clauses.append("w.assignee IS NULL")
    elif f.assignee:
        clauses.append("w.assignee = ?")
        params.append(f.assignee)
    if alert_ids is not None:
        # Ids are ints from our own query (the book's alerts): safe to inline.
        clauses.append(f"a.id IN ({','.join(str(int(i)) for i in alert_ids) or 'NULL'})")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _joins(f: QueueFilter) -> str:
    # Joined only when a filter reads them: the count then stays on the alerts indexes.
    joins = ""
    if f.decision and f.decision != "none":
        joins += " JOIN decisions d ON d.id = a.decision_id"
    if f.assignee:
        joins += " LEFT JOIN web_assignments w ON w.alert_id = a.id"
    return joins


def read_page(
    db: Database, f: QueueFilter, *, now: datetime, alert_ids: list[int] | None = None
) -> QueuePage:
    """One page of the queue; `alert_ids` narrows it further (the book filter's alerts).

    Three small statements: count, the page's ids (walking an index in sort order), then the
    columns shown for those ids only.
    """
    where, params = _where(f, now, alert_ids)
    joins = _joins(f)
    total = int(db.fetchone(f"SELECT COUNT(*) FROM alerts a{joins}{where}", params)[0])
    direction = "DESC" if f.order == "desc" else "ASC"
    ids = [int(r[0]) for r in db.fetchall(
        f"SELECT a.id FROM alerts a{joins}{where} "
        f"ORDER BY {SORTS[f.sort]} {direction}, a.id {direction} "
        f"LIMIT {PAGE_SIZE} OFFSET {(f.page - 1) * PAGE_SIZE}",
        params,
    )]
    if not ids:
        return QueuePage([], total, f)
    rows = db.fetchall(
        "SELECT a.id, a.created_at, a.status, a.source, a.source_id, a.caption, a.query, "
        "a.score, a.band, d.decision, w.assignee FROM alerts a "
        "LEFT JOIN decisions d ON d.id = a.decision_id "
        "LEFT JOIN web_assignments w ON w.alert_id = a.id "
        f"WHERE a.id IN ({','.join(str(i) for i in ids)})"
    )
    order = {aid: pos for pos, aid in enumerate(ids)}
    found = sorted((_row(r) for r in rows), key=lambda r: order[r.id])
    return QueuePage(found, total, f)


def _row(r: Any) -> QueueRow:
    import orjson

    query = orjson.loads(r[6]) if r[6] else {}
    return QueueRow(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]),
                    str(query.get("name") or ""), float(r[7]), str(r[8]), r[9], r[10])


def sources(db: Database) -> list[str]:
    # Every alert's source is an imported list: the snapshots table is tiny, alerts are not.
    return [str(r[0]) for r in db.fetchall("SELECT DISTINCT source FROM snapshots ORDER BY source")]


def assignees(db: Database) -> list[str]:
    return [str(r[0]) for r in db.fetchall(
        "SELECT DISTINCT assignee FROM web_assignments ORDER BY assignee")]
