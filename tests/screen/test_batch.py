"""screen-file's batch: each distinct query screened once, workers forked after a warm-up,
caches kept under a budget; the lines are byte for byte those of screening row by row."""

from __future__ import annotations

import random

import orjson
import pytest

from tradescreen import sources
from tradescreen.index.build import build_index
from tradescreen.index.records import to_record
from tradescreen.match.entity import Query
from tradescreen.screen import batch
from tradescreen.screen.inputs import Row
from tradescreen.screen.party import Screener


@pytest.fixture(scope="module")
def screener(data_dir):
    read = sources.read(data_dir / "ofac" / "sdn_2024-05-03")
    records = [to_record(e, "sdn-test") for e in read.entities]
    return Screener(build_index(records, ("sdn-test",)))


@pytest.fixture(scope="module")
def rows(screener) -> list[Row]:
    """Listed names, ordinary names, repeats (the same customer on many rows), rows with an
    error and rows with warnings, shuffled."""
    rng = random.Random(4)
    picked = rng.sample(list(screener.index.records), 40)
    queries = [Query(r.names[0][0], r.schema) for r in picked]
    queries += [Query(n, "Company") for n in ("Acme Trading GmbH", "Blue Harbour Shipping Ltd")]
    queries += [Query("Ali Reza Hosseini", "Person", birth_date="1970-05-01",
                      countries=("ir",))]
    items: list[tuple[Query | None, str | None, tuple[str, ...]]] = [
        (q, None, ()) for q in queries]
    items += [(rng.choice(queries), None, ()) for _ in range(40)]  # repeats
    items += [(None, "no name to screen", ()), (None, "a field too long to be a name", ())]
    items += [(queries[0], None, ("country 'Atlantis' left out",))]
    rng.shuffle(items)
    return [Row(i + 2, f"k{i}" if i % 3 else None, q, err, warn)
            for i, (q, err, warn) in enumerate(items)]


def _one_by_one(screener: Screener, rows: list[Row], limit: int) -> list[bytes]:
    """The lines as screen-file wrote them before: one dict per row, dumped whole."""
    out = []
    for row in rows:
        if row.query is None:
            data = {"query": None, "error": row.error, "results": []}
        else:
            data = batch.screen_one(screener, row.query, limit)
        data["row"] = row.number
        data["row_id"] = row.key
        data["warnings"] = list(row.warnings)
        out.append(orjson.dumps(data) + b"\n")
    return out


@pytest.mark.parametrize("workers", [1, 2])
def test_lines_are_those_of_screening_each_row(screener, rows, workers) -> None:
    expected = _one_by_one(screener, rows, 5)
    got = list(batch.screen_lines(screener, rows, workers=workers, limit=5))
    assert got == expected
    assert len({r.query for r in rows}) < len(rows)  # repeats were there to share
    assert any(b'"decision":"match"' in line for line in got)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_file_is_read_a_block_at_a_time(screener, rows, workers, monkeypatch) -> None:
    """Blocks smaller than the file (repeats then shared only inside a block) give the same
    lines, in order."""
    expected = _one_by_one(screener, rows, 5)
    monkeypatch.setattr(batch, "BLOCK", 7)
    assert list(batch.screen_lines(screener, iter(rows), workers=workers, limit=5)) == expected


def test_repeated_queries_are_screened_once(screener, rows, monkeypatch) -> None:
    screened: list[Query] = []
    real = batch.screen_one

    def counting(s, query, limit):
        screened.append(query)
        return real(s, query, limit)

    monkeypatch.setattr(batch, "screen_one", counting)
    lines = list(batch.screen_lines(screener, rows, workers=1, limit=5))
    assert len(lines) == len(rows)
    assert len(screened) == len({r.query for r in rows if r.query is not None})


def test_emptied_caches_change_no_answer(screener, rows) -> None:
    before = _one_by_one(screener, rows, 10)
    assert batch.clear_result_caches() >= 3  # the name forms and token comparisons at least
    assert _one_by_one(screener, rows, 10) == before


def test_budget_empties_the_caches_when_memory_grows(monkeypatch) -> None:
    cleared: list[int] = []
    sizes = iter([100, 150, 300, 120])
    monkeypatch.setattr(batch, "private_mb", lambda: next(sizes))
    monkeypatch.setattr(batch, "clear_result_caches", lambda: cleared.append(1) or 1)
    monkeypatch.setattr(batch, "CACHE_BUDGET_MB", 96)
    budget = batch._Budget()
    for _ in range(3 * batch._CHECK_EVERY):
        budget.tick()
    # first look sets the base (100); +50 is within the budget; +200 is not: emptied, and
    # the budget counts from what is left after emptying (120)
    assert cleared == [1]
    assert budget.base == 120


def test_budget_counts_from_a_table_loaded_after_the_first_look(monkeypatch) -> None:
    """A table loaded on first use after the first look (rigour's tagger, the party clusters:
    hundreds of MB that emptying the caches does not free) must not empty them at every look
    after: the budget counts from what is left once they are emptied."""
    cleared: list[int] = []
    sizes = iter([100, 500, 490, 500, 510, 520, 530])
    monkeypatch.setattr(batch, "private_mb", lambda: next(sizes))
    monkeypatch.setattr(batch, "clear_result_caches", lambda: cleared.append(1) or 1)
    monkeypatch.setattr(batch, "CACHE_BUDGET_MB", 64)
    budget = batch._Budget()
    for _ in range(6 * batch._CHECK_EVERY):
        budget.tick()
    assert cleared == [1]
    assert budget.base == 490
