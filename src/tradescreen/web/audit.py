"""The audit chain for the workbench: a verdict cached per chain head, and per-user activity."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from tradescreen.cases.audit import AuditLog
from tradescreen.cases.chain import Verdict
from tradescreen.store.db import Database


@dataclass(frozen=True)
class ChainStatus:
    verdict: Verdict
    head: tuple[int, str]
    checked_at: str


_CACHE: dict[str, ChainStatus] = {}
_LOCK = threading.Lock()


def cached_status(log: AuditLog) -> ChainStatus | None:
    """The last verdict, if the chain head has not moved since (the overview's badge)."""
    with _LOCK:
        hit = _CACHE.get(log.db.label)
    return hit if hit is not None and hit.head == log.head() else None


def verify(log: AuditLog) -> ChainStatus:
    """Re-compute the whole chain now (the audit page's button)."""
    with log.db.read():
        head = log.head()
        verdict = log.verify()
    status = ChainStatus(verdict, head,
                         datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"))
    with _LOCK:
        _CACHE[log.db.label] = status
    return status


def activity(db: Database) -> list[tuple[str, str, int, str]]:
    """(actor, kind, count, last at) for every actor and record kind."""
    return [(str(a), str(k), int(n), str(t)) for a, k, n, t in db.fetchall(
        "SELECT actor, kind, COUNT(*), MAX(at) FROM audit_log GROUP BY actor, kind "
        "ORDER BY actor, kind")]


def recent(db: Database, actor: str | None, limit: int = 100) -> list[tuple]:
    where, params = ("WHERE actor = ?", (actor,)) if actor else ("", ())
    return [tuple(r) for r in db.fetchall(
        f"SELECT seq, at, kind, actor, subject, hash FROM audit_log {where} "
        f"ORDER BY seq DESC LIMIT {int(limit)}", params)]
