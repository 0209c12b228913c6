"""Screen book rows on all cores of this machine, alerts in row order.

Workers are forked after the index is prepared and the first chunk screened here, so they
share the index and the tables screening loads copy-on-write and start at once (as
`screen.batch` does for screen-file); each chunk comes back as a list of alerts.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections.abc import Sequence

from tradescreen.books.alerts import Alert, screen_row
from tradescreen.books.blocking import BookIndex
from tradescreen.match.entity import Query
from tradescreen.memory import in_side_arena, release_freed
from tradescreen.screen.party import Thresholds

Item = tuple[str, Query]  # (row_id, query)

_STATE: tuple[BookIndex, Thresholds] | None = None


def screen_items(bidx: BookIndex, items: Sequence[Item], thresholds: Thresholds) -> list[Alert]:
    """Alerts of every row, in this process (the pure loop both backends run)."""
    out: list[Alert] = []
    for row_id, query in items:
        out.extend(screen_row(bidx, row_id, query, thresholds))
    return out


def _work(items: Sequence[Item]) -> list[Alert]:
    assert _STATE is not None
    return screen_items(_STATE[0], items, _STATE[1])


def screen_parallel(
    bidx: BookIndex, items: Sequence[Item], thresholds: Thresholds, *,
    workers: int | None = None, chunksize: int = 256,
) -> list[Alert]:
    global _STATE
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(items) < 2 * chunksize or "fork" not in mp.get_all_start_methods():
        return screen_items(bidx, items, thresholds)
    _STATE = (bidx, thresholds)
    chunks = [items[i : i + chunksize] for i in range(0, len(items), chunksize)]
    first = _warm(bidx, items, chunks[0], thresholds)
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            return first + [a for part in pool.imap(_work, chunks[1:]) for a in part]
    finally:
        _STATE = None
        gc.unfreeze()  # this process lives on: its objects may be collected again


def _warm(bidx: BookIndex, items: Sequence[Item], chunk: Sequence[Item],
          thresholds: Thresholds) -> list[Alert]:
    """Screen the first chunk here, so the tables every row reads on first use (and rigour's
    name tagger, on another thread, when a name needs it) are loaded once and shared by the
    workers instead of copied into each; then give freed pages back and freeze the objects
    (no worker's collector writes to their pages)."""
    from tradescreen.normalize.phonetic_scripts import needs_reading, warm

    if any(needs_reading(query.name) for _row, query in items):
        in_side_arena(warm)
    first = screen_items(bidx, chunk, thresholds)
    gc.collect()
    release_freed()
    gc.freeze()
    return first
