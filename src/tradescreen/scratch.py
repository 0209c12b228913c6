"""Scratch folders for large imports, which never outlive their process for long.

An import of a large list keeps gigabytes on disk while it runs (the FtM graph, the staged
rows). A normal exit or an exception removes them; a kill -9 cannot. So each folder holds a lock
file its process keeps locked (the kernel releases it when the process dies, however it dies), and
creating a folder first removes every sibling of the same kind whose lock nobody holds.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path

_LOCK = ".owner"


class Scratch:
    """A fresh folder `<parent>/<prefix>XXXX`, locked until `close()`."""

    def __init__(self, prefix: str, parent: Path | None = None) -> None:
        base = Path(parent) if parent is not None else Path(tempfile.gettempdir())
        base.mkdir(parents=True, exist_ok=True)
        sweep(base, prefix)
        self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
        # Locked before it gets the name `sweep` looks for, so no sweeper sees it unlocked.
        pending = self.path / (_LOCK + ".new")
        self._fd: int | None = os.open(pending, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        pending.rename(self.path / _LOCK)

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sweep(base: Path, prefix: str) -> list[Path]:
    """Remove the `prefix*` folders under `base` left by processes that died; returns them."""
    removed = []
    for folder in base.glob(f"{prefix}*"):
        lock = folder / _LOCK
        if not folder.is_dir() or not lock.exists():
            continue  # not ours, or still being created
        with contextlib.suppress(OSError):
            fd = os.open(lock, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its process is alive
            finally:
                os.close(fd)
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
