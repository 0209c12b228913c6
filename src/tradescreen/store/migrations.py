"""Named schema migrations, applied in order inside one transaction each.

The SQL stays plain (TEXT / INTEGER / BLOB, no SQLite-only syntax beyond what PostgreSQL also
accepts) so a PostgreSQL backend can reuse the same list.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


class SchemaTooNew(Exception):
    """The database was migrated by a newer version of tradescreen."""


# (name, statements). Never edit an applied migration: append a new one.
MIGRATIONS: list[tuple[str, tuple[str, ...]]] = [
    (
        "0001_snapshots",
        (
            """CREATE TABLE snapshots (
                id TEXT PRIMARY KEY,
                seq INTEGER NOT NULL UNIQUE,
                source TEXT NOT NULL,
                format TEXT NOT NULL,
                published TEXT,
                imported_at TEXT NOT NULL,
                file_hashes TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                entity_count INTEGER NOT NULL,
                active INTEGER NOT NULL DEFAULT 0,
                title TEXT NOT NULL DEFAULT ''
            )""",
            "CREATE INDEX snapshots_source ON snapshots (source, seq)",
            # At most one active snapshot per source, enforced by the database itself.
            "CREATE UNIQUE INDEX snapshots_one_active ON snapshots (source) WHERE active = 1",
            """CREATE TABLE entity_blobs (
                content_hash TEXT PRIMARY KEY,
                data BLOB NOT NULL
            )""",
            """CREATE TABLE snapshot_entities (
                snapshot_id TEXT NOT NULL REFERENCES snapshots (id),
                source_id TEXT NOT NULL,
                entity_hash TEXT NOT NULL REFERENCES entity_blobs (content_hash),
                schema TEXT NOT NULL,
                caption TEXT NOT NULL,
                PRIMARY KEY (snapshot_id, source_id)
            )""",
        ),
    ),
    (
        "0002_api_keys",
        (
            # Only the sha256 of a key is kept; the key itself is shown once, at creation.
            """CREATE TABLE api_keys (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                key_hash TEXT NOT NULL UNIQUE,
                prefix TEXT NOT NULL,
                scopes TEXT NOT NULL,
                rate_limit REAL,
                created_at TEXT NOT NULL,
                revoked_at TEXT
            )""",
            # A name may be reused once its previous key is revoked.
            "CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL",
        ),
    ),
    (
        "0003_books",
        (
            # Customer books for continuous monitoring (tradescreen.books). `snapshots` is the
            # snapshot set of the last re-screen: the base a delta re-screen diffs from.
            """CREATE TABLE books (
                name TEXT PRIMARY KEY,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                screened_at TEXT,
                snapshots TEXT,
                params TEXT
            )""",
            # content_hash covers what screening reads; screened_hash is its value when the row
            # was last screened, so a re-imported, changed row is known to need screening.
            """CREATE TABLE book_rows (
                book TEXT NOT NULL REFERENCES books (name),
                row_id TEXT NOT NULL,
                data TEXT NOT NULL,
                query TEXT,
                error TEXT,
                content_hash TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                screened_hash TEXT,
                PRIMARY KEY (book, row_id)
            )""",
            # Scores in 1/10000 as integers: exact on every backend.
            """CREATE TABLE book_alerts (
                book TEXT NOT NULL REFERENCES books (name),
                row_id TEXT NOT NULL,
                source TEXT NOT NULL,
                source_id TEXT NOT NULL,
                decision TEXT NOT NULL,
                score_e4 INTEGER NOT NULL,
                caption TEXT NOT NULL,
                matched_name TEXT NOT NULL,
                entity_hash TEXT NOT NULL,
                snapshot TEXT NOT NULL,
                raised_at TEXT NOT NULL,
                PRIMARY KEY (book, row_id, source, source_id)
            )""",
        ),
    ),
]


def apply_migrations(conn: sqlite3.Connection, now: Callable[[], str]) -> list[str]:
    """Apply the migrations not yet recorded; returns the names applied.

    The connection must be in autocommit mode (isolation_level=None) so the explicit
    BEGIN IMMEDIATE below owns the transaction: a migration half-applied is never visible.
    """
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied_names: list[str] = []
    done = {row[0] for row in conn.execute("SELECT version FROM schema_version")}
    newest = max(done, default=0)
    if newest > len(MIGRATIONS):
        # Written by a newer tradescreen: guessing at its schema could corrupt it.
        raise SchemaTooNew(
            f"database schema version {newest} is newer than this tradescreen knows "
            f"({len(MIGRATIONS)}); upgrade tradescreen"
        )
    if len(done) == len(MIGRATIONS):
        return applied_names
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Re-read under the write lock: another process may have migrated meanwhile.
        done = {row[0] for row in conn.execute("SELECT version FROM schema_version")}
        for version, (name, statements) in enumerate(MIGRATIONS, start=1):
            if version in done:
                continue
            for statement in statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, now()),
            )
            applied_names.append(name)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return applied_names
