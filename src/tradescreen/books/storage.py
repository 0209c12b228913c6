"""Books in the store's database: rows by id, their current alerts, the snapshots last screened.

Tables come from the store's migrations (`0003_books`), so they live next to the snapshots they
refer to, in SQLite or PostgreSQL alike. SQL uses `?` placeholders only (the connection layer
rewrites them for PostgreSQL). Scores are kept as integers in 1/10000 (how they are reported), so
a stored alert compares equal to a recomputed one on any backend.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from tradescreen.books.alerts import Alert
from tradescreen.books.readers import BookRow, query_from_json, query_to_json
from tradescreen.match.entity import Query


@dataclass(frozen=True)
class BookInfo:
    name: str
    created_at: str
    updated_at: str
    screened_at: str | None
    snapshots: tuple[str, ...] | None  # the snapshot set of the last re-screen, None if never
    params: dict[str, Any]  # screening parameters of that re-screen (thresholds, rule version)


@dataclass(frozen=True)
class StoredRow:
    row_id: str
    query: Query | None
    error: str | None
    content_hash: str
    dirty: bool  # imported or changed since the last re-screen


@dataclass(frozen=True)
class ImportCounts:
    added: int
    changed: int
    unchanged: int
    deleted: int
    errors: int

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class BookError(Exception):
    """An unknown book or a request on a book that cannot be served."""


@contextlib.contextmanager
def _transaction(conn: Any) -> Iterator[None]:
    # The store's connection layer offers `write()` (SQLite or PostgreSQL); a bare sqlite3
    # connection in autocommit mode gets the same BEGIN IMMEDIATE ... COMMIT by hand.
    write = getattr(conn, "write", None)
    if write is not None:
        with write():
            yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


_ALERT_COLUMNS = ("row_id, source, source_id, decision, score_e4, caption, matched_name, "
                  "entity_hash, snapshot")


def _alert(row: tuple) -> Alert:
    row_id, source, source_id, decision, score_e4, caption, matched, ehash, snapshot = row
    return Alert(row_id, source, source_id, decision, score_e4 / 10000, caption, matched, ehash,
                 snapshot)


class BookStore:
    """Book tables on the store's connection (`store._conn`: a sqlite3 connection or the
    store's `Database`)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def _all(self, sql: str, params: tuple = ()) -> list[tuple]:
        return [tuple(r) for r in self.conn.execute(sql, params).fetchall()]

    def info(self, name: str) -> BookInfo | None:
        rows = self._all("SELECT name, created_at, updated_at, screened_at, snapshots, params "
                         "FROM books WHERE name = ?", (name,))
        if not rows:
            return None
        name, created, updated, screened, snaps, params = rows[0]
        return BookInfo(name, created, updated, screened,
                        tuple(orjson.loads(snaps)) if snaps else None,
                        orjson.loads(params) if params else {})

    def require(self, name: str) -> BookInfo:
        info = self.info(name)
        if info is None:
            raise BookError(f"no book {name!r}: run `tradescreen book import {name} FILE` first")
        return info

    def names(self) -> list[str]:
        return [r[0] for r in self._all("SELECT name FROM books ORDER BY name")]

    def import_rows(
        self, name: str, rows: Iterable[BookRow], now: str, *, replace: bool = False
    ) -> ImportCounts:
        """Insert or update rows by id; a row whose screening content changed becomes dirty.

        `replace`: rows not in `rows` are deleted with their alerts (the file is the whole book).
        """
        rows = list(rows)
        with _transaction(self.conn):
            if self.info(name) is None:
                self.conn.execute("INSERT INTO books (name, created_at, updated_at) "
                                  "VALUES (?, ?, ?)", (name, now, now))
            existing = dict(self._all(
                "SELECT row_id, content_hash FROM book_rows WHERE book = ?", (name,)))
            added = changed = errors = 0
            for row in rows:
                errors += row.query is None
                chash = row.content_hash
                old = existing.get(row.row_id)
                if old == chash:
                    continue
                query = query_to_json(row.query).decode() if row.query else None
                data = orjson.dumps(row.data).decode()
                if old is None:
                    added += 1
                    self.conn.execute(
                        "INSERT INTO book_rows (book, row_id, data, query, error, content_hash, "
                        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (name, row.row_id, data, query, row.error, chash, now))
                else:
                    changed += 1
                    self.conn.execute(
                        "UPDATE book_rows SET data = ?, query = ?, error = ?, content_hash = ?, "
                        "updated_at = ? WHERE book = ? AND row_id = ?",
                        (data, query, row.error, chash, now, name, row.row_id))
            deleted = 0
            if replace:
                gone = existing.keys() - {r.row_id for r in rows}
                for row_id in gone:
                    self.conn.execute("DELETE FROM book_alerts WHERE book = ? AND row_id = ?",
                                      (name, row_id))
                    self.conn.execute("DELETE FROM book_rows WHERE book = ? AND row_id = ?",
                                      (name, row_id))
                deleted = len(gone)
            self.conn.execute("UPDATE books SET updated_at = ? WHERE name = ?", (now, name))
        unchanged = len(rows) - added - changed
        return ImportCounts(added, changed, unchanged, deleted, errors)

    def rows(self, name: str) -> list[StoredRow]:
        out = []
        for row_id, query, error, chash, screened in self._all(
            "SELECT row_id, query, error, content_hash, screened_hash FROM book_rows "
            "WHERE book = ? ORDER BY row_id", (name,)
        ):
            out.append(StoredRow(row_id, query_from_json(query) if query else None, error, chash,
                                 screened != chash))
        return out

    def alerts(self, name: str) -> list[Alert]:
        return [_alert(r) for r in self._all(
            f"SELECT {_ALERT_COLUMNS} FROM book_alerts WHERE book = ? "
            "ORDER BY row_id, source, source_id", (name,))]

    def save_rescreen(
        self, name: str, alerts: list[Alert], rows: list[StoredRow], snapshots: tuple[str, ...],
        params: dict[str, Any], now: str,
    ) -> None:
        """Replace the book's alerts and record what they were computed against, atomically."""
        with _transaction(self.conn):
            # An alert that stays keeps the time it was first raised.
            raised = {(r, s, i): t for r, s, i, t in self._all(
                "SELECT row_id, source, source_id, raised_at FROM book_alerts WHERE book = ?",
                (name,))}
            self.conn.execute("DELETE FROM book_alerts WHERE book = ?", (name,))
            self.conn.executemany(
                f"INSERT INTO book_alerts (book, {_ALERT_COLUMNS}, raised_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(name, a.row_id, a.source, a.source_id, a.decision, round(a.score * 10000),
                  a.caption, a.matched_name, a.entity_hash, a.snapshot, raised.get(a.key, now))
                 for a in alerts])
            # Only the rows this run read are marked screened: a row re-imported meanwhile
            # keeps its newer hash and stays dirty.
            self.conn.executemany(
                "UPDATE book_rows SET screened_hash = ? WHERE book = ? AND row_id = ? "
                "AND content_hash = ?",
                [(r.content_hash, name, r.row_id, r.content_hash) for r in rows if r.dirty])
            self.conn.execute(
                "UPDATE books SET screened_at = ?, snapshots = ?, params = ? WHERE name = ?",
                (now, orjson.dumps(list(snapshots)).decode(),
                 orjson.dumps(params, option=orjson.OPT_SORT_KEYS).decode(), name))
