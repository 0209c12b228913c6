"""Shared helpers: an audit log on a fresh database (SQLite file, or PostgreSQL when asked)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tradescreen.cases.audit import AuditLog
from tradescreen.store.db import Database, open_sqlite
from tradescreen.store.migrations import apply_migrations


class StepClock:
    """Deterministic time: each call one day after the previous one (purges need ages)."""

    def __init__(self, start: datetime = datetime(2014, 1, 1, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(days=1)
        return self.now


def migrated(db: Database) -> Database:
    apply_migrations(db, lambda: "2024-01-01T00:00:00Z")
    return db


def sqlite_log(path: Path, clock: StepClock | None = None) -> AuditLog:
    return AuditLog(migrated(open_sqlite(path)), config_hash="c" * 64, clock=clock or StepClock())
