"""Content-addressed archive of imported list files: `$TRADESCREEN_HOME/files/<sha256>`.

A snapshot records its files as name -> sha256, so the archive needs no table of its own: the
bytes behind any snapshot can be found (for an audit, or to combine OFAC's add/alt files with an
earlier sdn.csv) by hash. Files are written before the snapshot that names them is committed, so
the database never references a file that is not here; a file left by an import that then failed
is an unreferenced orphan, which is harmless.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from tradescreen.config import Settings
from tradescreen.sources.base import SourceError

_CHUNK = 1 << 20


def archive_dir(settings: Settings) -> Path:
    return settings.home / "files"


def archived(settings: Settings, sha256: str) -> Path | None:
    """The archived file with this hash, or None if it was never archived."""
    path = archive_dir(settings) / sha256
    return path if path.is_file() else None


def archive_files(settings: Settings, files: Iterable[Path], expected: dict[str, str]) -> None:
    """Copy each file into the archive under its sha256 (skipped if already there).

    `expected` is the reader's name -> sha256: the copy is hashed as it is written and must match,
    so a file replaced between reading and archiving is refused instead of archived under the
    wrong hash.
    """
    root = archive_dir(settings)
    for path in files:
        digest = expected[path.name]
        if (root / digest).is_file():
            continue
        root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=root, prefix=f".{digest[:16]}.", suffix=".tmp")
        try:
            actual = hashlib.sha256()
            with os.fdopen(fd, "wb") as out, path.open("rb") as src:
                for chunk in iter(lambda: src.read(_CHUNK), b""):
                    actual.update(chunk)
                    out.write(chunk)
                out.flush()
                # Durable before it becomes visible under its final name.
                os.fsync(out.fileno())
            if actual.hexdigest() != digest:
                raise SourceError(f"{path.name}: file changed while it was being imported; retry")
            # Read-only: an archived file is evidence of what was imported, never edited.
            os.chmod(tmp, 0o444)
            # Atomic: a concurrent import of the same file simply writes the same bytes.
            os.replace(tmp, root / digest)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
