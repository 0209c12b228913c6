"""A build from the store decodes entities, normalises names and profiles listed parties in
worker processes: the same index files and the same profiles as the in-process path."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from tradescreen import parallel, sources
from tradescreen.config import Settings, load_settings
from tradescreen.index import cache
from tradescreen.index.build import INDEX_VERSION
from tradescreen.index.cache import _shared_values, iter_records, iter_stored, prepare_stored
from tradescreen.index.clusters import Collector
from tradescreen.index.mapped import MappedIndex
from tradescreen.index.write import CHUNK, Prepared, write_index
from tradescreen.store import StoreError, open_store

LISTS = ("ofac/sdn_2024-05-03", "un/consolidated.xml")
SERIAL = 3000


def test_stored_entities_prepared_by_workers_build_the_same_index(data_dir: Path,
                                                                  tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    with open_store(settings) as store:
        for rel in LISTS:
            store.import_list(sources.read(data_dir / rel))
        ids = sorted(s.id for s in store.active_snapshots())
        in_process = Collector()
        records = list(iter_records(store, ids, in_process))
        write_index(iter(records), tuple(ids), one, INDEX_VERSION, workers=1)
        profiles: list = []
        shared: dict = {}

        def observe(prepared: Prepared) -> None:
            profiles.append(_shared_values(prepared.extra, shared))

        write_index(iter_stored(store, ids), tuple(ids), two, INDEX_VERSION, workers=2,
                    serial=SERIAL, prepare=prepare_stored, observe=observe)
    assert len(records) > SERIAL + 5 * CHUNK  # several chunks went through the workers
    assert profiles == in_process.finish()
    assert [p.pos for p in profiles] == list(range(len(records)))
    assert sum(bool(p.names) for p in profiles) > 10_000
    # Repeating values are one object for all profiles (they stay in memory until linked).
    assert len({id(p.refs) for p in profiles if not p.refs}) == 1
    assert len({id(p.source) for p in profiles}) == len({p.source for p in profiles})
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir()) and len(names) > 15
    for name in names:
        if not name.startswith("records."):
            assert (one / name).read_bytes() == (two / name).read_bytes(), name
    assert list(MappedIndex(two).records) == records


def test_workers_reading_their_own_slices_build_the_same_index(
        data_dir: Path, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large build's workers read their slices of the store themselves (on this run's
    database: SQLite, or PostgreSQL in CI's second pass) and send whole batches: the same
    files as the reference path (the main process reads every row and sends it on)."""
    monkeypatch.setattr(cache, "SERIAL_RECORDS", SERIAL)  # "large": workers from the start
    with open_store(load_settings()) as store:
        for rel in LISTS:
            store.import_list(sources.read(data_dir / rel))
        ids = sorted(s.id for s in store.active_snapshots())
        records = list(iter_records(store, ids))
        slices = cache.iter_slices(store, ids, CHUNK)
        assert slices is not None and len(slices) > 10
        assert sum(s.part.rows for s in slices) == len(records)
        built = []
        # The reference; slices read by forked workers, the parties linked in a forked
        # process; the same where nothing can fork (a threaded caller: all in-process).
        for sliced, forks in ((False, True), (True, True), (True, False)):
            monkeypatch.setattr(cache, "SLICED", sliced)
            monkeypatch.setattr(parallel, "can_fork", lambda forks=forks: forks)
            folder = tmp_path / f"{sliced}-{forks}"
            built.append(cache.load_index(store, folder, ids).folder)
            assert [p.name for p in folder.iterdir()] == [built[-1].name]  # no temp left
    one = built[0]
    names = sorted(p.name for p in one.iterdir())
    assert "clusters.json" in names and "party.npy" in names
    for two in built[1:]:
        assert names == sorted(p.name for p in two.iterdir())
        for name in names:
            if not name.startswith("records."):
                assert (one / name).read_bytes() == (two / name).read_bytes(), name
        assert list(MappedIndex(two).records) == records
    assert list(MappedIndex(one).records) == records


def test_a_slice_whose_rows_changed_is_refused(data_dir: Path, home: Path) -> None:
    with open_store(load_settings()) as store:
        store.import_list(sources.read(data_dir / "un/consolidated.xml"))
        ids = sorted(s.id for s in store.active_snapshots())
        first = cache.iter_slices(store, ids, 100)[0]
        assert first.part.rows == 100
        wrong = first._replace(part=first.part._replace(rows=99))
        with pytest.raises(StoreError, match="changed while it was read"):
            cache.prepare_slice(wrong)
        batch = cache.prepare_slice(first)
        profiles = pickle.loads(batch.extras)
        assert len(batch.records) == len(profiles) == 100
        assert [p.pos for p in profiles] == list(range(100))
        cache.close_readers()
