"""The contract every list reader follows.

A reader takes the files of one official list and returns a `ListRead`: all entities (a list, or
a collection built from disk on demand for files of any size), the list's publication date and
the files' hashes. Readers are pure with respect to the store: they parse and
validate everything first, so a malformed file raises `SourceError` before anything is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tradescreen.model import Entity


class SourceError(Exception):
    """A list file that cannot be read: wrong format, truncated, malformed. The message says why."""


class SupplementOnly(SourceError):
    """OFAC add/alt/comments files given without their primary file (sdn.csv or cons_prim.csv).

    Alone they describe no entity, so reading them fails; but the store can combine them with the
    primary file of the list's active snapshot. The exception carries what that needs, so the
    reader stays free of any store access.
    """

    def __init__(self, message: str, *, source: str, files: Sequence[Path]) -> None:
        super().__init__(message)
        self.source = source  # "us_ofac_sdn" or "us_ofac_cons"
        self.files = list(files)


@dataclass
class ListRead:
    source: str  # list id, e.g. "us_ofac_sdn"
    format: str  # reader name, e.g. "ofac_csv"
    published: str | None  # ISO date the list says it was published (or best evidence of it)
    files: dict[str, str]  # file name -> sha256 of its bytes
    # A list; or, for files too large for memory, any iterable (the FtM reader gives a
    # collection that knows its length and builds the entities from disk on each pass). The
    # store reads it once, in batches, and uses len() for progress when it has one.
    entities: Iterable[Entity] = field(default_factory=list)
    title: str = ""
    # What the reader had to tell the operator without refusing the list: duplicate ids kept
    # under one entity, entity references it could not expand, ... (shown by `lists import`).
    warnings: list[str] = field(default_factory=list)
    # What the reader counted beyond the entities (JSON types), reported with the import result:
    # e.g. FtM's entities kept per schema and records dropped with the reason.
    stats: dict[str, Any] = field(default_factory=dict)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# A reader gets the list's files (one, or all of a folder) and returns what it read.
Reader = Callable[[Sequence[Path]], ListRead]
