"""Import a list file or folder: the one path shared by `lists import` and `lists fetch`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tradescreen import sources
from tradescreen.config import Settings
from tradescreen.sources.base import ListRead
from tradescreen.store import open_store
from tradescreen.store.snapshots import ImportResult
from tradescreen.store.sqlite import Clock, Progress, utc_now


def import_path(
    settings: Settings,
    path: Path,
    format: str | None = None,
    *,
    clock: Clock = utc_now,
    progress: Progress | None = None,
    on_read: Callable[[ListRead], None] | None = None,
) -> ImportResult:
    """Parse everything first, then open the store and write.

    Parsing before opening means a refused file (SourceError) never touches the database, not
    even to create it.
    """
    read = sources.read(path, format)
    if on_read is not None:
        on_read(read)
    with open_store(settings, clock=clock) as store:
        return store.import_list(read, progress=progress)
