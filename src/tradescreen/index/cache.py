"""Build the index once per set of active snapshots and keep it on disk for fast starts.

The file name is a hash of the active snapshot ids and the index version, so a list update (a
new active snapshot) gives a new file and the old one is never read again. Writes go to a temp
file renamed into place: a crash mid-write leaves no half index behind.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from tradescreen.index.build import INDEX_VERSION, Index, build_index
from tradescreen.index.records import Record, to_record
from tradescreen.store.api import Store


def index_key(snapshot_ids: list[str]) -> str:
    text = "\n".join([f"v{INDEX_VERSION}", *sorted(snapshot_ids)])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def load_records(store: Store, snapshot_ids: list[str]) -> list[Record]:
    return [to_record(e, sid) for sid in snapshot_ids for e in store.iter_entities(sid)]


def load_index(store: Store, index_dir: Path, snapshot_ids: list[str] | None = None) -> Index:
    """The index for the given snapshots (default: every active one), built if not cached."""
    if snapshot_ids is None:
        snapshot_ids = sorted(s.id for s in store.active_snapshots())
    path = index_dir / f"index-{index_key(snapshot_ids)}.pkl"
    if path.exists():
        with path.open("rb") as fh:
            index = pickle.load(fh)
        if isinstance(index, Index) and index.version == INDEX_VERSION:
            return index
    index = build_index(load_records(store, snapshot_ids), tuple(sorted(snapshot_ids)))
    index_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=index_dir, prefix=".index-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _prune(index_dir, keep=KEEP_INDEXES)
    return index


KEEP_INDEXES = 4  # older snapshot sets stay loadable for look-backs without rebuilding


def _prune(index_dir: Path, keep: int) -> None:
    """Drop all but the newest cached indexes (a process still reading one keeps its copy)."""
    cached = sorted(index_dir.glob("index-*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in cached[keep:]:
        old.unlink(missing_ok=True)
