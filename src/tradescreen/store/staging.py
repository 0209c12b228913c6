"""The rows of a new snapshot, prepared on disk before the store is touched.

An import serialises and hashes every entity once, into a temporary SQLite file beside the store
(or in the system's temporary folder for PostgreSQL): one row per entity, with its JSON. Memory
stays flat whatever the list's size (the entities arrive as an iterator and leave in batches),
the store's write lock is not held while a large list is read, and everything an activation
needs is known before it starts: the entity count, the content hash, duplicate ids.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import islice
from pathlib import Path

from tradescreen.model import Entity
from tradescreen.sources import limits
from tradescreen.sources.base import SourceError
from tradescreen.store.snapshots import sorted_content_hash

# Called as progress(entities_prepared, entities_expected or None).
Progress = Callable[[int, int | None], None]
BATCH = 5000


@dataclass
class Staged:
    """A prepared snapshot: its rows in `path` (table `rows`, each with its entity's JSON),
    counted and hashed."""

    path: Path
    count: int
    content_hash: str

    def rows(self, batch: int = BATCH) -> Iterator[list[tuple[str, str, str, str]]]:
        """(source_id, entity_hash, schema, caption) in batches, in source_id order."""
        yield from self._batches(
            "SELECT source_id, entity_hash, schema, caption FROM rows ORDER BY source_id", batch
        )

    def blobs(self, batch: int = BATCH) -> Iterator[list[tuple[str, bytes]]]:
        """(content hash, JSON) of every row, in the order they were staged (a content shared
        by two entities comes twice: the store keeps it once)."""
        yield from self._batches("SELECT entity_hash, data FROM rows ORDER BY rowid", batch)

    def _batches(self, sql: str, batch: int) -> Iterator[list]:
        conn = sqlite3.connect(self.path)
        try:
            cursor = conn.execute(sql)
            while chunk := cursor.fetchmany(batch):
                yield chunk
        finally:
            conn.close()


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    # A scratch file: losing it in a crash loses nothing, so no journal and no fsync.
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: bounded whatever the list's size
    # One row per entity, appended in arrival order (rowid), its JSON inside: one write per
    # entity. A table keyed by source id or content hash instead would insert each ~1 KB row
    # at a random place in its B-tree (and a separate blob table wrote every entity twice);
    # the unique index on source_id alone holds the order and refuses duplicate ids.
    conn.executescript(
        """
        CREATE TABLE rows (
            source_id TEXT NOT NULL UNIQUE, entity_hash TEXT NOT NULL, schema TEXT NOT NULL,
            caption TEXT NOT NULL, data BLOB NOT NULL
        );
        """
    )
    return conn


def _content_hash(conn: sqlite3.Connection) -> str:
    # SQLite's default BINARY collation orders UTF-8 text by code point, as Python sorts str.
    cursor = conn.execute("SELECT source_id, entity_hash FROM rows ORDER BY source_id")
    return sorted_content_hash(row for chunk in iter(lambda: cursor.fetchmany(BATCH), [])
                               for row in chunk)


def stage(
    entities: Iterable[Entity],
    *,
    source: str,
    label: str,
    into: Path,
    expected: int | None = None,
    progress: Progress | None = None,
) -> Staged:
    """Serialise and hash `entities` into a new file under `into`; refuse what the store cannot
    hold faithfully (an entity of another list, a duplicate id, no entity at all).

    `label` names the list's files in messages. `into` is a scratch folder the caller removes.
    """
    path = into / "staged.sqlite"
    conn = _connect(path)
    check = partial(serialise, source=source, label=label)
    # A reader that can decode and serialise its entities in worker processes does (FtM).
    by_workers = getattr(entities, "serialised", None)
    rows: Iterator[Row] = (by_workers(check) if by_workers is not None
                           else map(check, entities))
    try:
        count = 0
        while batch := list(islice(rows, BATCH)):
            count += _write(conn, batch, label)
            if progress is not None:
                progress(count, expected)
        if progress is not None:
            progress(count, count)
        if count == 0:
            raise SourceError(f"{label}: no entities; refusing to import an empty list")
        return Staged(path, count, _content_hash(conn))
    finally:
        conn.close()


# What the store keeps of an entity: (source_id, content hash, schema, caption, JSON).
Row = tuple[str, str, str, str, bytes]


def serialise(entity: Entity, *, source: str, label: str) -> Row:
    """The entity as the store keeps it, refused where the store cannot hold it faithfully."""
    if entity.source != source:
        raise SourceError(
            f"{label}: entity {entity.source_id} belongs to {entity.source!r}, not {source!r}"
        )
    data = entity.to_json()
    limits.check_entity(entity, data, label)
    # Same bytes Entity.content_hash() hashes, serialised once.
    return entity.source_id, hashlib.sha256(data).hexdigest(), entity.schema, entity.caption, data


def _write(conn: sqlite3.Connection, batch: list[Row], label: str) -> int:
    conn.execute("BEGIN")
    try:
        conn.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?)", batch)
    except sqlite3.IntegrityError:
        conn.execute("ROLLBACK")
        raise SourceError(f"{label}: duplicate entity id {_duplicate(conn, batch)!r}") from None
    conn.execute("COMMIT")
    return len(batch)


def _duplicate(conn: sqlite3.Connection, rows: list[Row]) -> str:
    seen: set[str] = set()
    for source_id, *_ in rows:
        staged = conn.execute("SELECT 1 FROM rows WHERE source_id = ?", (source_id,)).fetchone()
        if source_id in seen or staged:
            return source_id
        seen.add(source_id)
    return "?"  # pragma: no cover - the constraint fired, so one of them is a duplicate
