from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tradescreen.sources.base import SourceError
from tradescreen.store import SQLiteStore, StoreError
from tradescreen.store.migrations import MIGRATIONS

from .helpers import FixedClock, entity, list_read


@pytest.fixture()
def store(tmp_path: Path):
    with SQLiteStore(tmp_path / "ts.db", clock=FixedClock()) as s:
        yield s


def test_migrations_recorded_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "ts.db"
    SQLiteStore(path).close()
    SQLiteStore(path).close()  # re-opening applies nothing twice
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM schema_version ORDER BY version")]
    assert names == [name for name, _ in MIGRATIONS]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ts.db"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, '0099_future', 'later')")
    with pytest.raises(StoreError, match="newer"):
        SQLiteStore(path)


def test_import_then_read_back(store: SQLiteStore) -> None:
    ents = [entity("1", "ALPHA TRADING"), entity("2", "BETA LLC")]
    result = store.import_list(list_read(ents))
    assert result.status == "imported"
    snap = result.snapshot
    assert snap.id.startswith("test_list-20240503-")
    assert snap.active and snap.entity_count == 2 and snap.files == {"list.csv": "0" * 64}
    assert [s.id for s in store.active_snapshots()] == [snap.id]
    assert list(store.iter_entities(snap.id)) == ents
    assert store.entity(snap.id, "2") == ents[1]
    assert store.entity(snap.id, "3") is None


def test_reimport_identical_is_noop(store: SQLiteStore) -> None:
    first = store.import_list(list_read([entity("1", "ALPHA"), entity("2", "BETA")]))
    # Same content in another order, another file hash: still the same list.
    again = list_read([entity("2", "BETA"), entity("1", "ALPHA")])
    again.files = {"list.csv": "f" * 64}
    second = store.import_list(again)
    assert second.status == "unchanged"
    assert second.snapshot.id == first.snapshot.id
    assert len(store.snapshots("test_list")) == 1


def test_new_content_flips_active_and_dedupes_blobs(store: SQLiteStore) -> None:
    old = store.import_list(list_read([entity("1", "ALPHA"), entity("2", "BETA")])).snapshot
    res = store.import_list(
        list_read([entity("1", "ALPHA"), entity("3", "GAMMA")], published="2024-06-01")
    )
    assert res.status == "imported" and res.replaced == old.id
    history = store.snapshots("test_list")
    assert [s.id for s in history] == [old.id, res.snapshot.id]
    assert [s.active for s in history] == [False, True]
    # "ALPHA" is stored once though it is in both snapshots.
    count = store._conn.execute("SELECT COUNT(*) FROM entity_blobs").fetchone()[0]
    assert count == 3


def test_reimport_of_older_content_gets_new_snapshot(store: SQLiteStore) -> None:
    a = list_read([entity("1", "ALPHA")])
    b = list_read([entity("1", "ALPHA", program="IRAN")])
    first = store.import_list(a).snapshot
    store.import_list(b)
    back = store.import_list(list_read([entity("1", "ALPHA")]))
    assert back.status == "imported"
    assert back.snapshot.id != first.id
    assert back.snapshot.content_hash == first.content_hash
    assert store.active_snapshot("test_list").id == back.snapshot.id


def test_sources_are_independent(store: SQLiteStore) -> None:
    store.import_list(list_read([entity("1", "ALPHA")]))
    store.import_list(list_read([entity("9", "ZED", source="other")], source="other"))
    assert [s.source for s in store.active_snapshots()] == ["other", "test_list"]


def test_diff_added_removed_changed(store: SQLiteStore) -> None:
    old = store.import_list(
        list_read([entity("1", "ALPHA"), entity("2", "BETA"), entity("10", "TEN")])
    ).snapshot
    new = store.import_list(
        list_read([entity("1", "ALPHA"), entity("2", "BETA", program="IRAN"), entity("3", "C")])
    ).snapshot
    d = store.diff(old.id, new.id)
    assert [(i.source_id, i.caption) for i in d.added] == [("3", "C")]
    assert [(i.source_id, i.caption) for i in d.removed] == [("10", "TEN")]
    assert [i.source_id for i in d.changed] == ["2"]
    assert d.to_dict()["added"] == [{"source_id": "3", "caption": "C", "schema": "Organization"}]


def test_diff_refuses_unknown_and_cross_source(store: SQLiteStore) -> None:
    a = store.import_list(list_read([entity("1", "ALPHA")])).snapshot
    b = store.import_list(list_read([entity("9", "Z", source="other")], source="other")).snapshot
    with pytest.raises(StoreError, match="no snapshot"):
        store.diff(a.id, "nope")
    with pytest.raises(StoreError, match="different lists"):
        store.diff(a.id, b.id)
    with pytest.raises(StoreError):
        store.iter_entities("nope")


def test_refused_lists_write_nothing(store: SQLiteStore) -> None:
    store.import_list(list_read([entity("1", "ALPHA")]))
    with pytest.raises(SourceError, match="duplicate"):
        store.import_list(list_read([entity("2", "B"), entity("2", "B2")]))
    with pytest.raises(SourceError, match="belongs to"):
        store.import_list(list_read([entity("2", "B", source="elsewhere")]))
    with pytest.raises(SourceError, match="no entities"):
        store.import_list(list_read([]))
    assert len(store.snapshots("test_list")) == 1


def test_failure_mid_write_rolls_back(store: SQLiteStore) -> None:
    old = store.import_list(list_read([entity("1", "ALPHA")])).snapshot
    big = list_read([entity(str(i), f"N{i}") for i in range(3000)])

    def explode(done: int, total: int) -> None:
        if done >= 2000:
            raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        store.import_list(big, progress=explode)
    assert [s.id for s in store.active_snapshots()] == [old.id]
    assert len(store.snapshots("test_list")) == 1
    assert store.integrity_check() == "ok"


def test_reader_sees_old_or_new_never_mix(tmp_path: Path) -> None:
    path = tmp_path / "ts.db"
    with SQLiteStore(path) as writer:
        old = writer.import_list(list_read([entity(str(i), f"OLD{i}") for i in range(50)]))
        reader = SQLiteStore(path)
        seen: list[int] = []

        def peek(done: int, total: int) -> None:
            # Mid-transaction, another connection still sees exactly the old snapshot.
            active = reader.active_snapshots()
            assert [s.id for s in active] == [old.snapshot.id]
            seen.append(sum(1 for _ in reader.iter_entities(active[0].id)))

        writer.import_list(
            list_read([entity(str(i), f"NEW{i}") for i in range(2500)]), progress=peek
        )
        assert seen and set(seen) == {50}
        assert reader.active_snapshots()[0].entity_count == 2500
        reader.close()


def test_iterating_15k_entities_round_trips(store: SQLiteStore) -> None:
    # Speed lives in bench/import_lists.py; here only that every entity comes back intact.
    entities = [entity(str(i), f"COMPANY NUMBER {i}") for i in range(15000)]
    snap = store.import_list(list_read(entities)).snapshot
    back = {e.source_id: e for e in store.iter_entities(snap.id)}
    assert len(back) == 15000
    assert back["14999"] == entities[-1]
