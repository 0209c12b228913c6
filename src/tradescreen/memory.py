"""A forked worker's own memory: cheap to watch, given back when freed.

Workers forked from a warmed parent (API workers, screen-file and book workers) share the
parent's pages; what they hold privately is what they allocate (result caches, a query's
scratch objects) and the parent's pages they write to. Two things keep that small:

- `anon_mb`: the process's resident anonymous memory, from /proc/self/statm (microseconds, where
  smaps_rollup takes tens of milliseconds on a process mapping a large index); it grows only
  with new allocations, so its growth since a base says when the result caches are worth
  emptying (`screen.batch.clear_result_caches`).
- `release_freed`: glibc keeps the pages of freed small blocks inside its heap (a Chinese name
  that reaches 10^5 candidates leaves ~45 MB of such pages in a 1.5 M-entity worker);
  `malloc_trim(0)` hands the free pages back to the system (~10 ms).
- `in_side_arena`: a parent loads its large tables on another thread, so that their free
  holes are not where the workers' allocations land.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_freed() -> bool:
    """Return the free pages of the C heap to the system; False where there is no glibc."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)  # ctypes releases the GIL meanwhile: other threads keep running
    return True


def anon_mb() -> float | None:
    """Resident anonymous memory of this process in MB (None off Linux)."""
    try:
        fields = Path("/proc/self/statm").read_text().split()
    except OSError:
        return None
    return (int(fields[1]) - int(fields[2])) * _PAGE_MB


class Keeper:
    """Keeps a long-lived worker's private memory near where it started: when its anonymous
    memory has grown `budget_mb` past its base, `clear` (the result caches: pure functions'
    results, emptying them changes no answer) and a collection run and the freed pages go back;
    otherwise, after a busy spell, only the freed pages go back."""

    def __init__(self, budget_mb: float, clear: Callable[[], object]) -> None:
        self.budget_mb = budget_mb
        self.clear = clear
        self.base: float | None = None
        self.clears = 0

    def tick(self, busy: bool) -> None:
        now = anon_mb()
        if now is None:
            return
        if self.base is None:
            self.base = now
        elif now - self.base > self.budget_mb:
            self.clear()
            gc.collect()
            release_freed()
            self.clears += 1
            # What stays is not the caches' (a table loaded on first use): count from here.
            self.base = anon_mb() or now
        elif busy:
            release_freed()


def in_side_arena(fn: Callable[[], T]) -> T:
    """`fn()` run on a short-lived thread, for a parent that loads large tables before it
    forks workers. glibc gives each thread its own malloc arena: what a table's loading
    allocates and frees (rigour's tagger: ~270 MB, built in Rust with much churn) then leaves
    its free holes there, not in the main thread's heap, where the workers' own allocations
    (the requests, on the event loop's thread) would land in them and copy page after page.
    Measured at 1.5 M entities: a worker's private memory after 300 queries 107 -> 60 MB
    (Latin names) and 154 -> 49 MB (other scripts)."""
    box: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            box.append(fn())
        except BaseException as exc:  # handed to the caller's thread
            error.append(exc)

    thread = threading.Thread(target=run, name="load-tables")
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return box[0]


class Settler:
    """Freezes what a long-lived process has loaded once a full garbage collection has run
    during a unit of work (a query, an article), a few times in all.

    What the matcher and the normaliser load on first use (rigour's name tagger and stop
    words, transliteration tables, the caches) lives as long as the process; a full
    collection walks all of it again (80-180 ms at 1.5 M entities, landing inside one query:
    it set the p99). A freeze keeps what is alive then from ever being collected as a cycle,
    so it is done at most `limit` times."""

    def __init__(self, limit: int = 16) -> None:
        self.limit = limit
        self.freezes = 0

    @staticmethod
    def full_collections() -> int:
        return gc.get_stats()[2]["collections"]

    def settle(self, full_before: int, force: bool = False) -> bool:
        """After a unit of work that began at `full_before` full collections: freeze if one
        ran meanwhile (or `force`), while freezes are left. True when it froze."""
        if self.freezes >= self.limit or not (force or self.full_collections() != full_before):
            return False
        self.freezes += 1
        gc.freeze()
        return True
