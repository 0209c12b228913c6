"""Screen many queries on all cores, results in input order.

Workers are forked after the index is loaded, so they share its memory copy-on-write and start
instantly; each keeps its own caches of normalised names. Workers return finished JSON lines, so
the parent only writes bytes and the serialisation runs in parallel too.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from tradescreen.match.entity import Query
from tradescreen.screen.party import Screener, query_to_dict

_SCREENER: Screener | None = None
_LIMIT = 10


def screen_one(screener: Screener, query: Query, limit: int) -> dict[str, Any]:
    results = screener.screen(query, limit=limit)
    return {"query": query_to_dict(query), "results": [r.to_dict() for r in results]}


def _work(item: tuple[int, Query | Exception]) -> bytes:
    assert _SCREENER is not None
    row, query = item
    if isinstance(query, Exception):
        data: dict[str, Any] = {"query": None, "error": str(query), "results": []}
    else:
        data = screen_one(_SCREENER, query, _LIMIT)
    data["row"] = row
    return orjson.dumps(data) + b"\n"


def screen_lines(
    screener: Screener,
    items: Iterable[tuple[int, Query | Exception]],
    *,
    workers: int | None = None,
    limit: int = 10,
    chunksize: int = 128,
) -> Iterator[bytes]:
    """JSON lines for (row number, query or the row's input error), in input order."""
    global _SCREENER, _LIMIT
    _SCREENER, _LIMIT = screener, limit
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or "fork" not in mp.get_all_start_methods():
        yield from map(_work, items)
        return
    with mp.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_work, items, chunksize=chunksize)
