"""bench/screening.py's pieces in --quick sizes on the real lists: structure only, no timings."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import screening  # noqa: E402

from tradescreen.config import Settings  # noqa: E402
from tradescreen.index.build import Index  # noqa: E402
from tradescreen.screen.party import Screener  # noqa: E402

N_RECALL, N_FP = 200, 400


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    path = tmp_path_factory.mktemp("screening") / "home"
    path.mkdir()
    rows = screening.import_lists(Settings(home=path), data_dir)
    assert len(rows) == len(screening.LISTS)
    assert all(r["entities"] > 0 for r in rows)
    return path


@pytest.fixture(scope="module")
def built(home: Path) -> tuple[Index, float, int]:
    return screening.build_index_cold(Settings(home=home))


@pytest.fixture(scope="module")
def index(built: tuple[Index, float, int]) -> Index:
    return built[0]


@pytest.fixture(scope="module")
def recall(index: Index) -> list[screening.RecallQuery]:
    return screening.make_recall_set(index, N_RECALL, seed=3)


@pytest.fixture(scope="module")
def fps(index: Index) -> list[screening.FPQuery]:
    return screening.make_fp_set(screening.listed_names(index), N_FP, seed=3)[0]


def test_index_built_from_every_list(built: tuple[Index, float, int]) -> None:
    index, seconds, size = built
    assert seconds > 0 and size > 0
    assert {r.source for r in index.records} >= {"us_ofac_sdn", "un_sc", "us_csl", "ca_sema",
                                                 "au_dfat"}


def test_recall_set(recall: list[screening.RecallQuery], index: Index) -> None:
    assert abs(len(recall) - N_RECALL) <= 5
    assert {q.category for q in recall} == set(screening.CATEGORIES)
    assert {q.source for q in recall} <= set(screening.RECALL_SOURCES)
    assert len({(q.source, q.source_id) for q in recall}) == len(recall)  # distinct entities
    ids = {(r.source, r.source_id) for r in index.records}
    for q in recall:
        assert (q.source, q.source_id) in ids
        assert screening.norm_name(q.query.name) != screening.norm_name(q.caption)
    persons = sum(q.query.schema == "Person" for q in recall)
    assert 0 < persons < len(recall)
    assert screening.make_recall_set(index, N_RECALL, seed=3) == recall  # seeded


def test_fp_names_are_not_listed(fps: list[screening.FPQuery], index: Index) -> None:
    assert abs(len(fps) - N_FP) <= 5
    listed = screening.listed_names(index)
    assert all(screening.norm_name(q.query.name) not in listed for q in fps)
    assert len({screening.norm_name(q.query.name) for q in fps}) == len(fps)
    assert {q.locale for q in fps} == set(screening.FAKER_LOCALES)
    assert {q.kind for q in fps} == {"person", "company"}
    # Native scripts, not only Latin.
    assert any(any(ord(c) > 0x3000 for c in q.query.name) for q in fps)


def test_metrics_in_unit_range(index: Index, recall: list[screening.RecallQuery],
                               fps: list[screening.FPQuery]) -> None:
    queries = [q.query for q in recall] + [q.query for q in fps]
    ts = screening.run_tradescreen(Screener(index), queries)
    anchor = screening.run_anchor(screening.Anchor(index.records), queries)
    k = len(recall)
    for res in (ts, anchor):
        assert len(res.hits) == len(res.latencies) == len(queries)
        assert all(len(h) <= screening.TOP_K for h in res.hits)
        rm = screening.recall_metrics(recall, res.hits[:k])
        assert rm["all"]["n"] == k
        for group in rm.values():
            assert 0.0 <= group["recall_match"] <= group["recall"] <= 1.0
        fm = screening.fp_metrics(fps, res.hits[k:])
        assert fm["all"]["n"] == len(fps)
        for group in fm.values():
            assert 0.0 <= group["match_rate"] <= 1.0 and 0.0 <= group["review_rate"] <= 1.0
            assert group["match_rate"] + group["review_rate"] <= 1.0
        stats = screening.latency_stats(res.latencies, res.wall)
        assert 0 < stats["p50_ms"] <= stats["p95_ms"] <= stats["p99_ms"] <= stats["max_ms"]
    # Recall counts real hits: some query finds its own entity.
    assert screening.recall_metrics(recall, ts.hits[:k])["all"]["recall"] > 0
    for row in screening.worst_fps(fps, ts.hits[k:]):
        assert row["decision"] in ("match", "review") and 0.0 <= row["score"] <= 1.0
    misses = screening.recall_misses(Screener(index), recall, ts.hits[:k])
    assert all(m["expected"] for m in misses)


def test_anchor_equals_token_sort_ratio(index: Index) -> None:
    from rapidfuzz import fuzz, utils

    anchor = screening.Anchor(index.records[:500])
    for query in ("Vladimir Putin", "ISLAMIC REVOLUTIONARY GUARD CORPS", "al-Qaida  Iraq"):
        prepared = anchor.prepare(query)
        for name, choice in list(zip(anchor.names, anchor.choices, strict=True))[:300]:
            expected = fuzz.token_sort_ratio(query, name, processor=utils.default_process)
            assert fuzz.ratio(prepared, choice) == pytest.approx(expected)


def test_screen_file_subprocess(home: Path, built: tuple[Index, float, int],
                                fps: list[screening.FPQuery], tmp_path: Path) -> None:
    rows = [(q.query.name, q.query.schema) for q in fps[:60]]
    result = screening.run_screen_file(home, rows, tmp_path, workers=2)
    assert result["output_rows"] == len(rows)
    assert result["rows_per_s_end_to_end"] > 0
