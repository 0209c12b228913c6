"""The content-addressed file archive and the store's guard for imports built on a base snapshot."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tradescreen.config import Settings
from tradescreen.sources.base import SourceError
from tradescreen.store import SQLiteStore, StoreError
from tradescreen.store.archive import archive_dir, archive_files, archived

from .helpers import FixedClock, entity, list_read


def _file(tmp_path: Path, name: str, data: bytes) -> tuple[Path, str]:
    path = tmp_path / name
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


def test_archive_by_hash_once(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    path, digest = _file(tmp_path, "sdn.csv", b"1,\"A\"\r\n")
    assert archived(settings, digest) is None
    archive_files(settings, [path], {"sdn.csv": digest})
    stored = archived(settings, digest)
    assert stored is not None and stored.read_bytes() == path.read_bytes()
    mtime = stored.stat().st_mtime_ns
    # Same bytes under another name: already there, not rewritten.
    other, same = _file(tmp_path, "add.csv", path.read_bytes())
    archive_files(settings, [other], {"add.csv": same})
    assert stored.stat().st_mtime_ns == mtime
    assert [p.name for p in archive_dir(settings).iterdir()] == [digest]


def test_file_changed_since_read_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    path, digest = _file(tmp_path, "sdn.csv", b"old bytes\r\n")
    path.write_bytes(b"new bytes\r\n")  # replaced between the reader's hash and the copy
    with pytest.raises(SourceError, match="changed while it was being imported"):
        archive_files(settings, [path], {"sdn.csv": digest})
    assert list(archive_dir(settings).iterdir()) == []


def test_import_on_a_replaced_base_is_refused(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "ts.db", clock=FixedClock()) as store:
        first = store.import_list(list_read([entity("1", "ALPHA")])).snapshot
        second = store.import_list(list_read([entity("1", "ALPHA"), entity("2", "BETA")]))
        with pytest.raises(StoreError, match="changed during this import"):
            store.import_list(list_read([entity("3", "GAMMA")]), base=first.id)
        assert [s.id for s in store.active_snapshots()] == [second.snapshot.id]
        assert len(store.snapshots("test_list")) == 2
        ok = store.import_list(list_read([entity("3", "GAMMA")]), base=second.snapshot.id)
        assert ok.status == "imported"
