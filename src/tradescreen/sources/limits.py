"""Size limits on what a list file may expand to, and on a single value in it.

A few kilobytes of gzip or xlsx (a zip) can expand to gigabytes: reading such a file exhausted
memory and time before any check ran. Real lists expand 3x to 17x (the CSL gzip 4x, DFAT's xlsx
sheet 8x, OFAC's enhanced XML zip 17x), so a ratio over MAX_RATIO on anything bigger than a few
megabytes, or more than MAX_EXPANDED bytes in all, is refused as it is read. One oversized value
(a 50 MB "name") is as harmful later: every screening then aligned against it; real names are at
most a few hundred characters.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from tradescreen.model import Entity
from tradescreen.sources.base import SourceError

MAX_EXPANDED = 1 << 30  # bytes one list file may expand to
MAX_RATIO = 100  # expanded / compressed size
RATIO_FLOOR = 32 << 20  # below this many expanded bytes the ratio is not checked
MAX_NAME = 2_000  # characters in one name
MAX_ENTITY = 1 << 20  # bytes of one entity's serialised record (any other oversized value)


def expanded_limit(compressed: int) -> int:
    """How many bytes a file of `compressed` bytes may expand to."""
    return min(MAX_EXPANDED, max(RATIO_FLOOR, compressed * MAX_RATIO))


def _too_big(label: str, compressed: int) -> SourceError:
    return SourceError(
        f"{label}: expands to more than {expanded_limit(compressed):,} bytes from {compressed:,} "
        f"(limit: {MAX_RATIO}x and {MAX_EXPANDED:,} bytes): a decompression bomb or not a list"
    )


class _Capped(io.RawIOBase):
    """A binary stream that fails once more than `limit` bytes were read from it."""

    def __init__(self, raw: IO[bytes], limit: int, error: SourceError) -> None:
        self._raw, self._limit, self._error, self._read = raw, limit, error, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(min(len(buffer), self._limit - self._read + 1))
        self._read += len(data)
        if self._read > self._limit:
            raise self._error
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_gzip(path: Path) -> IO[bytes]:
    """A gzip file's content, read under the expansion limits."""
    compressed = path.stat().st_size
    stream = gzip.open(path, "rb")  # noqa: SIM115 - closed by the returned reader
    raw = _Capped(stream, expanded_limit(compressed), _too_big(path.name, compressed))
    return io.BufferedReader(raw, 1 << 16)


def check_zip(zf: zipfile.ZipFile, label: str, names: Iterable[str] | None = None) -> None:
    """Refuse a zip whose members (all, or `names`) declare more than the limits allow.

    zipfile never returns more than a member's declared size, so the declared sizes bound what
    reading can produce.
    """
    wanted = None if names is None else set(names)
    members = [i for i in zf.infolist() if wanted is None or i.filename in wanted]
    compressed = sum(i.compress_size for i in members)
    expanded = sum(i.file_size for i in members)
    if expanded > expanded_limit(compressed):
        raise _too_big(label, compressed)


def check_entities(entities: Iterable[Entity], label: str) -> None:
    """Refuse a list holding a value no real list has: a name or a record of absurd length."""
    for entity in entities:
        check_entity(entity, entity.to_json(), label)


def check_entity(entity: Entity, data: bytes, label: str) -> None:
    """`check_entities` for one entity whose record (`data`) is already serialised: the store's
    staging step checks a streamed list this way instead of building every entity twice."""
    for name in entity.names:
        if len(name.value) > MAX_NAME:
            raise SourceError(
                f"{label}: entity {entity.source_id[:80]}: a name of {len(name.value):,} "
                f"characters (limit {MAX_NAME:,}; real names have a few hundred): refused"
            )
    if len(data) > MAX_ENTITY:
        raise SourceError(
            f"{label}: entity {entity.source_id[:80]}: {len(data):,} bytes of data (limit "
            f"{MAX_ENTITY:,}): a value of absurd length; refused"
        )

