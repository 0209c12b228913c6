"""Screen many queries on all cores, results in input order.

Workers are forked after the index is loaded, so they share its memory copy-on-write and start
instantly; each worker keeps its own caches of normalised names.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterable, Iterator
from typing import Any

from tradescreen.match.entity import Query
from tradescreen.screen.party import Screener, query_to_dict

_SCREENER: Screener | None = None
_LIMIT = 10


def screen_one(screener: Screener, query: Query, limit: int) -> dict[str, Any]:
    results = screener.screen(query, limit=limit)
    return {"query": query_to_dict(query), "results": [r.to_dict() for r in results]}


def _work(query: Query | Exception) -> dict[str, Any]:
    assert _SCREENER is not None
    if isinstance(query, Exception):
        return {"query": None, "error": str(query), "results": []}
    return screen_one(_SCREENER, query, _LIMIT)


def screen_many(
    screener: Screener,
    queries: Iterable[Query | Exception],
    *,
    workers: int | None = None,
    limit: int = 10,
    chunksize: int = 64,
) -> Iterator[dict[str, Any]]:
    global _SCREENER, _LIMIT
    _SCREENER, _LIMIT = screener, limit
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or "fork" not in mp.get_all_start_methods():
        yield from map(_work, queries)
        return
    with mp.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_work, queries, chunksize=chunksize)
