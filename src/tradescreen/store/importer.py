"""Import a list file or folder: the one path shared by `lists import` and `lists fetch`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx

from tradescreen import sources
from tradescreen.config import Settings
from tradescreen.sources import fetch
from tradescreen.sources.base import ListRead
from tradescreen.sources.fetch import DownloadProgress, FetchedFile, Target
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


FetchStatus = Literal["not_modified", "imported", "unchanged"]


@dataclass
class FetchOutcome:
    target: str
    status: FetchStatus
    files: list[FetchedFile]
    result: ImportResult | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"target": self.target, "status": self.status}
        if self.result is not None:
            data.update(self.result.to_dict())
            data["status"] = self.status
        data["files"] = [f.to_dict() for f in self.files]
        return data


def fetch_and_import(
    settings: Settings,
    target: Target,
    *,
    client: httpx.Client,
    base_url: str | None = None,
    clock: Clock = utc_now,
    download_progress: DownloadProgress | None = None,
    progress: Progress | None = None,
) -> FetchOutcome:
    """Download a list; if anything changed, import it exactly as `lists import` would.

    The downloaded files replace the previous ones (and their ETags are remembered) only after
    the import succeeded, so a refused download is retried next time instead of being skipped
    as "not modified".
    """
    dl = fetch.download(
        target, settings.home / "downloads", client=client, base_url=base_url,
        progress=download_progress,
    )
    if not dl.changed:
        dl.discard()
        return FetchOutcome(target.name, "not_modified", dl.files)
    try:
        result = import_path(settings, dl.staging, target.format, clock=clock, progress=progress)
    except BaseException:
        dl.discard()
        raise
    dl.commit()
    return FetchOutcome(target.name, result.status, dl.files, result)
