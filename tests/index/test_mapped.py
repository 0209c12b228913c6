"""The file index answers exactly as the in-memory index built from the same real lists."""

from __future__ import annotations

import multiprocessing
import pickle
import sys
from collections import Counter
from pathlib import Path

import pytest

from tradescreen import sources
from tradescreen.api.listing import Filters, filter_records, list_all
from tradescreen.books.blocking import pair_candidates, prepare
from tradescreen.books.rescreen import book_index
from tradescreen.config import Settings
from tradescreen.ftm import ftm_id
from tradescreen.index.build import INDEX_VERSION, build_index
from tradescreen.index.cache import build_into, index_path, load_index
from tradescreen.index.lookup import candidates, common_bound, query_parts
from tradescreen.index.mapped import IndexFormatError, MappedIndex
from tradescreen.index.records import to_record
from tradescreen.index.write import CHUNK, write_index
from tradescreen.match.entity import Query
from tradescreen.normalize.names import name_form
from tradescreen.screen.party import Screener
from tradescreen.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import screening  # noqa: E402

LISTS = ("ofac/sdn_2024-05-03", "un/consolidated.xml")
ORDINARY = (
    "John Smith", "Maria Garcia", "Mohammed Ali", "Wang Wei", "Ivan Petrov", "Bank Melli",
    "Rosneft", "Global Trading LLC", "Kim Jong", "Ahmad Hassan", "Smith", "Al", "",
    "Islamic Revolutionary Guard Corps", "Хасан Ахмед", "محمد علي", "李明",
)


@pytest.fixture(scope="module")
def records(data_dir: Path):
    out = []
    for rel in LISTS:
        read = sources.read(data_dir / rel)
        out += [to_record(e, f"snap-{rel.split('/')[0]}") for e in read.entities]
    return out


@pytest.fixture(scope="module")
def pair(records, tmp_path_factory):
    memory = build_index(records, ("a", "b"))
    folder = tmp_path_factory.mktemp("idx")
    path = folder / "index-test"
    build_into(folder, path, iter(records), ("a", "b"))
    return memory, MappedIndex(path, INDEX_VERSION)


@pytest.fixture(scope="module")
def queries(pair) -> list[Query]:
    memory, _ = pair
    recall = [q.query for q in screening.make_recall_set(memory, 200, seed=11)]
    faker = [q.query for q in screening.make_fp_set(screening.listed_names(memory), 150,
                                                    seed=11)[0]]
    ordinary = [Query(n, s) for n in ORDINARY for s in ("Person", "Company")]
    ids = [Query("", "Vessel", identifiers=("IMO 9187655",)),
           Query("Some Ship", "Vessel", identifiers=("imo:9187655", "nonsense"))]
    assert len(recall) > 150 and len(faker) > 100
    return recall + faker + ordinary + ids


def test_same_shape(pair) -> None:
    memory, mapped = pair
    assert mapped.name_count == memory.name_count
    assert len(mapped.records) == len(memory.records)
    assert len(mapped.key_slot) == len(memory.key_slot)
    assert list(mapped.records) == memory.records
    assert mapped.forms[5] == memory.forms[5] and mapped.forms[-1] == memory.forms[-1]
    for key in ("t:ali", "k:MHMT", "t:nonexistentkey", "t:"):
        a, b = memory.postings(key), mapped.postings(key)
        assert (a is None) == (b is None)
        if a is not None:
            assert a.tolist() == b.tolist()
    for variant in ("mohamad", "hasan", "xqzv"):
        assert sorted(memory.delete_map.get(variant, ())) == sorted(
            mapped.delete_map.get(variant, ()))


def test_same_screening_results(pair, queries) -> None:
    memory, mapped = pair
    old, new = Screener(memory), Screener(mapped)
    hits = 0
    for q in queries:
        form = name_form(q.name, q.schema)
        assert candidates(memory, form, q.identifiers) == candidates(mapped, form, q.identifiers)
        a = [r.to_dict() for r in old.screen(q)]
        b = [r.to_dict() for r in new.screen(q)]
        assert a == b, q
        hits += bool(a)
    assert hits > len(queries) // 2  # the comparison is not between two empty lists


def test_common_keys_read_last_give_the_same_candidates(pair, queries) -> None:
    """Gathering names through rare keys and only testing the common ones on them (the cut for
    collections where one key reaches 100,000 names) finds exactly the candidates, shares and
    order of reading every key. On these lists the cut is forced down to 30 postings."""
    _, mapped = pair
    rare_path = 0
    for q in queries:
        form = name_form(q.name, q.schema)
        full = candidates(mapped, form, q.identifiers, common_postings=10**9)
        cut = candidates(mapped, form, q.identifiers, common_postings=30, common_fraction=0.0)
        assert cut == full, q
        if form.tokens:
            parts, total = query_parts(mapped, form)
            rare_path += 0 < common_bound(parts, 30) < 0.3 * total
    assert rare_path > 20  # the comparison exercised the cut, not only the fallback


def test_same_book_candidates(pair, queries) -> None:
    memory, mapped = pair
    a, b = prepare(memory), prepare(mapped)
    for q in queries[::3]:
        form = name_form(q.name, q.schema)
        assert pair_candidates(a, form, q.identifiers) == pair_candidates(b, form, q.identifiers)


def test_pickles_as_its_folder(pair, queries) -> None:
    _, mapped = pair
    blob = pickle.dumps(mapped)
    assert len(blob) < 2000  # the path, not the arrays
    again = pickle.loads(blob)
    for q in queries[:40]:
        assert [r.to_dict() for r in Screener(again).screen(q)] == [
            r.to_dict() for r in Screener(mapped).screen(q)]


def test_worker_processes_write_the_same_files(records, tmp_path: Path) -> None:
    """A large build normalises names in worker processes: the same index. Record blobs may
    differ in pickle's sharing of equal strings, so records compare decoded; every other file
    compares byte for byte."""
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    write_index(iter(records), ("a", "b"), one, INDEX_VERSION, workers=1)
    write_index(iter(records), ("a", "b"), two, INDEX_VERSION, workers=2, serial=3000)
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir()) and len(names) > 15
    assert len(records) > 3000 + 5 * CHUNK  # several chunks went through the workers
    for name in names:
        if not name.startswith("records."):
            assert (one / name).read_bytes() == (two / name).read_bytes(), name
    a, b = MappedIndex(one), MappedIndex(two)
    assert list(a.records) == list(b.records) == records
    assert list(a.forms) == list(b.forms)


def _build_in(folder: Path, records: list) -> None:
    write_index(iter(records), ("a",), folder, INDEX_VERSION, workers=2, serial=100)


def test_a_daemonic_process_builds_in_process(records, tmp_path: Path) -> None:
    """A pool or Dask worker (daemonic) may not start worker processes of its own: its build
    runs in-process instead of failing."""
    proc = multiprocessing.get_context("fork").Process(
        target=_build_in, args=(tmp_path, records[:3000]), daemon=True)
    proc.start()
    proc.join(600)
    assert proc.exitcode == 0
    assert len(MappedIndex(tmp_path).records) == 3000


def test_crash_mid_build_leaves_no_index(records, tmp_path: Path) -> None:
    def dying():
        yield from records[:100]
        raise KeyboardInterrupt

    path = tmp_path / "index-x"
    with pytest.raises(KeyboardInterrupt):
        build_into(tmp_path, path, dying(), ("a",))
    assert not path.exists()
    assert not list(tmp_path.glob(".building-*"))  # the temp folder went too


def test_other_version_is_refused_and_rebuilt(tmp_path: Path, data_dir: Path) -> None:
    settings = Settings(home=tmp_path)
    with open_store(settings) as store:
        store.import_list(sources.read(data_dir / "un" / "consolidated.xml"))
        first = load_index(store, settings.index_dir)
        path = first.folder
        with pytest.raises(IndexFormatError):
            MappedIndex(path, INDEX_VERSION + 1)
        meta = path / "meta.json"
        meta.write_text(meta.read_text().replace(f'"version": {INDEX_VERSION}', '"version": 1'))
        again = load_index(store, settings.index_dir)
        assert again.version == INDEX_VERSION and again.folder == path
        assert len(again.records) == len(first.records)
        assert path == index_path(settings.index_dir, list(first.snapshots))


def test_book_index_ships_as_paths(tmp_path: Path, data_dir: Path) -> None:
    settings = Settings(home=tmp_path)
    with open_store(settings) as store:
        store.import_list(sources.read(data_dir / "un" / "consolidated.xml"))
        ids = [s.id for s in store.active_snapshots()]
        bidx = book_index(store, settings.index_dir, ids)
        again = book_index(store, settings.index_dir, ids)  # the weights file is reused
    assert bidx.weights_file is not None and bidx.weights_file.parent == bidx.index.folder
    assert again.weights_file == bidx.weights_file
    blob = pickle.dumps(bidx)
    assert len(blob) < 4000  # what a Dask scatter sends: two paths, not the arrays
    shipped = pickle.loads(blob)
    assert shipped.fuzzy_weight.tolist() == bidx.fuzzy_weight.tolist()
    for name in ("Eric Badege", "Al-Qaida", "Taliban", "Mohammed Omar"):
        form = name_form(name, "LegalEntity")
        assert pair_candidates(shipped, form) == pair_candidates(bidx, form)


def test_ids_map_to_the_record_the_api_serves(pair) -> None:
    """`record_position` (a file written at build) answers as the dict the API built before."""
    memory, mapped = pair
    table: dict[str, int] = {}
    for pos, rec in enumerate(memory.records):
        table[ftm_id(rec.source, rec.source_id)] = pos
        table[rec.id] = pos
    for key in list(table)[::37]:
        assert mapped.record_position(key) == table[key], key
    assert mapped.record_position("no-such-entity") is None
    assert mapped.record_position("") is None


def test_listing_from_columns_is_the_record_walk(pair) -> None:
    """/search without a query: numpy over the record columns, decoding only the page, gives
    the total, page and facets of filtering every decoded record."""
    memory, mapped = pair
    sources_seen = sorted({r.source for r in memory.records})
    countries = Counter(c for r in memory.records for c in r.countries)
    assert len(sources_seen) >= 2 and len(countries) > 20
    top = countries.most_common(1)[0][0]
    none = frozenset()
    cases = [
        Filters(None, none, None, none, none, none, none),
        Filters(frozenset(sources_seen[:1]), none, None, none, none, none, none),
        Filters(None, frozenset(sources_seen[:1]), frozenset({"Person"}), none, none, none, none),
        Filters(None, none, frozenset({"LegalEntity", "Person", "Company", "Organization"}),
                frozenset({"Person"}), frozenset({top, "zz"}), frozenset({"sanction"}), none),
        Filters(None, none, None, none, none, frozenset({"crime"}), none),
        Filters(None, none, None, frozenset({"Airplane"}), none, none,
                frozenset(sources_seen[-1:])),
    ]
    for filters in cases:
        for offset, limit in ((0, 10), (25, 7), (10**6, 10)):
            walk = filter_records(memory.records, filters, offset, limit)
            cols = list_all(mapped, filters, offset, limit)
            assert cols.total == walk.total, filters
            assert [r.id for r in cols.page] == [r.id for r in walk.page]
            assert cols.facets == walk.facets
    assert list_all(mapped, cases[0], 0, 5).total == len(memory.records)
