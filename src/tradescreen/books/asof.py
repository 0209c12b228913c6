"""Point in time: which snapshot of each list was in force on a given date.

A snapshot's date is its publication date when the list states one (or the operator gave one:
`lists import --published`), else the day it was imported (the legacy OFAC CSV states none). The
snapshot in force on DATE is the latest one dated on or before DATE (by date, then import order:
an older publication imported later does not displace a newer one). Look-backs on past shipments
screen against what the lists said then, not what they say now.

A list with no snapshot dated on or before DATE cannot be screened as of DATE; every as-of answer
names those lists (`missing_lists`), since a "clear" that left a list out is no clearance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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
    dated = [s for s in history if snapshot_day(s) <= day]
    return max(dated, key=lambda s: (snapshot_day(s), s.seq), default=None)


def snapshots_as_of(histories: dict[str, list[Snapshot]], as_of: date) -> list[Snapshot]:
    """For every list with a snapshot in force on `as_of`, that snapshot (sorted by source)."""
    chosen = (in_force(history, as_of) for _, history in sorted(histories.items()))
    return [s for s in chosen if s is not None]


def in_force_at(store: Any, as_of: date) -> list[Snapshot]:
    """The snapshots in force on `as_of`, read from a store's import history."""
    return snapshots_as_of({s: store.snapshots(s) for s in store.sources()}, as_of)


@dataclass(frozen=True)
class MissingList:
    """A list that had no snapshot on the as-of date: what the answer leaves out, and why."""

    source: str
    first_day: str  # the date of its earliest snapshot
    undated: bool  # that snapshot states no publication date: it is dated by its import day

    def message(self, as_of: date) -> str:
        why = (
            f"its first snapshot has no publication date and is dated by its import day "
            f"{self.first_day} (give it with `lists import --published`)"
            if self.undated
            else f"its first snapshot was published {self.first_day}"
        )
        return f"{self.source}: no snapshot in force on {as_of.isoformat()}, not screened: {why}"


def missing_lists(histories: dict[str, list[Snapshot]], as_of: date) -> list[MissingList]:
    """The lists with snapshots, none of them in force on `as_of` (sorted by source)."""
    missing = []
    for source, history in sorted(histories.items()):
        if history and in_force(history, as_of) is None:
            first = min(history, key=lambda s: (snapshot_day(s), s.seq))
            missing.append(MissingList(source, snapshot_day(first), first.published is None))
    return missing


def missing_at(store: Any, as_of: date) -> list[MissingList]:
    """`missing_lists` from a store's import history."""
    return missing_lists({s: store.snapshots(s) for s in store.sources()}, as_of)


def add_as_of(data: dict[str, Any], missing: list[MissingList], as_of: date) -> dict[str, Any]:
    """Add to an as-of answer's JSON the date and the lists it could not use (`missing_lists`,
    and one line each in `warnings`, kept beside any warnings the answer already has)."""
    data["as_of"] = as_of.isoformat()
    data["missing_lists"] = [m.source for m in missing]
    data["warnings"] = [*data.get("warnings", []), *(m.message(as_of) for m in missing)]
    return data
