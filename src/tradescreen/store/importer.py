"""Import a list file or folder: the one path shared by `lists import` and `lists fetch`."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal

import httpx

from tradescreen import sources
from tradescreen.config import Settings
from tradescreen.sources import fetch, ofac_csv
from tradescreen.sources.base import ListRead, SourceError, SupplementOnly
from tradescreen.sources.fetch import DownloadProgress, FetchedFile, Target
from tradescreen.store import archive, open_store
from tradescreen.store.db import database_exists
from tradescreen.store.snapshots import ImportResult
from tradescreen.store.sqlite import Clock, Progress, utc_now
from tradescreen.store.staging import Progress as PrepareProgress


def import_path(
    settings: Settings,
    path: Path,
    format: str | None = None,
    *,
    clock: Clock = utc_now,
    progress: Progress | None = None,
    on_read: Callable[[ListRead], None] | None = None,
    published: str | None = None,
    allow_shrink: bool = False,
    served: str | None = None,
    prepare_progress: PrepareProgress | None = None,
) -> ImportResult:
    """Parse everything first, then archive the files, then open the store and write.

    Parsing before opening means a refused file (SourceError) never touches the database, not
    even to create it. Archiving before writing means no snapshot ever names a file the archive
    lacks.

    OFAC add/alt/comments files without their primary file are combined with the primary file
    of the list's active snapshot (see `_import_supplement`).

    `published`: the list's publication date, for formats that state none (OFAC's CSV);
    `allow_shrink`: activate a list that lost many entities (see `store.integrity`);
    `served`: the date the server last modified the files (fetch), the best evidence of the
    publication date where the list states none.
    """
    files = sources.list_files(path)
    started = _last_seq(settings)
    try:
        read = sources.read(path, format)
    except SupplementOnly as supplement:
        return _import_supplement(
            settings, supplement, clock=clock, progress=progress, on_read=on_read,
            published=published, allow_shrink=allow_shrink,
        )
    read = with_published(read, published)
    if read.published is None and served is not None:
        read = replace(read, published=served)
    if on_read is not None:
        on_read(read)
    _archive(settings, files, read)
    with open_store(settings, clock=clock) as store:
        result = store.import_list(
            read, progress=progress, prepare_progress=prepare_progress, started_seq=started,
            allow_shrink=allow_shrink,
        )
    return with_warnings(_with_stats(result, read), read.warnings)


def _last_seq(settings: Settings) -> int | None:
    # Where the store stood when the import began: an import of the same list activated while
    # this one parses is then seen (store.integrity). No database yet: nothing to race with.
    if not database_exists(settings):
        return None
    with open_store(settings) as store:
        return store.last_seq()


def with_published(read: ListRead, published: str | None) -> ListRead:
    """The read with the operator's publication date; refused where the list states another."""
    if published is None:
        return read
    if read.published and read.published[:10] != published:
        raise SourceError(
            f"{', '.join(sorted(read.files))}: the list states it was published on "
            f"{read.published[:10]}; --published {published} contradicts it"
        )
    return replace(read, published=published)


def with_warnings(result: ImportResult, warnings: list[str]) -> ImportResult:
    """The result with the reader's warnings (duplicate ids, unexpanded references, ...)."""
    merged = [*warnings, *result.extra.get("warnings", [])]
    if not merged:
        return result
    return replace(result, extra={**result.extra, "warnings": merged})


def _with_stats(result: ImportResult, read: ListRead) -> ImportResult:
    # What the reader counted (kept/dropped per schema, ...) travels with the result; the
    # store's own fields win on a name clash.
    return replace(result, extra={**read.stats, **result.extra}) if read.stats else result


def _archive(settings: Settings, paths: list[Path], read: ListRead) -> None:
    by_name = {p.name: p for p in paths}
    missing = sorted(set(read.files) - set(by_name))
    if missing:
        # A reader naming a file it was not given would leave a snapshot the archive cannot back.
        raise SourceError(f"{read.format} reader reported files it was not given: {missing}")
    archive.archive_files(settings, [by_name[name] for name in read.files], read.files)


def _import_supplement(
    settings: Settings,
    supplement: SupplementOnly,
    *,
    clock: Clock,
    progress: Progress | None,
    on_read: Callable[[ListRead], None] | None,
    published: str | None = None,
    allow_shrink: bool = False,
) -> ImportResult:
    """Import OFAC add/alt/comments files on top of the active snapshot's primary file.

    OFAC's four files are one list read together, so the new snapshot is the active snapshot's
    primary records with addresses, aliases and remarks from the new files only (the old add/alt
    are replaced, not merged). The primary comes from the archive, byte for byte what was
    imported, and the snapshot lists all four files. Rows whose ent_num has no primary record
    (designated after the primary file was published) cannot be attached: they are counted and
    reported as `orphans`.
    """
    source = supplement.source
    primary_name = ofac_csv.PRIMARY_FILES[source]
    given = ", ".join(p.name for p in supplement.files)
    first = f"import {primary_name} first"
    no_base = (
        f"{given}: OFAC CSV set without its primary file {primary_name}, and no active {source} "
        f"snapshot to take it from; {first}"
    )
    # Checked before opening: opening would create an empty database for a refused import.
    if not database_exists(settings):
        raise SourceError(no_base)
    with open_store(settings, clock=clock) as store:
        base = store.active_snapshot(source)
        if base is None:
            raise SourceError(no_base)
        name = next((n for n in base.files if n.lower() == primary_name), None)
        if name is None:
            raise SourceError(
                f"{given}: the active {source} snapshot {base.id} was imported from "
                f"{', '.join(sorted(base.files))}, not {primary_name}; {first}"
            )
        digest = base.files[name]
        stored = archive.archived(settings, digest)
        if stored is None:
            raise SourceError(
                f"{given}: the active snapshot's {name} ({base.id}) is not archived; "
                f"re-import {name}"
            )
        # The reader knows files by name, so the archived copy gets its original name back.
        with tempfile.TemporaryDirectory(prefix="tradescreen-supplement-") as tmp:
            primary = Path(tmp) / name
            shutil.copyfile(stored, primary)
            read, orphans = ofac_csv.read_with_orphans([primary, *supplement.files])
            read = with_published(read, published)
        if read.files[name] != digest:
            raise SourceError(
                f"archived {name} of {base.id} is damaged (sha256 {read.files[name]}, expected "
                f"{digest}); re-import {name}"
            )
        if on_read is not None:
            on_read(read)
        # The primary is archived already; the new files must be before the snapshot names them.
        archive.archive_files(settings, supplement.files, read.files)
        result = store.import_list(
            read, progress=progress, base=base.id, allow_shrink=allow_shrink
        )
    extra = {"base_snapshot": base.id, "orphans": orphans}
    result = _with_stats(result, read)
    return with_warnings(replace(result, extra={**result.extra, **extra}), read.warnings)


def _served_on(files: list[FetchedFile]) -> str | None:
    """The newest Last-Modified date among a download's files (ISO date), if the server sent any.

    OFAC's CSV states no publication date; the day Treasury's server last changed the files is
    the best evidence of it, and far better for --as-of than the day we happened to fetch them.
    """
    days = []
    for f in files:
        with contextlib.suppress(TypeError, ValueError, IndexError):
            if f.last_modified:
                days.append(parsedate_to_datetime(f.last_modified).date().isoformat())
    return max(days, default=None)


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
        result = import_path(
            settings, dl.staging, target.format, clock=clock, progress=progress,
            served=_served_on(dl.files),
        )
    except BaseException:
        dl.discard()
        raise
    dl.commit()
    return FetchOutcome(target.name, result.status, dl.files, result)
