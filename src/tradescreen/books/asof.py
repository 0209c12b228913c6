"""Point in time: which snapshot of each list was in force on a given date.

A snapshot's date is its publication date when the list states one, else the day it was
imported (the legacy OFAC CSV has no publication date). The snapshot in force on DATE is the
latest one, in import order, dated on or before DATE: look-backs on past shipments screen against
what the lists said then, not what they say now.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from tradescreen.screen.inputs import InputError
from tradescreen.store.snapshots import Snapshot


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise InputError(f"--as-of {value!r} is not a date (YYYY-MM-DD)") from None


def snapshot_day(snap: Snapshot) -> str:
    return (snap.published or snap.imported_at)[:10]


def in_force(history: Iterable[Snapshot], as_of: date) -> Snapshot | None:
    """The snapshot of one list in force on `as_of` (history: that list's snapshots)."""
    day = as_of.isoformat()
    best: Snapshot | None = None
    for snap in sorted(history, key=lambda s: s.seq):
        if snapshot_day(snap) <= day:
            best = snap
    return best


def snapshots_as_of(histories: dict[str, list[Snapshot]], as_of: date) -> list[Snapshot]:
    """For every list with a snapshot in force on `as_of`, that snapshot (sorted by source)."""
    chosen = (in_force(history, as_of) for _, history in sorted(histories.items()))
    return [s for s in chosen if s is not None]


def in_force_at(store: Any, as_of: date) -> list[Snapshot]:
    """The snapshots in force on `as_of`, read from a store's import history."""
    return snapshots_as_of({s: store.snapshots(s) for s in store.sources()}, as_of)
