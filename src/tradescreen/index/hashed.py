"""String -> value pairs collected as hashes, for keyed files of tens of millions of pairs.

A large build's worker processes turn each blocking key and entity id into its 64-bit
`string_hash` themselves (`block`); the main process appends those hashes as arrays and keeps
each distinct string's bytes once (`HashedPairs`). It never unpickles one string object per
pair nor holds a dict of millions of strings (1.5 million entities: 25 million key pairs,
4.5 million distinct keys and ids). The files are those `write_keyed` writes from the strings.

Two strings of one 64-bit hash are told apart by a second hash (Python's own `hash`, the same
in the main process and the workers it forked). Should two distinct strings ever share the
64-bit hash, `HashCollision` is raised and the caller builds with exact interning instead.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from tradescreen.index.keyed import write_sorted

COMPACT = 1 << 20  # pairs buffered before their distinct strings are set aside


class HashCollision(Exception):
    """Two distinct strings with one 64-bit hash: build with exact interning."""


class Block(NamedTuple):
    """Some strings, hashed where they were made (compact to pickle: four bytes objects)."""

    hashes: bytes  # uint64 `string_hash` per string
    checks: bytes  # int64 `hash()` per string
    lengths: bytes  # int32 UTF-8 length per string
    text: bytes  # the strings' UTF-8, concatenated


@lru_cache(maxsize=1 << 18)
def _hashed(text: str) -> tuple[int, bytes]:
    # Most keys repeat (one per token: t:john, k:JN), so each is hashed once per process.
    encoded = text.encode()
    return int.from_bytes(hashlib.blake2b(encoded, digest_size=8).digest(), "little"), encoded


def block(strings: Sequence[str]) -> Block:
    hashes, encoded = zip(*map(_hashed, strings), strict=True) if strings else ((), ())
    return Block(array("Q", hashes).tobytes(), array("q", map(hash, strings)).tobytes(),
                 array("i", map(len, encoded)).tobytes(), b"".join(encoded))


def forget() -> None:
    """Drop the per-process cache of hashes once a build is done."""
    _hashed.cache_clear()


def strings(block: Block) -> list[str]:
    """The block's strings again."""
    out, at = [], 0
    for size in array("i", block.lengths):
        out.append(block.text[at : at + size].decode())
        at += size
    return out


def _gather(text: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
            step: int = 1 << 16) -> bytes:
    """text[starts[i] : starts[i] + lengths[i]] for every i, concatenated (vectorised, a step
    of strings at a time so that the index arrays stay small)."""
    parts = []
    for at in range(0, len(starts), step):
        some, sizes = starts[at : at + step], lengths[at : at + step]
        total = int(sizes.sum())
        if total:
            ends = np.cumsum(sizes)
            index = np.repeat(some - (ends - sizes), sizes) + np.arange(total)
            parts.append(text[index].tobytes())
    return b"".join(parts)


class HashedPairs:
    """The `keyed` pairs (string -> value) of one file, added a block at a time."""

    def __init__(self, compact: int = COMPACT) -> None:
        self._compact = compact
        self._hashes = array("Q")
        self._checks = array("q")
        self._lengths = array("i")
        self._text = bytearray()
        self.values = array("i")
        self._pair_ids: list[np.ndarray] = []  # each pair's string, numbered as first seen
        # Distinct strings seen so far, in the order first seen; their hashes sorted, with the
        # check and number of each.
        self._seen_text = bytearray()
        self._seen_lengths: list[np.ndarray] = []
        self._sorted = np.zeros(0, dtype=np.uint64)
        self._sorted_checks = np.zeros(0, dtype=np.int64)
        self._sorted_ids = np.zeros(0, dtype=np.int64)

    def add_block(self, strings: Block) -> None:
        """`strings`, each paired with the value the caller appends to `values`."""
        self._hashes.frombytes(strings.hashes)
        self._checks.frombytes(strings.checks)
        self._lengths.frombytes(strings.lengths)
        self._text += strings.text
        if len(self._hashes) >= self._compact:
            self._set_aside()

    def _set_aside(self) -> None:
        if not self._hashes:
            return
        hashes = np.frombuffer(self._hashes, dtype=np.uint64).copy()
        checks = np.frombuffer(self._checks, dtype=np.int64)
        lengths = np.frombuffer(self._lengths, dtype=np.int32).astype(np.int64)
        starts = np.zeros(len(lengths), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        unique, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
        if (checks != checks[first][inverse]).any():
            raise HashCollision
        at = np.searchsorted(self._sorted, unique)
        known = at < len(self._sorted)
        known[known] = self._sorted[at[known]] == unique[known]
        if (self._sorted_checks[at[known]] != checks[first[known]]).any():
            raise HashCollision
        ids = np.empty(len(unique), dtype=np.int64)
        ids[known] = self._sorted_ids[at[known]]
        fresh = np.flatnonzero(~known)
        fresh = fresh[np.argsort(first[fresh], kind="stable")]  # numbered as first seen
        ids[fresh] = len(self._sorted) + np.arange(len(fresh))
        new = first[fresh]
        self._seen_text += _gather(np.frombuffer(self._text, dtype=np.uint8), starts[new],
                                   lengths[new])
        self._seen_lengths.append(lengths[new])
        merged = np.concatenate([self._sorted, hashes[new]])
        order = np.argsort(merged, kind="stable")
        self._sorted = merged[order]
        self._sorted_checks = np.concatenate([self._sorted_checks, checks[new]])[order]
        self._sorted_ids = np.concatenate([self._sorted_ids, ids[fresh]])[order]
        self._pair_ids.append(ids[inverse].astype(np.int32))
        self._hashes, self._checks, self._lengths = array("Q"), array("q"), array("i")
        self._text = bytearray()

    def write(self, prefix: Path) -> int:
        """The `keyed` files under `prefix`; returns the number of distinct strings."""
        self._set_aside()
        lengths = np.concatenate([np.zeros(0, dtype=np.int64), *self._seen_lengths])
        starts = np.zeros(len(lengths), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        order = self._sorted_ids  # first-seen number of each string, in hash order
        text = _gather(np.frombuffer(self._seen_text, dtype=np.uint8), starts[order],
                       lengths[order])
        str_off = np.zeros(len(order) + 1, dtype=np.int64)
        np.cumsum(lengths[order], out=str_off[1:])
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        pairs = np.concatenate([np.zeros(0, dtype=np.int32), *self._pair_ids])
        write_sorted(prefix, self._sorted, text, str_off, rank[pairs],
                     np.frombuffer(self.values, dtype=np.int32))
        return len(order)
