"""The store: snapshots written and activated atomically, on one SQLite file (WAL mode) by
default or on PostgreSQL through the same SQL (`db.py`).

Every import is written in a single transaction that also flips the source's active snapshot, so a
reader (or a crash, or kill -9) sees either the complete old snapshot or the complete new one.
Entity JSON is stored once per distinct content (`entity_blobs`), so successive snapshots of a list
cost little more than their row references.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sized
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import orjson

from tradescreen.model import Entity
from tradescreen.scratch import Scratch
from tradescreen.sources.base import ListRead
from tradescreen.store import integrity, staging
from tradescreen.store.db import Database, open_sqlite
from tradescreen.store.diff import Diff, compute_diff
from tradescreen.store.migrations import SchemaTooNew, apply_migrations
from tradescreen.store.snapshots import ImportResult, Snapshot, snapshot_id

Clock = Callable[[], datetime]
# Called as progress(rows_written, rows_total) while an import writes.
Progress = Callable[[int, int], None]

BATCH = 1000


class StoreError(Exception):
    """A store request that cannot be served: unknown snapshot, mismatched sources, ..."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


_SNAPSHOT_COLUMNS = (
    "id, seq, source, format, published, imported_at, file_hashes, content_hash, "
    "entity_count, active, title"
)


def _snapshot(row: tuple) -> Snapshot:
    (sid, seq, source, fmt, published, imported_at, files, chash, count, active, title) = row
    return Snapshot(
        id=sid,
        source=source,
        format=fmt,
        published=published,
        imported_at=imported_at,
        files=orjson.loads(files),
        content_hash=chash,
        entity_count=count,
        active=bool(active),
        title=title,
        seq=seq,
    )


ACTIVATE_CACHE_KIB = 256 * 1024


class EntitySlice(NamedTuple):
    """Consecutive rows of a snapshot in source_id order: from `first` up to `end` (the next
    slice's first source_id; None for the last slice), `rows` of them."""

    snapshot_id: str
    first: str
    end: str | None
    rows: int


def read_entity_slice(db: Database, part: EntitySlice) -> list[tuple[bytes, str]]:
    """(entity JSON as stored, its content hash) of the slice's rows, in source_id order.
    Raises StoreError if the rows are not those the slice was cut from (a snapshot is never
    rewritten, but one can be pruned while a build runs)."""
    upper = "" if part.end is None else "AND se.source_id < ? "
    params = (part.snapshot_id, part.first) + (() if part.end is None else (part.end,))
    rows = [((data.encode() if isinstance(data, str) else bytes(data)), digest)
            for data, digest in db.execute(
                "SELECT b.data, se.entity_hash FROM snapshot_entities se "
                "JOIN entity_blobs b ON b.content_hash = se.entity_hash "
                f"WHERE se.snapshot_id = ? AND se.source_id >= ? {upper}"
                "ORDER BY se.source_id", params).fetchall()]
    if len(rows) != part.rows:
        raise StoreError(f"snapshot {part.snapshot_id} changed while it was read "
                         f"({len(rows)} rows from {part.first!r}, expected {part.rows})")
    return rows


class SQLiteStore:
    """The store on a `Database`: the SQLite file by default, or PostgreSQL (same SQL)."""

    def __init__(self, path: Path | Database, *, clock: Clock = utc_now) -> None:
        db = path if isinstance(path, Database) else open_sqlite(Path(path))
        self.path = Path(path) if not isinstance(path, Database) else None
        self._clock = clock
        # `_conn` keeps its name: tests and tools run ad-hoc SQL through it on either backend.
        self._conn = self.db = db
        try:
            apply_migrations(db, lambda: _iso(self._clock()))
        except SchemaTooNew as exc:
            db.close()
            raise StoreError(f"{db.label}: {exc}") from None

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def import_list(
        self,
        read: ListRead,
        *,
        clock: Clock | None = None,
        progress: Progress | None = None,
        base: str | None = None,
        started_seq: int | None = None,
        allow_shrink: bool = False,
        prepare_progress: staging.Progress | None = None,
    ) -> ImportResult:
        """Store a parsed list as a new active snapshot, or report `unchanged`.

        Two steps. First every entity is serialised, hashed and checked into a scratch file
        (`staging.stage`), in batches from `read.entities`, which may be an iterator over a list
        of any size; a refused list stops here, before the store is touched. Then one
        transaction copies the rows in and flips the source's active snapshot, so readers (and
        a crash, or kill -9) see the complete old snapshot or the complete new one.
        `progress(rows_written, rows_total)` is called during that transaction;
        `prepare_progress(entities_prepared, entities_expected)` during the first step.
        `base`: the snapshot this list was built from (an OFAC add/alt supplement on the active
        sdn.csv); if another import replaced it meanwhile, the list is refused rather than
        activated on top of a snapshot it does not extend.
        `started_seq`, `allow_shrink`: see `integrity.decide` (the store's last snapshot seq
        when the import began; accept a list that lost many entities).
        """
        clock = clock or self._clock
        label = ", ".join(sorted(read.files)) or read.source
        expected = len(read.entities) if isinstance(read.entities, Sized) else None
        with Scratch("tradescreen-import-", self._scratch_dir()) as scratch:
            staged = staging.stage(
                read.entities, source=read.source, label=label, into=scratch.path,
                expected=expected, progress=prepare_progress,
            )
            return self._activate(read, staged, _iso(clock()), progress=progress, base=base,
                                  started_seq=started_seq, allow_shrink=allow_shrink)

    def _scratch_dir(self) -> Path | None:
        # Beside the SQLite file (same disk, sized for it); the system's temp dir otherwise.
        lock = self.db.lock_path
        return lock.parent if self.db.dialect == "sqlite" and lock is not None else None

    def _activate(
        self,
        read: ListRead,
        staged: staging.Staged,
        imported_at: str,
        *,
        progress: Progress | None,
        base: str | None,
        started_seq: int | None = None,
        allow_shrink: bool = False,
    ) -> ImportResult:
        db = self.db
        if db.dialect == "sqlite":
            # A page cache that holds the content-hash index of a store of millions of
            # entities: the copy inserts into it at random places, and pages evicted in the
            # middle of the transaction were written to the WAL again and again. Bounded
            # (256 MiB), whatever the list's size.
            db.execute(f"PRAGMA cache_size=-{ACTIVATE_CACHE_KIB}")
        # SQLite copies the staged rows inside the database engine, never through Python: the
        # scratch file is attached (which cannot happen inside a transaction).
        attached = db.dialect == "sqlite" and not db.in_transaction
        if attached:
            db.execute("ATTACH DATABASE ? AS staged", (str(staged.path),))
        try:
            return self._activate_in(read, staged, imported_at, progress=progress, base=base,
                                     started_seq=started_seq, allow_shrink=allow_shrink,
                                     attached=attached)
        finally:
            if attached:
                db.execute("DETACH DATABASE staged")

    def _activate_in(
        self, read: ListRead, staged: staging.Staged, imported_at: str, *,
        progress: Progress | None, base: str | None, started_seq: int | None,
        allow_shrink: bool, attached: bool,
    ) -> ImportResult:
        db = self.db
        total, chash = staged.count, staged.content_hash
        with db.write():
            current = self._active(read.source)
            if base is not None and (current is None or current.id != base):
                raise StoreError(
                    f"the active {read.source} snapshot changed during this import "
                    f"({base} -> {current.id if current else 'none'}); run it again"
                )
            if current is not None and current.content_hash == chash:
                return ImportResult("unchanged", current)
            # The new snapshot's entity count (`total`) is known here, before anything is
            # written: checks against the active snapshot (`current`) belong at this point.
            sid = self._free_id(snapshot_id(read.source, read.published, imported_at, chash))
            seq = db.fetchone("SELECT COALESCE(MAX(seq), 0) + 1 FROM snapshots")[0]
            db.execute(
                f"INSERT INTO snapshots ({_SNAPSHOT_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                (
                    sid, seq, read.source, read.format, read.published, imported_at,
                    orjson.dumps(read.files, option=orjson.OPT_SORT_KEYS).decode(),
                    chash, total, read.title,
                ),
            )
            if attached:
                self._copy_attached(sid, total, progress)
            else:
                self._copy_staged(staged, sid, total, progress)
            # Decided here, with the count final and the active snapshot locked.
            decision = integrity.decide(
                read.source, current, read.published, total, started_seq=started_seq,
                allow_shrink=allow_shrink,
            )
            if decision.activate:
                # The flip: same transaction as the rows, so readers never see a partial snapshot.
                db.execute(
                    "UPDATE snapshots SET active = 0 WHERE source = ? AND active = 1",
                    (read.source,),
                )
                db.execute("UPDATE snapshots SET active = 1 WHERE id = ?", (sid,))
        snap = self.snapshot(sid)
        assert snap is not None
        extra = {"warnings": [decision.warning]} if decision.warning else {}
        replaced = current.id if current and decision.activate else None
        return ImportResult("imported", snap, replaced=replaced, extra=extra)

    def _copy_staged(
        self, staged: staging.Staged, sid: str, total: int, progress: Progress | None
    ) -> None:
        for blobs in staged.blobs(BATCH):
            self.db.executemany(
                "INSERT INTO entity_blobs (content_hash, data) VALUES (?, ?) "
                "ON CONFLICT (content_hash) DO NOTHING",
                blobs,
            )
        done = 0
        for rows in staged.rows(BATCH):
            self.db.executemany(
                "INSERT INTO snapshot_entities "
                "(snapshot_id, source_id, entity_hash, schema, caption) "
                "VALUES (?, ?, ?, ?, ?)",
                [(sid, *row) for row in rows],
            )
            done += len(rows)
            if progress is not None:
                progress(done, total)

    def _copy_attached(self, sid: str, total: int, progress: Progress | None) -> None:
        """`_copy_staged` for SQLite with the scratch file attached as `staged`: the same rows,
        by INSERT ... SELECT, in batches of source ids (for `progress`)."""
        db = self.db
        db.execute(
            "INSERT INTO entity_blobs (content_hash, data) "
            "SELECT entity_hash, data FROM staged.rows WHERE true "
            "ON CONFLICT (content_hash) DO NOTHING"
        )
        done, after = 0, ""
        # The first batch starts at the first id, whatever it is; later ones after the last.
        above = ">="
        while done < total:
            last, count = db.fetchone(
                "SELECT MAX(source_id), COUNT(*) FROM (SELECT source_id FROM staged.rows "
                f"WHERE source_id {above} ? ORDER BY source_id LIMIT ?)", (after, BATCH))
            if not count:
                break
            db.execute(
                "INSERT INTO snapshot_entities "
                "(snapshot_id, source_id, entity_hash, schema, caption) "
                "SELECT ?, source_id, entity_hash, schema, caption FROM staged.rows "
                f"WHERE source_id {above} ? AND source_id <= ? ORDER BY source_id",
                (sid, after, last),
            )
            done += count
            after, above = last, ">"
            if progress is not None:
                progress(done, total)

    def last_seq(self) -> int:
        """The newest snapshot's sequence number (0 for an empty store)."""
        return int(self.db.fetchone("SELECT COALESCE(MAX(seq), 0) FROM snapshots")[0])

    def _free_id(self, base: str) -> str:
        # Re-importing content seen before (not the active one) gets its own snapshot, so the
        # history stays a straight line; the suffix keeps ids unique.
        sid, n = base, 1
        while self._conn.execute("SELECT 1 FROM snapshots WHERE id = ?", (sid,)).fetchone():
            n += 1
            sid = f"{base}-{n}"
        return sid

    # -- reading ---------------------------------------------------------------------------

    def _active(self, source: str) -> Snapshot | None:
        row = self._conn.execute(
            f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots WHERE source = ? AND active = 1",
            (source,),
        ).fetchone()
        return _snapshot(row) if row else None

    def active_snapshots(self) -> list[Snapshot]:
        rows = self._conn.execute(
            f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots WHERE active = 1 ORDER BY source"
        )
        return [_snapshot(r) for r in rows]

    def active_snapshot(self, source: str) -> Snapshot | None:
        return self._active(source)

    def snapshot(self, snapshot_id: str) -> Snapshot | None:
        row = self._conn.execute(
            f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots WHERE id = ?", (snapshot_id,)
        ).fetchone()
        return _snapshot(row) if row else None

    def snapshots(self, source: str) -> list[Snapshot]:
        """A source's import history, oldest first."""
        rows = self._conn.execute(
            f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots WHERE source = ? ORDER BY seq", (source,)
        )
        return [_snapshot(r) for r in rows]

    def sources(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT DISTINCT source FROM snapshots")]

    def iter_entities(self, snapshot_id: str) -> Iterator[Entity]:
        # Checked here, not on first next(): an unknown id fails where it is asked for.
        self._require(snapshot_id)
        return self._iter_entities(snapshot_id)

    def _iter_entities(self, snapshot_id: str) -> Iterator[Entity]:
        # A dedicated cursor, fetched in chunks: memory stays flat for large snapshots.
        cursor = self._conn.execute(
            "SELECT b.data FROM snapshot_entities se "
            "JOIN entity_blobs b ON b.content_hash = se.entity_hash "
            "WHERE se.snapshot_id = ? ORDER BY se.source_id",
            (snapshot_id,),
        )
        while chunk := cursor.fetchmany(2000):
            for (data,) in chunk:
                yield Entity.from_json(data)

    def iter_entities_hashed(self, snapshot_id: str) -> Iterator[tuple[Entity, str]]:
        """(entity, its content hash as stored at import): an index build need not rehash."""
        self._require(snapshot_id)
        return self._iter_hashed(snapshot_id)

    def _iter_hashed(self, snapshot_id: str) -> Iterator[tuple[Entity, str]]:
        for data, digest in self._iter_rows(snapshot_id):
            yield Entity.from_json(data), digest

    def iter_entity_rows(self, snapshot_id: str) -> Iterator[tuple[bytes, str]]:
        """(entity JSON as stored, its content hash): for an index build, whose worker
        processes decode the entities."""
        self._require(snapshot_id)
        return self._iter_rows(snapshot_id)

    def _iter_rows(self, snapshot_id: str) -> Iterator[tuple[bytes, str]]:
        cursor = self._conn.execute(
            "SELECT b.data, se.entity_hash FROM snapshot_entities se "
            "JOIN entity_blobs b ON b.content_hash = se.entity_hash "
            "WHERE se.snapshot_id = ? ORDER BY se.source_id",
            (snapshot_id,),
        )
        while chunk := cursor.fetchmany(2000):
            for data, digest in chunk:
                yield (data.encode() if isinstance(data, str) else bytes(data)), digest

    def entity_slices(self, snapshot_id: str, size: int) -> list[EntitySlice]:
        """The snapshot's rows as `iter_entity_rows` gives them, cut into slices of `size`
        that `read_entity_slice` reads back on another connection (an index build's worker
        processes each read their own, instead of one process reading and sending them all)."""
        self._require(snapshot_id)
        ids = [sid for (sid,) in self._conn.execute(
            "SELECT source_id FROM snapshot_entities WHERE snapshot_id = ? ORDER BY source_id",
            (snapshot_id,),
        ).fetchall()]
        firsts = ids[::size]
        return [EntitySlice(snapshot_id, first, firsts[i + 1] if i + 1 < len(firsts) else None,
                            min(size, len(ids) - i * size))
                for i, first in enumerate(firsts)]

    def entity(self, snapshot_id: str, source_id: str) -> Entity | None:
        row = self._conn.execute(
            "SELECT b.data FROM snapshot_entities se "
            "JOIN entity_blobs b ON b.content_hash = se.entity_hash "
            "WHERE se.snapshot_id = ? AND se.source_id = ?",
            (snapshot_id, source_id),
        ).fetchone()
        return Entity.from_json(row[0]) if row else None

    def diff(self, from_id: str, to_id: str) -> Diff:
        old, new = self._require(from_id), self._require(to_id)
        if old.source != new.source:
            raise StoreError(
                f"cannot diff snapshots of different lists: {old.source} vs {new.source}"
            )
        return compute_diff(from_id, to_id, self._rows(from_id), self._rows(to_id))

    def _rows(self, snapshot_id: str) -> dict[str, tuple[str, str, str]]:
        cursor = self._conn.execute(
            "SELECT source_id, entity_hash, caption, schema FROM snapshot_entities "
            "WHERE snapshot_id = ?",
            (snapshot_id,),
        )
        return {sid: (h, caption, schema) for sid, h, caption, schema in cursor}

    def _require(self, snapshot_id: str) -> Snapshot:
        snap = self.snapshot(snapshot_id)
        if snap is None:
            raise StoreError(f"no snapshot {snapshot_id!r}")
        return snap

    def integrity_check(self) -> str:
        if self.db.dialect != "sqlite":
            return "ok"  # PostgreSQL checks its own pages; there is no PRAGMA to ask
        return str(self._conn.execute("PRAGMA integrity_check").fetchone()[0])
