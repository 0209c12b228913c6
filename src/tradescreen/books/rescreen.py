"""Full and delta re-screening of a book against a snapshot set (active, or in force on a date).

Full: every screenable row against the whole index of the snapshot set.
Delta: the book's last re-screen recorded its snapshot set; for each list that moved on, the
store's diff gives the entries added, changed and removed. Alerts on untouched entries are kept
(pointing at the new snapshot, whose entry is identical); alerts on removed or changed entries are
dropped; every row is screened against a small index of only the added and changed entries; rows
imported or changed since the last re-screen are screened in full. Because a row's alert on an
entry depends on that pair alone (see `blocking`), the result equals a full re-screen exactly.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tradescreen.books import blocking
from tradescreen.books.alerts import Alert, AlertChanges, carry_over, compare
from tradescreen.books.asof import in_force_at, missing_at
from tradescreen.books.batch import Item, screen_parallel
from tradescreen.books.blocking import BookIndex, prepare
from tradescreen.books.storage import BookError, BookStore, StoredRow
from tradescreen.events import Event, EventSink
from tradescreen.index.build import INDEX_VERSION, Index, build_index
from tradescreen.index.cache import load_index
from tradescreen.index.records import Record, to_record
from tradescreen.match.attributes import pair_rows as attribute_pair_rows
from tradescreen.match.entity import score_record
from tradescreen.screen.party import Thresholds
from tradescreen.screen.relations import pair_rows as relation_pair_rows
from tradescreen.store.snapshots import Snapshot
from tradescreen.store.sqlite import SQLiteStore

# Bump when the alert rule changes (blocking, scoring of books): a delta from alerts made under
# another rule would not equal a full re-screen, so it runs in full instead.
RULE_VERSION = 2  # 2: shared attributes and list relations raise alerts (screen.shared)

Runner = Callable[[BookIndex, Sequence[Item], Thresholds], list[Alert]]


def in_process(workers: int | None = None) -> Runner:
    def run(bidx: BookIndex, items: Sequence[Item], thresholds: Thresholds) -> list[Alert]:
        return screen_parallel(bidx, items, thresholds, workers=workers)

    return run


@dataclass
class RescreenResult:
    book: str
    mode: str  # full | delta
    rows: int
    rows_screened_full: int  # rows screened against the whole index
    rows_screened_delta: int  # rows screened against the added/changed entries only
    errors: int  # rows that cannot be screened (bad input), left without alerts
    snapshots: tuple[str, ...]
    previous: tuple[str, ...] | None
    alerts: list[Alert]
    changes: AlertChanges
    list_changes: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""  # why a requested delta ran in full
    seconds: float = 0.0

    def to_dict(self, *, with_alerts: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "book": self.book,
            "mode": self.mode,
            "rows": self.rows,
            "snapshot": list(self.snapshots),
            "previous_snapshot": list(self.previous) if self.previous is not None else None,
            "rows_screened_full": self.rows_screened_full,
            "rows_screened_delta": self.rows_screened_delta,
            "errors": self.errors,
            "alerts_total": len(self.alerts),
            "list_changes": self.list_changes,
            "seconds": round(self.seconds, 3),
        }
        if self.reason:
            data["reason"] = self.reason
        if with_alerts:
            data["alerts"] = [a.to_dict() for a in self.alerts]
        data.update(self.changes.to_dict())
        return data


def params(thresholds: Thresholds) -> dict[str, Any]:
    return {"match": thresholds.match, "review": thresholds.review, "rule": RULE_VERSION,
            "min_share": blocking.MIN_SHARE, "index_version": INDEX_VERSION}


def target_snapshots(store: SQLiteStore, as_of: Any = None) -> list[Snapshot]:
    """The active snapshots, or those in force on `as_of` (a date)."""
    snaps = store.active_snapshots() if as_of is None else in_force_at(store, as_of)
    if not snaps and as_of is not None and store.active_snapshots():
        # Lists exist but none was in force then: say which and why (undated OFAC CSV).
        reasons = "; ".join(m.message(as_of) for m in missing_at(store, as_of))
        raise BookError(f"no list snapshot in force on {as_of}: {reasons}")
    if not snaps:
        when = f" on {as_of}" if as_of is not None else ""
        raise BookError(f"no list snapshot in force{when}: run `tradescreen lists import` first")
    return snaps


def book_index(store: SQLiteStore, index_dir: Path, snapshot_ids: list[str]) -> BookIndex:
    """The index of a snapshot set plus its book weights, a file in the index's folder: mapped,
    so forked and Dask workers share it, and pruned with the index."""
    index = load_index(store, index_dir, snapshot_ids)
    path = index.folder / f"book-r{RULE_VERSION}.npy"
    if path.exists():
        weights = np.load(path, mmap_mode="r").view(np.ndarray)
        if len(weights) == len(index.name_ids):
            return BookIndex(index, weights, path)
    bidx = prepare(index)
    tmp = path.with_name(f".{path.stem}-{os.getpid()}.npy")
    np.save(tmp, bidx.fuzzy_weight)
    tmp.replace(path)  # a concurrent re-screen writes the same values: either copy will do
    return BookIndex(index, np.load(path, mmap_mode="r").view(np.ndarray), path)


def _delta_records(store: SQLiteStore, snap_id: str, wanted: set[str]) -> list[Record]:
    if len(wanted) > 500:  # one pass over the snapshot beats hundreds of point reads
        return [to_record(e, snap_id) for e in store.iter_entities(snap_id)
                if e.source_id in wanted]
    out = []
    for sid in sorted(wanted):
        entity = store.entity(snap_id, sid)
        if entity is not None:
            out.append(to_record(entity, snap_id))
    return out


@dataclass
class _Delta:
    index: Index
    touched: set[tuple[str, str]]  # entries whose old alerts are void (added/changed/removed)
    cause: dict[tuple[str, str], dict[str, Any]]
    list_changes: list[dict[str, Any]]


def _list_delta(
    store: SQLiteStore, previous: Sequence[str], target: Sequence[Snapshot]
) -> _Delta:
    old = {}
    for sid in previous:
        snap = store.snapshot(sid)
        if snap is None:
            raise BookError(f"snapshot {sid} of the last re-screen is gone; run a full re-screen")
        old[snap.source] = sid
    new = {s.source: s.id for s in target}
    records: list[Record] = []
    touched: set[tuple[str, str]] = set()
    cause: dict[tuple[str, str], dict[str, Any]] = {}
    changes: list[dict[str, Any]] = []
    for source in sorted(old.keys() | new.keys()):
        o, n = old.get(source), new.get(source)
        if o == n:
            continue
        entry = {"source": source, "from": o, "to": n, "added": 0, "changed": 0, "removed": 0}
        if n is None:  # list no longer screened: carry_over drops its alerts
            changes.append(entry)
            continue
        if o is None:
            wanted = {e.source_id for e in store.iter_entities(n)}
            added, changed = wanted, set()
        else:
            diff = store.diff(o, n)
            added = {i.source_id for i in diff.added}
            changed = {i.source_id for i in diff.changed}
            touched.update((source, i.source_id) for i in diff.removed)
            entry["removed"] = len(diff.removed)
        entry["added"], entry["changed"] = len(added), len(changed)
        changes.append(entry)
        for kind, ids in (("added", added), ("changed", changed)):
            for sid in ids:
                touched.add((source, sid))
                cause[(source, sid)] = {"source": source, "from": o, "to": n, "entry": kind}
        records.extend(_delta_records(store, n, added | changed))
    ids = tuple(sorted(new.values()))
    return _Delta(build_index(records, ids), touched, cause, changes)


def rescreen(
    store: SQLiteStore,
    books: BookStore,
    index_dir: Path,
    name: str,
    *,
    now: str,
    thresholds: Thresholds,
    delta: bool = False,
    as_of: Any = None,
    runner: Runner | None = None,
    sink: EventSink | None = None,
    actor: str = "cli",
    save: bool = True,
) -> RescreenResult:
    """Re-screen a book and store its new alerts; `delta` falls back to full when it cannot be
    exact (never screened, or screened under other thresholds or another alert rule).
    `save=False` (look-backs with `as_of`) reports without changing the book's alerts."""
    started = time.perf_counter()
    run = runner or in_process()
    info = books.require(name)
    rows = books.rows(name)
    target = target_snapshots(store, as_of)
    target_ids = sorted(s.id for s in target)
    current = params(thresholds)
    reason = ""
    if delta and info.snapshots is None:
        reason = "the book was never re-screened: full re-screen"
    elif delta and info.params != current:
        reason = "thresholds or the alert rule changed since the last re-screen: full re-screen"
    mode = "delta" if delta and not reason else "full"
    previous = books.alerts(name)
    screenable = [r for r in rows if r.query is not None]
    dirty: list[StoredRow] = [r for r in screenable if r.dirty]
    full_rows = dirty if mode == "delta" else screenable
    alerts: list[Alert] = []
    cause: dict[tuple[str, str], dict[str, Any]] = {}
    list_changes: list[dict[str, Any]] = []
    delta_count = 0
    if mode == "delta":
        assert info.snapshots is not None
        d = _list_delta(store, info.snapshots, target)
        cause, list_changes = d.cause, d.list_changes
        alerts = carry_over(
            previous, rows_rescreened={r.row_id for r in dirty}, entities_rescreened=d.touched,
            snapshot_of={s.source: s.id for s in target},
        )
        clean = [(r.row_id, r.query) for r in screenable if not r.dirty and r.query]
        if d.index.records and clean:
            alerts += run(prepare(d.index), clean, thresholds)
            delta_count = len(clean)
    if full_rows:
        bidx = book_index(store, index_dir, target_ids)
        alerts += run(bidx, [(r.row_id, r.query) for r in full_rows if r.query], thresholds)
    alerts.sort(key=lambda a: a.key)
    changes = compare(previous, alerts)
    if save:
        books.save_rescreen(name, alerts, rows, tuple(target_ids), current, now)
    result = RescreenResult(
        book=name, mode=mode, rows=len(rows), rows_screened_full=len(full_rows),
        rows_screened_delta=delta_count, errors=len(rows) - len(screenable),
        snapshots=tuple(target_ids), previous=info.snapshots, alerts=alerts, changes=changes,
        list_changes=list_changes, reason=reason, seconds=time.perf_counter() - started,
    )
    if sink is not None:
        queries = {r.row_id: r.query for r in screenable}
        _emit(sink, result, cause, {r.row_id for r in dirty}, actor,
              _explainer(store, queries))
    return result


def _explainer(
    store: SQLiteStore, queries: dict[str, Any]
) -> Callable[[Alert], list[dict[str, Any]]]:
    """The explanation rows of a book alert, for the case an analyst reviews.

    Alerts carry no features (a book may raise millions, in any runner); only new ones become
    cases, so their row is scored again here against the entry's name that matched, which
    gives the same score and the rows that made it."""
    records: dict[tuple[str, str], Record | None] = {}

    def explain(alert: Alert) -> list[dict[str, Any]]:
        query = queries.get(alert.row_id)
        key = (alert.snapshot, alert.source_id)
        if key not in records:
            entity = store.entity(*key)
            records[key] = to_record(entity, alert.snapshot) if entity is not None else None
        record = records[key]
        if query is None or record is None:
            return []
        slots = [i for i, name in enumerate(record.names) if name[0] == alert.matched_name]
        rows = list(score_record(query, record, slots or None).features)
        # What else tied the row to the entry: shared attributes, list relations.
        rows += attribute_pair_rows(query.attributes, query.countries, record)
        rows += relation_pair_rows(query.name, record)
        return [f.to_dict() for f in rows]

    return explain


def _emit(
    sink: EventSink, result: RescreenResult, cause: dict[tuple[str, str], dict[str, Any]],
    dirty: set[str], actor: str, explain: Callable[[Alert], list[dict[str, Any]]] | None = None,
) -> None:
    """One `alert` event per new alert, with what raised it: the list change (source, from/to
    snapshot, added or changed entry), a changed book row, or a full re-screen."""
    for alert in result.changes.new:
        if alert.row_id in dirty:
            why: dict[str, Any] = {"row": "imported or changed"}
        elif result.mode == "delta":
            why = {"list_change": cause.get((alert.source, alert.source_id))}
        else:
            why = {"full_rescreen": {"from": result.previous, "to": list(result.snapshots)}}
        sink.emit(Event(
            kind="alert", actor=actor, subject=f"book:{result.book}:{alert.row_id}",
            data={"book": result.book, **alert.to_dict(), "cause": why,
                  "explanation": explain(alert) if explain is not None else []},
            snapshots=result.snapshots,
        ))
