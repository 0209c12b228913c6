"""Helpers shared by the bench scripts: data dir, output dir, timing, memory, tables.

Bench scripts run from a checkout (`python bench/names.py`), not as an installed package, so they
import this module by path: `sys.path` gets `bench/` automatically when a script in it is run.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
# bench/out/ is git-ignored: generated pairs and error dumps never get committed.
OUT = BENCH / "out"


def shared_data_dir() -> Path:
    """The shared read-only data: $TRADESCREEN_SHARED_DATA, else <repo>/../shared/data.

    Same rule as tests/conftest.py, so a bench run and the tests always read the same files.
    """
    env = os.environ.get("TRADESCREEN_SHARED_DATA")
    path = Path(env) if env else REPO.parent / "shared" / "data"
    if not path.is_dir():
        raise SystemExit(f"shared data not found at {path}; set TRADESCREEN_SHARED_DATA")
    return path


def out_dir() -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    return OUT


def rel(path: Path) -> str:
    """Path for printing: relative to the repo when possible, so logs carry no machine paths."""
    try:
        return os.path.relpath(path, REPO)
    except ValueError:
        return str(path)


@contextmanager
def timer() -> Iterator[list[float]]:
    """`with timer() as t: ...` then `t[0]` is the elapsed wall time in seconds."""
    box = [0.0]
    start = time.perf_counter()
    try:
        yield box
    finally:
        box[0] = time.perf_counter() - start


def rss_mb() -> float:
    """Current resident set size in MiB (Linux /proc; falls back to the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()


def peak_rss_mb() -> float:
    # Linux keeps ru_maxrss across fork+exec, so a child started from a big parent reports the
    # parent's size; VmHWM belongs to the process's own address space.
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 2**10
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is KiB on Linux but bytes on macOS.
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def fmt(value: float | None, digits: int = 3) -> str:
    """Metric cell: '-' for undefined (e.g. precision with no predicted positives)."""
    if value is None:
        return "-"
    return f"{value:.{digits}f}"


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], title: str | None = None
) -> None:
    """Plain fixed-width table; first column left-aligned, the rest right-aligned (numbers)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        parts = [
            row[i].ljust(widths[i]) if i == 0 else row[i].rjust(widths[i])
            for i in range(len(row))
        ]
        return "  ".join(parts).rstrip()

    if title:
        print(f"\n{title}")
    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))
