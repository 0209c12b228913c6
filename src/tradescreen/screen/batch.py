"""Screen many queries on all cores, results in input order.

Workers are forked after the index is loaded, so they share its memory copy-on-write and start
instantly; each keeps its own caches of normalised names. Workers return finished JSON lines, so
the parent only writes bytes and the serialisation runs in parallel too.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from tradescreen.match.entity import Query
from tradescreen.screen.inputs import Row
from tradescreen.screen.party import Screener, query_to_dict

_SCREENER: Screener | None = None
_LIMIT = 10


def screen_one(screener: Screener, query: Query, limit: int) -> dict[str, Any]:
    results = screener.screen(query, limit=limit)
    return {"query": query_to_dict(query), "results": [r.to_dict() for r in results]}


def _work(row: Row) -> bytes:
    assert _SCREENER is not None
    if row.query is None:
        data: dict[str, Any] = {"query": None, "error": row.error, "results": []}
    else:
        data = screen_one(_SCREENER, row.query, _LIMIT)
    data["row"] = row.number
    data["row_id"] = row.key
    data["warnings"] = list(row.warnings)
    return orjson.dumps(data) + b"\n"


def screen_lines(
    screener: Screener,
    rows: Iterable[Row],
    *,
    workers: int | None = None,
    limit: int = 10,
    chunksize: int = 128,
) -> Iterator[bytes]:
    """One JSON line per row, in input order: the screening, or the row's error (not screened);
    each line carries the row's number, its key (`row_id`, null without a key column) and the
    warnings about fields that were left out."""
    global _SCREENER, _LIMIT
    _SCREENER, _LIMIT = screener, limit
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or "fork" not in mp.get_all_start_methods():
        yield from map(_work, rows)
        return
    rows = iter(rows)
    head = list(itertools.islice(rows, _PEEK))
    _warm_shared_models(head)
    with mp.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_work, itertools.chain(head, rows), chunksize=chunksize)


_PEEK = 5_000


def _warm_shared_models(rows: list[Row]) -> None:
    """Load, before forking, the models a worker would otherwise load for itself on its first
    name in Japanese or Korean script (the name tagger: seconds and hundreds of MB each)."""
    from tradescreen.normalize.phonetic_scripts import needs_reading, warm

    if any(row.query is not None and needs_reading(row.query.name) for row in rows):
        warm()
