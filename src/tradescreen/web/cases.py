"""One case as the workbench shows it: the alert, both sides, its history, its audit records.

Read-only: deciding and approving go through `tradescreen.cases.decisions` unchanged, so the
rules (reason required, four-eyes between users, suppression) are the same as the CLI's and
the API's.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import orjson

from tradescreen.cases.alerts import Alert, get_alert
from tradescreen.cases.audit import AuditLog, AuditRecord, config_hash
from tradescreen.cases.decisions import Decision, get_decision, history
from tradescreen.config import Settings
from tradescreen.model import Entity
from tradescreen.store.db import Database
from tradescreen.store.sqlite import SQLiteStore

_AUDIT = ("seq, at, kind, actor, subject, snapshots, engine_version, config_hash, data, "
          "prev_hash, hash")


@dataclass(frozen=True)
class Case:
    alert: Alert
    decision: Decision | None
    decisions: list[Decision]
    entity: Entity | None  # the listed entry as the alert's snapshot has it
    records: list[AuditRecord]  # screening record + every record about this alert
    assignee: str | None
    official_url: str | None
    list_title: str
    suppressed_by: Alert | None

    @property
    def last_record(self) -> AuditRecord | None:
        return self.records[-1] if self.records else None

    def record_data(self, record: AuditRecord) -> dict[str, Any]:
        return orjson.loads(record.data)  # type: ignore[no-any-return]


def audit_log(db: Database, settings: Settings) -> AuditLog:
    return AuditLog(db, config_hash=config_hash(settings))


def official_link(source: str, source_id: str, listed_on: str | None = None,
                  snapshot: str = "") -> tuple[str, str | None]:
    """The list's title and its official page (as transaction reasons cite them)."""
    from tradescreen.screen.tx import list_citation

    cite = list_citation(SimpleNamespace(  # type: ignore[arg-type]
        source=source, source_id=source_id, listed_on=listed_on, snapshot=snapshot))
    return cite.title, cite.url


def load_case(db: Database, store: SQLiteStore, settings: Settings, alert_id: int) -> Case | None:
    alert = get_alert(db, alert_id)
    if alert is None:
        return None
    log = audit_log(db, settings)
    # Two indexed reads (an OR of both would scan the whole log).
    rows = db.fetchall(f"SELECT {_AUDIT} FROM audit_log WHERE seq = ?", (alert.screening_seq,))
    rows += db.fetchall(f"SELECT {_AUDIT} FROM audit_log WHERE subject = ? ORDER BY seq",
                        (f"alert:{alert_id}",))
    assigned = db.fetchone("SELECT assignee FROM web_assignments WHERE alert_id = ?", (alert_id,))
    title, url = official_link(alert.source, alert.source_id, None, alert.snapshot)
    return Case(
        alert=alert,
        decision=get_decision(log, alert.decision_id),
        decisions=history(log, alert_id),
        entity=store.entity(alert.snapshot, alert.source_id),
        records=[AuditRecord.from_row(r) for r in rows],
        assignee=str(assigned[0]) if assigned else None,
        official_url=url,
        list_title=title,
        suppressed_by=get_alert(db, alert.suppressed_by) if alert.suppressed_by else None,
    )


def assign(db: Database, settings: Settings, alert_id: int, user: str, actor: str) -> None:
    """Assign an alert (to oneself, from the queue): recorded in the audit chain."""
    from tradescreen.cases.audit import iso, utc_now

    log = audit_log(db, settings)
    with db.write():
        log.lock_head()
        if get_alert(db, alert_id) is None:
            raise LookupError(f"no alert {alert_id}")
        now = iso(utc_now())
        db.execute("DELETE FROM web_assignments WHERE alert_id = ?", (alert_id,))
        db.execute("INSERT INTO web_assignments (alert_id, assignee, assigned_at) "
                   "VALUES (?, ?, ?)", (alert_id, user, now))
        log.append("assignment", actor, f"alert:{alert_id}", {"alert": alert_id,
                                                              "assignee": user})
