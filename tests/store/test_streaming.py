"""Importing a list given as an iterator: written in batches, never materialised, still atomic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tradescreen.model import Entity
from tradescreen.sources.base import SourceError
from tradescreen.store import SQLiteStore
from tradescreen.store.snapshots import content_hash

from .helpers import FixedClock, entity, list_read


@pytest.fixture()
def store(tmp_path: Path):
    with SQLiteStore(tmp_path / "ts.db", clock=FixedClock()) as s:
        yield s


def _stream(n: int, *, prefix: str = "N", fail_at: int | None = None) -> Iterator[Entity]:
    for i in range(n):
        if i == fail_at:
            raise SourceError(f"line {i}: malformed")
        yield entity(f"{i:05d}", f"{prefix}{i}")


def _files(tmp_path: Path) -> set[str]:
    return {p.name for p in tmp_path.iterdir()}


def test_iterator_import_counts_and_hashes_like_a_list(store: SQLiteStore, tmp_path: Path) -> None:
    streamed = store.import_list(list_read(_stream(12_345))).snapshot
    entities = list(_stream(12_345))
    assert streamed.entity_count == 12_345
    assert streamed.content_hash == content_hash((e.source_id, e.content_hash()) for e in entities)
    assert store.import_list(list_read(entities)).status == "unchanged"
    back = {e.source_id: e for e in store.iter_entities(streamed.id)}
    assert back["12344"] == entities[-1]
    # The scratch file of each import is gone once it is done.
    assert not [n for n in _files(tmp_path) if n.startswith("tradescreen-import-")]


def test_prepare_progress_counts_entities(store: SQLiteStore) -> None:
    seen: list[tuple[int, int | None]] = []
    written: list[tuple[int, int]] = []
    store.import_list(
        list_read(_stream(12_000)),
        prepare_progress=lambda done, total: seen.append((done, total)),
        progress=lambda done, total: written.append((done, total)),
    )
    assert seen[0] == (5000, None) and seen[-1] == (12_000, 12_000)
    assert written[-1] == (12_000, 12_000)


@pytest.mark.parametrize(
    "entities, message",
    [
        (lambda: _stream(9000, fail_at=7000), "line 7000"),
        (lambda: [*_stream(6000), entity("00003", "again")], "duplicate entity id '00003'"),
        (lambda: iter([]), "no entities"),
    ],
)
def test_refused_stream_changes_nothing(
    store: SQLiteStore, tmp_path: Path, entities, message: str
) -> None:
    old = store.import_list(list_read([entity("1", "ALPHA")])).snapshot
    before = _files(tmp_path)
    with pytest.raises(SourceError, match=message):
        store.import_list(list_read(entities()))
    assert [s.id for s in store.active_snapshots()] == [old.id]
    assert len(store.snapshots("test_list")) == 1
    rows = store.db.fetchone("SELECT COUNT(*) FROM snapshot_entities")[0]
    blobs = store.db.fetchone("SELECT COUNT(*) FROM entity_blobs")[0]
    assert (rows, blobs) == (1, 1)
    assert _files(tmp_path) == before  # no scratch file left behind


def test_unchanged_stream_writes_no_snapshot(store: SQLiteStore) -> None:
    first = store.import_list(list_read(_stream(6000))).snapshot
    again = store.import_list(list_read(_stream(6000)))
    assert again.status == "unchanged" and again.snapshot.id == first.id
    assert [s.id for s in store.snapshots("test_list")] == [first.id]
