"""A string -> int-array map stored as flat files: the shape of every lookup table of the index.

On disk, under one prefix:
  `.hash`  uint64, the strings' 64-bit hashes, sorted (equal hashes adjacent)
  `.dir`   int64, for each of 2**bits hash buckets (top bits) its first position in `.hash`
  `.str` / `.stroff`  the strings in hash order (UTF-8 bytes + int64 offsets), to verify a hit
  `.off` / `.val`     CSR: `val[off[i]:off[i+1]]` are the values of string i

A lookup is a hash, a bisect inside one small bucket and one byte comparison; no Python dict of
millions of strings is ever built when reading, and every array is a read-only memory map whose
pages the OS shares between processes.
"""

from __future__ import annotations

import bisect
import hashlib
import mmap
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

SLOT_CACHE = 50_000  # keys per table and process (~8 MB)


def string_hash(text: str) -> int:
    """Stable across processes and machines (Python's own `hash` is salted per process)."""
    return string_hash_bytes(text.encode())


def string_hash_bytes(raw: bytes) -> int:
    """`string_hash` of a string given as its UTF-8 bytes."""
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "little")


def save_array(path: Path, array: np.ndarray) -> None:
    with path.open("wb") as fh:
        np.save(fh, np.ascontiguousarray(array), allow_pickle=False)


def map_array(path: Path) -> np.ndarray:
    """A read-only mapped array; a plain ndarray view, since np.memmap's subclass makes every
    slice several times slower."""
    arr = np.load(path, mmap_mode="r", allow_pickle=False)
    return arr.view(np.ndarray)


def map_bytes(path: Path) -> mmap.mmap | bytes:
    with path.open("rb") as fh:
        if fh.seek(0, 2) == 0:
            return b""  # an empty file cannot be mapped
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


def _bucket_bits(count: int) -> int:
    bits = 0
    while (1 << bits) * 8 < count:  # about 8 hashes per bucket
        bits += 1
    return max(bits, 1)


def write_keyed(
    prefix: Path, strings: Sequence[str], key_ids: np.ndarray, values: np.ndarray,
    value_dtype: type = np.int32,
) -> None:
    """Write the map string -> values, from pairs (key_ids[j] -> values[j]).

    Values keep their pair order within a string (postings stay in name order)."""
    hashes = np.fromiter((string_hash(s) for s in strings), dtype=np.uint64, count=len(strings))
    order = np.argsort(hashes, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    slots = rank[key_ids] if len(key_ids) else np.zeros(0, dtype=np.int64)
    encoded = [strings[i].encode() for i in order.tolist()]
    str_off = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)),
              out=str_off[1:])
    write_sorted(prefix, hashes[order], b"".join(encoded), str_off, slots, values, value_dtype)


def write_sorted(
    prefix: Path, sorted_hashes: np.ndarray, text: bytes, str_off: np.ndarray,
    slots: np.ndarray, values: np.ndarray, value_dtype: type = np.int32,
) -> None:
    """`write_keyed` from its strings already in hash order (`text`, `str_off`) and each
    pair's slot in that order (`slots[j]` -> `values[j]`)."""
    count = len(sorted_hashes)
    pair_order = np.argsort(slots, kind="stable")
    counts = np.bincount(slots, minlength=count)
    offsets = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    bits = _bucket_bits(count)
    starts = np.arange(1 << bits, dtype=np.uint64) << np.uint64(64 - bits)
    directory = np.empty((1 << bits) + 1, dtype=np.int64)
    directory[:-1] = np.searchsorted(sorted_hashes, starts, side="left")
    directory[-1] = count
    save_array(prefix.with_suffix(".hash"), sorted_hashes)
    save_array(prefix.with_suffix(".dir"), directory)
    save_array(prefix.with_suffix(".stroff"), str_off)
    prefix.with_suffix(".str").write_bytes(text)
    save_array(prefix.with_suffix(".off"), offsets)
    save_array(prefix.with_suffix(".val"), np.asarray(values, dtype=value_dtype)[pair_order])


class Keyed:
    """Read side of `write_keyed`: `slot(text)` finds a string, `values(slot)` its array."""

    def __init__(self, prefix: Path) -> None:
        self._hashes = memoryview(map_array(prefix.with_suffix(".hash")))
        directory = map_array(prefix.with_suffix(".dir"))
        self._dir = memoryview(directory)
        self._shift = 64 - (len(directory) - 1).bit_length() + 1
        self._str = map_bytes(prefix.with_suffix(".str"))
        self._stroff = memoryview(map_array(prefix.with_suffix(".stroff")))
        self.offsets = map_array(prefix.with_suffix(".off"))
        self._off = memoryview(self.offsets)
        self.values_flat = map_array(prefix.with_suffix(".val"))
        # Queries repeat their tokens (john, trading, llc): remember where recent keys live.
        self.slot = lru_cache(maxsize=SLOT_CACHE)(self._find)  # type: ignore[method-assign]

    def __len__(self) -> int:
        return len(self._hashes)

    def _find(self, text: str) -> int | None:
        h = string_hash(text)
        bucket = h >> self._shift
        hi = self._dir[bucket + 1]
        i = bisect.bisect_left(self._hashes, h, self._dir[bucket], hi)
        if i < hi and self._hashes[i] == h:
            raw = text.encode()
            while i < hi and self._hashes[i] == h:
                if self._str[self._stroff[i] : self._stroff[i + 1]] == raw:
                    return i
                i += 1
        return None

    def values(self, slot: int) -> np.ndarray:
        return self.values_flat[self._off[slot] : self._off[slot + 1]]

    def get(self, text: str) -> np.ndarray | None:
        slot = self.slot(text)
        return None if slot is None else self.values(slot)

    def string(self, slot: int) -> str:
        return bytes(self._str[self._stroff[slot] : self._stroff[slot + 1]]).decode()

    def items(self) -> Iterator[tuple[str, int]]:
        """(string, slot) for every string: a full scan, for batch preparation only."""
        for slot in range(len(self)):
            yield self.string(slot), slot
