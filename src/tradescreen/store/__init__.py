"""Versioned snapshots of imported lists (SQLite by default).

    from tradescreen.store import open_store
    with open_store(settings) as store:
        for snap in store.active_snapshots():
            for entity in store.iter_entities(snap.id): ...
"""

from __future__ import annotations

from tradescreen.config import Settings
from tradescreen.store.api import Store
from tradescreen.store.db import connect
from tradescreen.store.diff import Diff, DiffItem
from tradescreen.store.snapshots import ImportResult, Snapshot
from tradescreen.store.sqlite import Clock, SQLiteStore, StoreError, utc_now

__all__ = [
    "Clock",
    "Diff",
    "DiffItem",
    "ImportResult",
    "SQLiteStore",
    "Snapshot",
    "Store",
    "StoreError",
    "open_store",
    "utc_now",
]


def open_store(settings: Settings, *, clock: Clock = utc_now) -> SQLiteStore:
    """The store for these settings (creates and migrates the database on first use)."""
    return SQLiteStore(connect(settings), clock=clock)
