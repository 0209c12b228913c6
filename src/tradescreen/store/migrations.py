"""Named schema migrations, applied in order inside one transaction each.

The SQL stays plain (TEXT / INTEGER / BLOB, no SQLite-only syntax beyond what PostgreSQL also
accepts) so a PostgreSQL backend can reuse the same list.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from tradescreen.store.db import Database

# pg_advisory_xact_lock key serialising migrations on one PostgreSQL database ("tsmg").
_MIGRATION_LOCK = 0x74736D67


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
    (
        "0004_cases_audit",
        (
            # The hash-chained audit log (cases/audit.py). seq is assigned by the appender
            # under the chain-head lock, so it is gapless and follows the chain order.
            """CREATE TABLE audit_log (
                seq INTEGER NOT NULL PRIMARY KEY,
                at TEXT NOT NULL,
                kind TEXT NOT NULL,
                actor TEXT NOT NULL,
                subject TEXT NOT NULL,
                snapshots TEXT NOT NULL,
                engine_version TEXT NOT NULL,
                config_hash TEXT NOT NULL,
                data TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )""",
            "CREATE INDEX audit_log_at ON audit_log (at)",
            # One row: the last record's seq and hash. Locked by every append (the chain's
            # mutex on PostgreSQL) and compared by verify, so a truncated tail is noticed.
            """CREATE TABLE chain_head (
                id INTEGER NOT NULL PRIMARY KEY,
                seq INTEGER NOT NULL,
                hash TEXT NOT NULL
            )""",
            "INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')",
            """CREATE TABLE alerts (
                id INTEGER NOT NULL PRIMARY KEY,
                created_at TEXT NOT NULL,
                status TEXT NOT NULL,
                query_key TEXT NOT NULL,
                query TEXT NOT NULL,
                source TEXT NOT NULL,
                source_id TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                snapshot TEXT NOT NULL,
                caption TEXT NOT NULL,
                score REAL NOT NULL,
                band TEXT NOT NULL,
                explanation TEXT NOT NULL,
                screening_seq INTEGER NOT NULL,
                suppressed_by INTEGER,
                decision_id INTEGER,
                hits INTEGER NOT NULL,
                last_seen_at TEXT NOT NULL
            )""",
            "CREATE INDEX alerts_party_entry ON alerts (query_key, source, source_id, status)",
            "CREATE INDEX alerts_status ON alerts (status, id)",
            """CREATE TABLE decisions (
                id INTEGER NOT NULL PRIMARY KEY,
                alert_id INTEGER NOT NULL REFERENCES alerts (id),
                decision TEXT NOT NULL,
                reason TEXT NOT NULL,
                decided_by TEXT NOT NULL,
                decided_at TEXT NOT NULL,
                approved_by TEXT,
                approved_at TEXT
            )""",
            "CREATE INDEX decisions_alert ON decisions (alert_id, id)",
            """CREATE TABLE suppressions (
                query_key TEXT NOT NULL,
                source TEXT NOT NULL,
                source_id TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                alert_id INTEGER NOT NULL REFERENCES alerts (id),
                created_at TEXT NOT NULL,
                PRIMARY KEY (query_key, source, source_id, content_hash)
            )""",
        ),
    ),
    (
        "casestx_alert_origin",
        (
            # Where a case alert came from: the book and row of a re-screen, the row of a file
            # (empty for a single screening), so analysts can filter and find the customer.
            "ALTER TABLE alerts ADD COLUMN book TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE alerts ADD COLUMN row_id TEXT NOT NULL DEFAULT ''",
            "CREATE INDEX alerts_book ON alerts (book, id)",
            "CREATE INDEX alerts_source ON alerts (source, id)",
            "CREATE INDEX alerts_created ON alerts (created_at)",
        ),
    ),
    (
        "web_0001_sessions",
        (
            # Workbench sign-ins (tradescreen.web.sessions). Only hashes of the session token
            # are kept; key_hash ties the session to the live API key it was opened with, so
            # revoking the key ends the session. last_seen is epoch seconds (idle expiry).
            """CREATE TABLE web_sessions (
                token_hash TEXT PRIMARY KEY,
                key_name TEXT NOT NULL,
                key_hash TEXT NOT NULL,
                csrf TEXT NOT NULL,
                created_at TEXT NOT NULL,
                last_seen INTEGER NOT NULL
            )""",
            # Who works an alert (the queue's "assign to me" and assignee filter).
            """CREATE TABLE web_assignments (
                alert_id INTEGER NOT NULL PRIMARY KEY REFERENCES alerts (id),
                assignee TEXT NOT NULL,
                assigned_at TEXT NOT NULL
            )""",
            "CREATE INDEX web_assignments_assignee ON web_assignments (assignee, alert_id)",
            # The case page reads an alert's history from the audit log by subject.
            "CREATE INDEX audit_log_subject ON audit_log (subject, seq)",
            # The queue's filters and sorts walk these instead of the wide alert rows (each
            # carries its explanation JSON): counting 10,000 open alerts stays index-only.
            "CREATE INDEX alerts_queue_created ON alerts (status, created_at, id)",
            "CREATE INDEX alerts_queue_score ON alerts (status, score, id)",
            "CREATE INDEX alerts_queue_source ON alerts (status, source, band, created_at)",
        ),
    ),
    (
        "web_0002_queue_filter_index",
        (
            # The same filter columns plus the sort keys, so a filtered queue sorted by score
            # reads no alert row to order its matches (p95 147 -> see README).
            "DROP INDEX IF EXISTS alerts_queue_source",
            "CREATE INDEX alerts_queue_filter ON alerts "
            "(status, source, band, created_at, score, id)",
        ),
    ),
    (
        "media_alert_kind",
        (
            # What raised a case alert: a screening hit, or a customer named in an article.
            "ALTER TABLE alerts ADD COLUMN kind TEXT NOT NULL DEFAULT 'screening'",
        ),
    ),
    (
        "consol_cluster_splits",
        (
            # An analyst's "these listings are not one party": kept by list ids, so the split
            # holds on every index built after any list update (consolidate.splits).
            """CREATE TABLE cluster_splits (
                id INTEGER NOT NULL PRIMARY KEY,
                created_at TEXT NOT NULL,
                actor TEXT NOT NULL,
                reason TEXT NOT NULL,
                party TEXT NOT NULL,
                moved TEXT NOT NULL,
                others TEXT NOT NULL
            )""",
            # A decision on a listed party covers all its listings: alerts and suppressions
            # follow the party (its key and the hash of all its listings), not one entry.
            "ALTER TABLE alerts ADD COLUMN party TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE alerts ADD COLUMN listings TEXT NOT NULL DEFAULT '[]'",
            "CREATE INDEX alerts_party ON alerts (query_key, party, status)",
        ),
    ),
]


def apply_migrations(conn: sqlite3.Connection | Database, now: Callable[[], str]) -> list[str]:
    """Apply the migrations not yet recorded; returns the names applied.

    Takes a `Database` (SQLite or PostgreSQL) or a raw sqlite3 connection in autocommit mode
    (isolation_level=None), so the explicit transaction below owns it: a migration half-applied
    is never visible.
    """
    db = conn if isinstance(conn, Database) else Database(conn, "sqlite", label="sqlite")
    create = (
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    if db.dialect == "sqlite":
        db.execute(create)
        exists = True
    else:
        exists = db.fetchone("SELECT to_regclass('schema_version')")[0] is not None
    if exists:
        # Fast path without the write lock: an up-to-date database must not wait for an import.
        done = {row[0] for row in db.fetchall("SELECT version FROM schema_version")}
        if max(done, default=0) == len(MIGRATIONS) == len(done):
            return []
    applied_names: list[str] = []
    with db.write():
        if db.dialect == "postgresql":
            # Concurrent first starts: one migrates, the others wait and then find it done.
            db.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))
            db.execute(create)
        # Read under the write lock: another process may have migrated meanwhile.
        done = {row[0] for row in db.fetchall("SELECT version FROM schema_version")}
        newest = max(done, default=0)
        if newest > len(MIGRATIONS):
            # Written by a newer tradescreen: guessing at its schema could corrupt it.
            raise SchemaTooNew(
                f"database schema version {newest} is newer than this tradescreen knows "
                f"({len(MIGRATIONS)}); upgrade tradescreen"
            )
        for version, (name, statements) in enumerate(MIGRATIONS, start=1):
            if version in done:
                continue
            for statement in statements:
                db.execute(statement)
            db.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, now()),
            )
            applied_names.append(name)
    return applied_names
