"""Analyst decisions with four-eyes approval.

An alert is decided `true_match`, `false_positive` or `escalate`, always with a reason. A decision
type listed in the four-eyes policy (`Settings.four_eyes`) is final only once a different user
approves it; the others are final at once. A final false positive suppresses the same hit for the
same party until the party or the list entry changes. An escalated alert stays decidable: the
person it was escalated to records the decision that closes it.

The rules are pure functions (`check_decision`, `check_approval`); `decide` and `approve` apply
them inside one write transaction that also appends the audit record.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from tradescreen.cases.alerts import Alert, get_alert
from tradescreen.cases.audit import AuditLog, iso
from tradescreen.cases.suppression import add_suppression

DECISIONS = ("true_match", "false_positive", "escalate")
DECISION_COLUMNS = (
    "id", "alert_id", "decision", "reason", "decided_by", "decided_at", "approved_by",
    "approved_at",
)


class CaseError(Exception):
    """A decision or approval the rules refuse (message says which rule)."""


@dataclass(frozen=True)
class Decision:
    id: int
    alert_id: int
    decision: str
    reason: str
    decided_by: str
    decided_at: str
    approved_by: str | None
    approved_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in DECISION_COLUMNS}


# -- rules (pure) ---------------------------------------------------------------------------


def check_decision(alert: Alert, current: Decision | None, decision: str, reason: str) -> None:
    if decision not in DECISIONS:
        raise CaseError(f"unknown decision {decision!r}; use one of {', '.join(DECISIONS)}")
    if not reason.strip():
        raise CaseError("a decision needs a reason (--reason)")
    if alert.status == "suppressed":
        raise CaseError(f"alert {alert.id} is suppressed by alert {alert.suppressed_by}'s "
                        "cleared false positive; nothing to decide")
    if alert.status == "final" and not (current and current.decision == "escalate"):
        raise CaseError(f"alert {alert.id} is final ({current.decision if current else '?'}); "
                        "a final decision is never changed")


def check_approval(alert: Alert, current: Decision | None, user: str) -> Decision:
    if alert.status != "decided" or current is None:
        state = "already final" if alert.status == "final" else f"{alert.status}, not decided"
        raise CaseError(f"alert {alert.id} is {state}: nothing to approve")
    if current.decided_by == user:
        raise CaseError(
            f"four-eyes: {user} decided alert {alert.id} and cannot approve their own decision"
        )
    return current


def needs_approval(decision: str, four_eyes: Collection[str]) -> bool:
    return decision in four_eyes


# -- storage --------------------------------------------------------------------------------


def get_decision(log: AuditLog, decision_id: int | None) -> Decision | None:
    if decision_id is None:
        return None
    row = log.db.fetchone(
        f"SELECT {', '.join(DECISION_COLUMNS)} FROM decisions WHERE id = ?", (decision_id,)
    )
    return Decision(*row) if row else None


def history(log: AuditLog, alert_id: int) -> list[Decision]:
    rows = log.db.fetchall(
        f"SELECT {', '.join(DECISION_COLUMNS)} FROM decisions WHERE alert_id = ? ORDER BY id",
        (alert_id,),
    )
    return [Decision(*r) for r in rows]


def _locked(log: AuditLog, alert_id: int) -> tuple[Alert, Decision | None]:
    # The chain head is locked first, by every case write: one order of locks, no deadlocks.
    log.lock_head()
    alert = get_alert(log.db, alert_id, lock=True)
    if alert is None:
        raise CaseError(f"no alert {alert_id}")
    return alert, get_decision(log, alert.decision_id)


def decide(
    log: AuditLog, alert_id: int, decision: str, reason: str, user: str,
    four_eyes: Collection[str],
) -> tuple[Alert, Decision]:
    db = log.db
    with db.write():
        alert, current = _locked(log, alert_id)
        check_decision(alert, current, decision, reason)
        now = iso(log.clock())
        new_id = int(db.fetchone("SELECT COALESCE(MAX(id), 0) + 1 FROM decisions")[0])
        db.execute(
            f"INSERT INTO decisions ({', '.join(DECISION_COLUMNS)}) "
            "VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)",
            (new_id, alert_id, decision, reason.strip(), user, now),
        )
        final = not needs_approval(decision, four_eyes)
        status = "final" if final else "decided"
        db.execute(
            "UPDATE alerts SET status = ?, decision_id = ? WHERE id = ?", (status, new_id, alert_id)
        )
        data: dict[str, Any] = {
            "alert": alert_id, "decision": decision, "reason": reason.strip(),
            "decision_id": new_id, "status": status, "replaces": current.id if current else None,
        }
        if final and decision == "false_positive":
            add_suppression(db, alert.key, alert_id, now)
            data["suppression"] = alert.key.to_dict()
        log.append("decision", user, f"alert:{alert_id}", data, [alert.snapshot])
        result = get_alert(db, alert_id), get_decision(log, new_id)
    assert result[0] is not None and result[1] is not None
    return result[0], result[1]


def approve(log: AuditLog, alert_id: int, user: str) -> tuple[Alert, Decision]:
    db = log.db
    with db.write():
        alert, current = _locked(log, alert_id)
        pending = check_approval(alert, current, user)
        now = iso(log.clock())
        db.execute(
            "UPDATE decisions SET approved_by = ?, approved_at = ? WHERE id = ?",
            (user, now, pending.id),
        )
        db.execute("UPDATE alerts SET status = 'final' WHERE id = ?", (alert_id,))
        data: dict[str, Any] = {
            "alert": alert_id, "decision": pending.decision, "decision_id": pending.id,
            "decided_by": pending.decided_by, "status": "final",
        }
        if pending.decision == "false_positive":
            add_suppression(db, alert.key, alert_id, now)
            data["suppression"] = alert.key.to_dict()
        log.append("approval", user, f"alert:{alert_id}", data, [alert.snapshot])
        result = get_alert(db, alert_id), get_decision(log, pending.id)
    assert result[0] is not None and result[1] is not None
    return result[0], result[1]
