"""The append-only, hash-chained audit log (table `audit_log`) and the sink that fills it.

Appending is one transaction: lock the chain head, read the last hash, insert the record, move the
head. On SQLite `BEGIN IMMEDIATE` is the lock (one writer per file, across processes); on
PostgreSQL the head row is read `FOR UPDATE`. Either way concurrent writers queue up and the chain
stays a straight line, and a writer killed mid-append leaves no trace (the transaction never
committed). The head row also lets `verify` notice a chain whose last records were deleted.

    with open_sink(settings) as sink:      # an EventSink for the edges (CLI, API, batch)
        sink.emit(Event("import", "cli:alice", snapshot_id, {...}, (snapshot_id,)))
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any

import orjson

import tradescreen
from tradescreen.cases import chain
from tradescreen.cases.keys import thresholds_hash
from tradescreen.config import Settings
from tradescreen.events import Event
from tradescreen.store.db import Database, connect
from tradescreen.store.migrations import apply_migrations

Clock = Callable[[], datetime]
COLUMNS = (*chain.HASHED_FIELDS, "hash")
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM audit_log"
_PAGE = 5000


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Microsecond UTC timestamps: sortable as text, the same on SQLite and PostgreSQL."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def config_hash(settings: Settings) -> str:
    return thresholds_hash(settings.match_threshold, settings.review_threshold)


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: str
    kind: str
    actor: str
    subject: str
    snapshots: str  # canonical JSON array
    engine_version: str
    config_hash: str
    data: str  # canonical JSON object
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> AuditRecord:
        return cls(*row)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in COLUMNS}


class AuditError(Exception):
    """An audit request that cannot be served (a purge on a broken chain, ...)."""


class AuditLog:
    """The audit table on one `Database`. Appends join the caller's write transaction if there
    is one, so a decision and its record commit together or not at all."""

    def __init__(
        self,
        db: Database,
        *,
        config_hash: str,
        clock: Clock = utc_now,
        engine_version: str = tradescreen.__version__,
        before_commit: Callable[[AuditRecord], None] | None = None,
    ) -> None:
        self.db = db
        self.config_hash = config_hash
        self.clock = clock
        self.engine_version = engine_version
        # Test hook: runs inside the transaction after the insert (the kill -9 test pauses here).
        self.before_commit = before_commit

    def lock_head(self) -> tuple[int, str]:
        """(seq, hash) of the last record, locked until the current write transaction ends."""
        assert self.db.in_transaction, "lock_head outside a write transaction"
        row = self.db.fetchone(
            "SELECT seq, hash FROM chain_head WHERE id = 1" + self.db.for_update()
        )
        return int(row[0]), str(row[1])

    def append(
        self,
        kind: str,
        actor: str,
        subject: str,
        data: Mapping[str, Any] | None = None,
        snapshots: Sequence[str] = (),
    ) -> AuditRecord:
        with self.db.write():
            seq, prev = self.lock_head()
            fields: dict[str, Any] = {
                "seq": seq + 1,
                "at": iso(self.clock()),
                "kind": kind,
                "actor": actor,
                "subject": subject,
                "snapshots": chain.canonical(sorted(snapshots)),
                "engine_version": self.engine_version,
                "config_hash": self.config_hash,
                "data": chain.canonical(dict(data or {})),
                "prev_hash": prev,
            }
            record = AuditRecord(**fields, hash=chain.record_hash(fields))
            self.db.execute(
                f"INSERT INTO audit_log ({', '.join(COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(COLUMNS))})",
                [getattr(record, c) for c in COLUMNS],
            )
            self.db.execute(
                "UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (record.seq, record.hash)
            )
            if self.before_commit is not None:
                self.before_commit(record)
        return record

    # -- reading ---------------------------------------------------------------------------

    def records(self, *, after: int = 0, through: int | None = None) -> Iterator[AuditRecord]:
        """Records in chain order, read in pages (memory stays flat for a long log)."""
        last = after
        while True:
            bound = "" if through is None else f" AND seq <= {int(through)}"
            rows = self.db.fetchall(
                f"{_SELECT} WHERE seq > ?{bound} ORDER BY seq LIMIT {_PAGE}", (last,)
            )
            for row in rows:
                yield AuditRecord.from_row(row)
            if len(rows) < _PAGE:
                return
            last = int(rows[-1][0])

    def head(self) -> tuple[int, str]:
        row = self.db.fetchone("SELECT seq, hash FROM chain_head WHERE id = 1")
        return int(row[0]), str(row[1])

    def verify(self) -> chain.Verdict:
        """Re-compute the whole chain from one consistent snapshot of the table."""
        with self.db.read():
            head = self.head()
            # Rows past the head were appended after it was read (impossible inside one
            # snapshot, but harmless to bound).
            return chain.verify((r.to_dict() for r in self.records(through=head[0])), head)

    def export(self, out: IO[str]) -> int:
        """JSON lines, one record per line, in chain order; returns the count."""
        count = 0
        with self.db.read():
            for record in self.records():
                out.write(orjson.dumps(record.to_dict()).decode() + "\n")
                count += 1
        return count

    # -- retention -------------------------------------------------------------------------

    def purge(self, older_than: datetime, actor: str) -> AuditRecord:
        """Delete the records older than `older_than` (a prefix of the chain) and append a
        `purge` record that carries the last purged record's seq and hash, so the remaining
        chain still verifies from a known start. Refused on a broken chain: purging must never
        launder tampering."""
        cutoff = iso(older_than)
        with self.db.write():
            head = self.lock_head()
            verdict = chain.verify((r.to_dict() for r in self.records()), head)
            if not verdict.ok:
                raise AuditError(f"refusing to purge: {verdict.message()}")
            young = self.db.fetchone("SELECT MIN(seq) FROM audit_log WHERE at >= ?", (cutoff,))[0]
            through = (int(young) - 1) if young is not None else head[0]
            first = self.db.fetchone(
                "SELECT seq, prev_hash FROM audit_log ORDER BY seq LIMIT 1"
            )
            start = int(first[0]) if first else head[0] + 1
            purged = list(self.records(after=start - 1, through=through))
            if purged:
                last_hash = purged[-1].hash
            else:
                # Nothing old enough: the purge record repeats the current start of the chain.
                through = start - 1
                last_hash = str(first[1]) if first else head[1]
            self.db.execute("DELETE FROM audit_log WHERE seq <= ?", (through,))
            data = {
                "older_than": cutoff,
                "count": len(purged),
                "first_seq": purged[0].seq if purged else None,
                "through_seq": through,
                "last_hash": last_hash,
                "prefix_digest": chain.prefix_digest(r.hash for r in purged),
            }
            return self.append(chain.PURGE_KIND, actor, f"audit:..{through}", data)


def retention_cutoff(settings: Settings, now: datetime) -> datetime:
    return now - timedelta(days=settings.audit_retention_days)


class AuditSink:
    """An `EventSink` writing every event to the audit log; screening events also raise alerts.

    One connection per thread (sqlite3 connections may not cross threads), opened on first use,
    so an API server can share one sink between its worker threads.
    """

    def __init__(self, settings: Settings, *, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.clock = clock
        self._local = threading.local()
        self._all: list[Database] = []
        self._lock = threading.Lock()

    def log(self) -> AuditLog:
        log = getattr(self._local, "log", None)
        if log is None:
            db = connect(self.settings)
            apply_migrations(db, lambda: iso(self.clock()))
            with self._lock:
                self._all.append(db)
            log = AuditLog(db, config_hash=config_hash(self.settings), clock=self.clock)
            self._local.log = log
        return log

    def emit(self, event: Event) -> None:
        from tradescreen.cases.alerts import ALERTING_KINDS, record_screening

        log = self.log()
        if event.kind in ALERTING_KINDS:
            record_screening(log, event)
        else:
            log.append(event.kind, event.actor, event.subject, event.data, event.snapshots)

    def close(self) -> None:
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
        self._local = threading.local()

    def __enter__(self) -> AuditSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_sink(settings: Settings, *, clock: Clock = utc_now) -> AuditSink:
    """The audit sink for these settings (same database as the store: SQLite or PostgreSQL)."""
    return AuditSink(settings, clock=clock)
