"""List snapshots for the workbench: staleness, the last update's counts, and field-level diffs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tradescreen.model import Entity
from tradescreen.store import Diff, Snapshot
from tradescreen.store.sqlite import SQLiteStore

STALE_DAYS = 7  # a list not refreshed for a week is flagged on the overview
FIELD_LIMIT = 200  # changed entries whose fields are compared on one page


@dataclass(frozen=True)
class ListStatus:
    snapshot: Snapshot
    previous: Snapshot | None
    age_days: int | None
    counts: dict[str, int] | None  # added / removed / changed against the previous snapshot

    @property
    def stale(self) -> bool:
        return self.age_days is not None and self.age_days > STALE_DAYS


def _age(snap: Snapshot, today: date) -> int | None:
    stamp = snap.imported_at or ""
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00")).date()
    except ValueError:
        return None
    return (today - when).days


def statuses(store: SQLiteStore, today: date | None = None) -> list[ListStatus]:
    today = today or datetime.now(UTC).date()
    out = []
    for snap in sorted(store.active_snapshots(), key=lambda s: s.source):
        history = store.snapshots(snap.source)
        older = [s for s in history if s.seq < snap.seq]
        previous = older[-1] if older else None
        counts = None
        if previous is not None:
            diff = cached_diff(store, previous.id, snap.id)
            counts = {"added": len(diff.added), "removed": len(diff.removed),
                      "changed": len(diff.changed)}
        out.append(ListStatus(snap, previous, _age(snap, today), counts))
    return out


_DIFFS: dict[tuple[str, str, str], Diff] = {}


def cached_diff(store: SQLiteStore, from_id: str, to_id: str) -> Diff:
    """Snapshots never change once written: a diff computed once stays right."""
    key = (store.db.label, from_id, to_id)
    hit = _DIFFS.get(key)
    if hit is None:
        if len(_DIFFS) > 32:
            _DIFFS.clear()
        hit = _DIFFS[key] = store.diff(from_id, to_id)
    return hit


def _fields(entity: Entity | None) -> dict[str, Any]:
    if entity is None:
        return {}
    data = entity.to_dict()
    props = data.pop("properties", {}) or {}
    data.update({f"properties.{k}": v for k, v in props.items()})
    return data


def changed_fields(store: SQLiteStore, diff: Diff, limit: int = FIELD_LIMIT
                   ) -> dict[str, list[dict[str, Any]]]:
    """For each changed entry (up to `limit`), the fields that differ with both values."""
    out: dict[str, list[dict[str, Any]]] = {}
    for item in diff.changed[:limit]:
        old = _fields(store.entity(diff.from_id, item.source_id))
        new = _fields(store.entity(diff.to_id, item.source_id))
        fields = []
        for name in sorted(old.keys() | new.keys()):
            if old.get(name) != new.get(name):
                fields.append({"field": name, "old": _show(old.get(name)),
                               "new": _show(new.get(name))})
        out[item.source_id] = fields
    return out


def _show(value: Any) -> str:
    if value in (None, "", [], (), {}):
        return "—"
    if isinstance(value, list | tuple):
        return "; ".join(_show(v) for v in value)
    if isinstance(value, dict):
        # Names and addresses read as their text, with the name kind when it is not primary.
        if value.get("value"):
            kind = value.get("kind")
            return str(value["value"]) + (f" ({kind})" if kind and kind != "primary" else "")
        if value.get("full"):
            return str(value["full"])
        shown = (f"{k}: {_show(v)}" for k, v in value.items() if v not in (None, "", [], {}))
        return ", ".join(shown)
    return str(value)
