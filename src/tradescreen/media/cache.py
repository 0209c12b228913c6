"""The party gazetteer of an index, kept on disk beside the index's own files.

Building it reads every listed name and alias (seconds for all lists), and `tradescreen media
scan` runs in a new process each time, so the built tables are pickled into the index's folder
and loaded from there. The folder's name already hashes the snapshot set and the index version
(a list update or a normalisation change gives a new folder, pruned with it); the file name adds
the gazetteer's own version and the word-frequency tables it was built with. A file that cannot
be read or was written for another index is rebuilt; one that cannot be written (a read-only
home) only costs the next process a rebuild.
"""

from __future__ import annotations

import logging
import os
import pickle
import uuid
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger("tradescreen.media")

# Bump when the gazetteer's tables or how they are made change.
GAZETTEER_VERSION = 1

T = TypeVar("T")


def _wordfreq_version() -> str:
    try:
        return version("wordfreq")
    except PackageNotFoundError:
        return "none"


def cache_file(index: Any) -> Path | None:
    """Where the gazetteer of `index` is kept; None for an index not on disk (a book's)."""
    folder = getattr(index, "folder", None)
    if folder is None:
        return None
    return Path(folder) / f"media-gazetteer-v{GAZETTEER_VERSION}-wf{_wordfreq_version()}.pkl"


def _identity(index: Any) -> tuple[str, int, tuple[str, ...]]:
    return (Path(index.folder).name, int(index.version), tuple(index.snapshots))


def load_or_build(index: Any, build: Callable[[], T]) -> tuple[T, str]:
    """The tables for `index`: from its cache file when present and readable, else built and
    stored. Also says which it was ("loaded" / "built")."""
    path = cache_file(index)
    if path is not None and path.is_file():
        try:
            with path.open("rb") as fh:
                identity, tables = pickle.load(fh)
            if identity == _identity(index):
                return tables, "loaded"
            log.info("media gazetteer cache %s belongs to another index: rebuilt", path.name)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError,
                AttributeError, ImportError) as exc:
            log.info("media gazetteer cache %s unreadable (%s): rebuilt", path.name, exc)
    tables = build()
    if path is not None:
        _store(path, (_identity(index), tables))
    return tables, "built"


def _store(path: Path, payload: Any) -> None:
    # Written beside and renamed into place: a reader never sees half a file, and two
    # processes building at once each leave a whole one.
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    try:
        with tmp.open("wb") as fh:
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as exc:
        log.info("media gazetteer not cached (%s)", exc)
        tmp.unlink(missing_ok=True)
