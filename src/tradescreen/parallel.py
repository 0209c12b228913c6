"""An ordered map over forked worker processes, for the per-item halves of large jobs (an index
build normalising names, an import decoding and serialising entities).

The first `serial` items run in-process: a small job never pays for starting workers. Past them,
chunks go to `workers` forked processes with a bounded number in flight, so memory stays flat
whatever the number of items, and results come back in the items' order.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from multiprocessing.pool import AsyncResult
from typing import Any, TypeVar

T = TypeVar("T")
SERIAL = 20_000  # items done in-process before any worker starts
CHUNK = 1_000  # items per task sent to a worker


def default_workers() -> int:
    """The machine's cores, up to four."""
    return max(1, min(4, os.cpu_count() or 1))


def _map_chunk(fn: Callable[[Any], T], chunk: list[Any]) -> list[T]:
    return [fn(item) for item in chunk]


def can_fork() -> bool:
    """Forked workers need no importable __main__, but a fork copies locks another thread
    may hold (a threaded caller, such as the API server's first load, works in-process), and
    a daemonic process (a pool or Dask worker) may not have children."""
    return threading.active_count() == 1 and not multiprocessing.current_process().daemon


def ordered_map(
    fn: Callable[[Any], T], items: Iterable[Any], workers: int | None = None,
    serial: int = SERIAL, chunk: int = CHUNK,
) -> Iterator[T]:
    """`fn(item)` for every item, in order. `fn` must be picklable (a module-level function or
    a partial of one); an exception it raises in a worker is raised here."""
    workers = default_workers() if workers is None else workers
    it = iter(items)
    head = list(islice(it, serial))
    for item in head:
        yield fn(item)
    if len(head) < serial or workers < 2 or not can_fork():
        for item in it:
            yield fn(item)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque[AsyncResult] = deque()
        while part := list(islice(it, chunk)):
            pending.append(pool.apply_async(_map_chunk, (fn, part)))
            if len(pending) > 2 * workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
