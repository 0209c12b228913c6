"""Screen many queries on all cores, results in input order.

Workers are forked after the index is opened and after one query has run in the parent, so the
tables every screening reads (vocabularies, the name model, rigour's tagger when the file needs
it) are loaded once and shared copy-on-write instead of rebuilt privately in every worker.
A query that repeats in a file (the same customer on many invoices) is screened once per block
of `BLOCK` rows read ahead: its lines differ only in their row fields. Workers return finished
JSON, so the parent only writes bytes and the serialisation runs in parallel too; each worker
keeps its caches of normalised names and token comparisons under a memory budget
(`CACHE_BUDGET_MB`).
"""

from __future__ import annotations

import functools
import gc
import itertools
import multiprocessing as mp
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from tradescreen.match.entity import Query
from tradescreen.memory import in_side_arena, release_freed
from tradescreen.screen.inputs import Row
from tradescreen.screen.party import Screener, query_to_dict

_SCREENER: Screener | None = None
_LIMIT = 10
# Private memory (MB) a worker's result caches may grow to before they are emptied: the token
# comparison caches alone hold up to 10^6 entries each, several hundred MB per worker on a
# long file, all of it private. Emptying them changes no answer (they cache pure functions).
CACHE_BUDGET_MB = 64
_CHECK_EVERY = 64  # rows between two looks at the worker's memory


def screen_one(screener: Screener, query: Query, limit: int) -> dict[str, Any]:
    results = screener.screen(query, limit=limit)
    return {"query": query_to_dict(query), "results": [r.to_dict() for r in results]}


def _screened(query: Query) -> bytes:
    """`{"query": ..., "results": [...]}` of one query, without the closing brace: the row's
    own fields follow it (`_line`)."""
    assert _SCREENER is not None
    _budget.tick()
    return orjson.dumps(screen_one(_SCREENER, query, _LIMIT))[:-1]


def _tail(row: Row) -> bytes:
    return orjson.dumps({"row": row.number, "row_id": row.key,
                         "warnings": list(row.warnings)})[1:]


def _line(row: Row, body: bytes | None) -> bytes:
    """The row's JSON line: the same bytes as dumping the whole dict at once."""
    if row.query is None:
        data: dict[str, Any] = {"query": None, "error": row.error, "results": [],
                                "row": row.number, "row_id": row.key,
                                "warnings": list(row.warnings)}
        return orjson.dumps(data) + b"\n"
    assert body is not None
    return body + b"," + _tail(row) + b"\n"


def screen_lines(
    screener: Screener,
    rows: Iterable[Row],
    *,
    workers: int | None = None,
    limit: int = 10,
    chunksize: int = 64,
) -> Iterator[bytes]:
    """One JSON line per row, in input order: the screening, or the row's error (not screened);
    each line carries the row's number, its key (`row_id`, null without a key column) and the
    warnings about fields that were left out."""
    global _SCREENER, _LIMIT
    _SCREENER, _LIMIT = screener, limit
    workers = workers or os.cpu_count() or 1
    blocks = _blocks(rows)
    first = next(blocks, None)
    if first is None:
        return
    if workers <= 1 or len(first[1]) < 2 or "fork" not in mp.get_all_start_methods():
        if len(first[1]) >= _WARM_ALONE:
            # One process: the tables are loaded up front all the same, and frozen, so that
            # the garbage collector does not walk them again and again.
            warm_before_fork(screener, first[1][:_PEEK])
        try:
            for block in itertools.chain((first,), blocks):
                yield from _emit(*block, map(_screened, block[1]))
        finally:
            gc.unfreeze()
        return
    warm_before_fork(screener, first[1][:_PEEK])
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            for block in itertools.chain((first,), blocks):
                yield from _emit(*block, pool.imap(_screened, block[1], chunksize=chunksize))
    finally:
        gc.unfreeze()  # the parent's own objects are collectable again once workers are gone


# Rows read ahead and screened as one block: repeats inside a block are screened once, and a
# file of any length is held in memory a block at a time.
BLOCK = 20_000
Block = tuple[list[Row], list[Query], list[int]]


def _blocks(rows: Iterable[Row]) -> Iterator[Block]:
    """Blocks of rows with their distinct queries (in order of first appearance) and, per row,
    the index of its query (-1: a row with an error, not screened)."""
    it = iter(rows)
    while block := list(itertools.islice(it, BLOCK)):
        distinct: dict[Query, int] = {}
        which = [-1 if row.query is None else distinct.setdefault(row.query, len(distinct))
                 for row in block]
        yield block, list(distinct), which


def _emit(rows: list[Row], queries: list[Query], which: list[int],
          bodies: Iterator[bytes]) -> Iterator[bytes]:
    """Rows' lines in order, each distinct query's result kept until its last row."""
    last_use = {u: i for i, u in enumerate(which) if u >= 0}
    ready: dict[int, bytes] = {}
    done = 0
    for i, (row, u) in enumerate(zip(rows, which, strict=True)):
        if u < 0:
            yield _line(row, None)
            continue
        while done <= u:
            ready[done] = next(bodies)
            done += 1
        body = ready[u] if last_use[u] > i else ready.pop(u)
        yield _line(row, body)


_PEEK = 5_000
_WARM_ALONE = 200  # distinct queries from which one process loads and freezes its tables first


def warm_before_fork(screener: Screener, queries: list[Query]) -> None:
    """Load in the parent what every worker would otherwise load for itself: the tables a
    screening reads on first use (one query of each kind screened here), rigour's name tagger
    when a name in Japanese or Korean script needs it (seconds and hundreds of MB, loaded on
    another thread: `memory.in_side_arena`), where the listed parties' clusters start, then
    give the freed heap pages back and freeze the parent's objects so that no worker's
    garbage collector writes to their pages (nor walks them again and again)."""
    from tradescreen.normalize.phonetic_scripts import needs_reading, warm

    if any(needs_reading(q.name) for q in queries):
        in_side_arena(warm)
    parties = getattr(screener.index, "parties", None)
    if parties is not None:
        next(iter(parties), None)  # the listed parties' clusters, read on a party's first hit
    seen: set[str] = set()
    for query in queries:
        if query.schema not in seen:
            seen.add(query.schema)
            screener.screen(query, limit=_LIMIT)
    gc.collect()
    release_freed()
    gc.freeze()


class _Budget:
    """Keeps a worker's bounded result caches (functools LRU caches of tradescreen modules)
    under `CACHE_BUDGET_MB` of private memory grown since its first row."""

    def __init__(self) -> None:
        self.rows = 0
        self.base: int | None = None

    def tick(self) -> None:
        self.rows += 1
        if self.rows % _CHECK_EVERY:
            return
        private = private_mb()
        if private is None:
            return
        if self.base is None:
            self.base = private
        elif private - self.base > CACHE_BUDGET_MB:
            clear_result_caches()
            gc.collect()
            release_freed()
            # What stays after the caches are emptied is not theirs (a table loaded on first
            # use: a tagger, the party clusters): the budget counts from there, else every
            # later look would empty the caches again.
            self.base = private_mb() or self.base


_budget = _Budget()


def private_mb() -> int | None:
    """This process's private dirty memory in MB (copied-on-write and its own allocations)."""
    try:
        text = Path("/proc/self/smaps_rollup").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("Private_Dirty:"):
            return int(line.split()[1]) // 1024
    return None


def clear_result_caches() -> int:
    """Empty the bounded LRU caches of tradescreen's modules (pure functions' results); the
    unbounded ones hold loaded tables, shared with the parent, and stay. Returns how many."""
    cleared = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith("tradescreen.") or module is None:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, functools._lru_cache_wrapper) and value.cache_parameters().get(
                "maxsize"
            ):
                value.cache_clear()
                cleared += 1
    return cleared
