"""What a running API holds: the screener (swapped when lists change), keys, limiter, sink.

The index loads in a background thread so `/healthz` answers at once and `/readyz` says 503
until screening can start. When a new list snapshot is activated, a fresh index is built in a
child process (reload.py), opened beside the old one and swapped in a single assignment:
requests in flight finish on the old one. Audit events go through `AuditWriter`, so no request
waits for the database's write lock.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from tradescreen.api.audit_writer import AuditWriter
from tradescreen.api.auth import KeyCache, RateLimiter
from tradescreen.api.config import ApiConfig
from tradescreen.api.errors import ApiError
from tradescreen.config import Settings
from tradescreen.events import Event, EventSink, NullSink
from tradescreen.ftm import EXTRA_KEY, ftm_id, to_ftm
from tradescreen.index.records import Record
from tradescreen.screen.party import Screener
from tradescreen.store import Snapshot, SQLiteStore, open_store
from tradescreen.store.keys import KeyStore

log = logging.getLogger("tradescreen.api")
_ENTITY_CACHE = 4096


class ApiState:
    def __init__(
        self,
        settings: Settings,
        config: ApiConfig,
        *,
        sink: EventSink | None = None,
        screener: Screener | None = None,
        audit_spool: Path | None = None,
    ) -> None:
        self.settings = settings
        self.config = config
        # Requests hand events to the writer, which appends them to `sink` off the request path.
        self.audit = AuditWriter(sink or NullSink(), audit_spool)
        self.sink: EventSink = self.audit
        self.screener: Screener | None = screener
        self.snapshots: dict[str, Snapshot] = {}
        self.load_error: str | None = None
        self.keys = KeyCache(KeyStore(settings))
        self.limiter = RateLimiter(config.rate, config.burst)
        self._local = threading.local()
        self._ftm: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
        self._ftm_lock = threading.Lock()
        self._by_id: tuple[Screener, dict[str, int]] | None = None
        if screener is not None:
            self.snapshots = self._read_snapshots(screener.index.snapshots)

    # -- lists and index ---------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self.screener is not None

    def store(self) -> SQLiteStore:
        """This thread's store connection (sqlite3 connections stay in their thread)."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = open_store(self.settings)
        return store

    def _read_snapshots(self, ids: tuple[str, ...] | list[str]) -> dict[str, Snapshot]:
        found = (self.store().snapshot(sid) for sid in ids)
        return {s.id: s for s in found if s is not None}

    def active_ids(self) -> tuple[str, ...]:
        return tuple(sorted(s.id for s in self.store().active_snapshots()))

    def serving_ids(self) -> tuple[str, ...]:
        return tuple(sorted(self.screener.index.snapshots)) if self.screener else ()

    def load(self, ids: tuple[str, ...] | None = None) -> bool:
        """Load (or reload) the index for the active snapshots (or `ids`) and swap it in.
        Blocking: run it in a thread. A reload builds the index in a child process, so the
        requests served meanwhile do not compete with the build for the GIL. False on
        failure, which /readyz reports while the old index keeps serving."""
        from tradescreen.api.reload import build_in_child, open_screener

        try:
            ids = ids if ids is not None else self.active_ids()
            if not ids:
                raise LookupError("no lists imported yet: run `tradescreen lists import PATH`")
            if self.screener is not None:
                build_in_child(self.settings, ids)
            screener = open_screener(self.settings, ids)
            new = self._read_snapshots(screener.index.snapshots)
        except Exception as exc:
            self.load_error = f"{type(exc).__name__}: {exc}"
            log.error("index load failed: %s", self.load_error)
            return False
        # Snapshots first, then the screener: a request on either index finds its snapshots.
        self.snapshots = {**self.snapshots, **new}
        self.screener, self.load_error = screener, None
        return True

    # -- entities ----------------------------------------------------------------------------

    def record_by_id(self, entity_id: str) -> Record | None:
        """An indexed record by its FtM id (`us-ofac-sdn-16418`) or ours (`us_ofac_sdn:16418`)."""
        screener = self.screener
        if screener is None:
            return None
        index = screener.index
        # An index on disk carries its id map: nothing to build on the first request.
        find = getattr(index, "record_position", None) or self._id_table(screener).get
        pos = find(entity_id)
        return index.records[pos] if pos is not None else None

    def _id_table(self, screener: Screener) -> dict[str, int]:
        """Id -> position over an in-memory index (small: a book's, a test's)."""
        table = self._by_id
        if table is None or table[0] is not screener:
            ids: dict[str, int] = {}
            for pos, record in enumerate(screener.index.records):
                ids[ftm_id(record.source, record.source_id)] = pos
                ids[record.id] = pos
            table = self._by_id = (screener, ids)
        return table[1]

    def ftm(self, record: Record) -> dict[str, Any]:
        """The FtM dict of an indexed record, from the store, cached (hot results repeat)."""
        key = (record.snapshot, record.source_id)
        with self._ftm_lock:
            hit = self._ftm.get(key)
            if hit is not None:
                self._ftm.move_to_end(key)
                return hit
        entity = self.store().entity(record.snapshot, record.source_id)
        if entity is None:  # snapshot pruned under us: answer from the compact record
            data = {"id": record.id, "schema": record.schema, "caption": record.caption,
                    "properties": {"name": [n for n, _, _ in record.names]},
                    "datasets": [record.source], "referents": []}
        else:
            data = to_ftm(entity)
            data.pop(EXTRA_KEY, None)
        with self._ftm_lock:
            self._ftm[key] = data
            if len(self._ftm) > _ENTITY_CACHE:
                self._ftm.popitem(last=False)
        return data

    # -- audit -------------------------------------------------------------------------------

    def emit(self, event: Event) -> None:
        """Record an event or refuse the request: a screening nobody can audit did not happen.
        Spooled, not yet appended: the request never waits for the database's write lock."""
        try:
            self.audit.emit(event)
        except Exception:
            log.exception("audit spool failed for %s event %s", event.kind, event.subject)
            raise ApiError(503, "the audit trail is unavailable; nothing was screened") from None
