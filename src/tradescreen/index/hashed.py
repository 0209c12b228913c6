"""String -> value pairs collected as arrays, for keyed files of tens of millions of pairs.

A large build's worker processes send each record's blocking keys and entity ids as one
`Block` (their UTF-8 bytes, lengths and Python hashes, which the keys' sets computed already);
the main process appends those as arrays and keeps each distinct string's bytes once
(`HashedPairs`). It never unpickles one string object per pair nor holds a dict of millions of
strings (1.5 million entities: 25 million key pairs, 4.5 million distinct keys and ids). The
files are those `write_keyed` writes from the strings.

Python's `hash` is the same in the main process and the workers it forked, and strings of one
hash are compared byte for byte: should two distinct strings ever share one, `HashCollision`
is raised and the caller builds with exact interning instead.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from tradescreen.index.keyed import string_hash_bytes, write_sorted

COMPACT = 1 << 20  # pairs buffered before their distinct strings are set aside
_STEP = 1 << 16  # strings gathered at a time (keeps the index arrays small)


class HashCollision(Exception):
    """Two distinct strings with one hash: build with exact interning."""


class Block(NamedTuple):
    """Some strings, compact to pickle (three bytes objects)."""

    hashes: bytes  # int64 `hash()` per string
    lengths: bytes  # int32 UTF-8 length per string
    text: bytes  # the strings' UTF-8, concatenated


def block(strings: Sequence[str]) -> Block:
    hashes = array("q", map(hash, strings)).tobytes()
    text = "".join(strings)
    if text.isascii():  # nearly always (keys are folded): one encode, a character a byte
        return Block(hashes, array("i", map(len, strings)).tobytes(), text.encode())
    encoded = [s.encode() for s in strings]
    return Block(hashes, array("i", map(len, encoded)).tobytes(), b"".join(encoded))


def strings(block: Block) -> list[str]:
    """The block's strings again."""
    out, at = [], 0
    for size in array("i", block.lengths):
        out.append(block.text[at : at + size].decode())
        at += size
    return out


def _index(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    ends = np.cumsum(lengths)
    return np.repeat(starts - (ends - lengths), lengths) + np.arange(int(ends[-1]))


def _gather(text: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> bytes:
    """text[starts[i] : starts[i] + lengths[i]] for every i, concatenated."""
    parts = []
    for at in range(0, len(starts), _STEP):
        sizes = lengths[at : at + _STEP]
        if sizes.sum():
            parts.append(text[_index(starts[at : at + _STEP], sizes)].tobytes())
    return b"".join(parts)


def _check_same(text_a: np.ndarray, starts_a: np.ndarray, text_b: np.ndarray,
                starts_b: np.ndarray, lengths_a: np.ndarray, lengths_b: np.ndarray) -> None:
    """Raise HashCollision unless string i of a equals string i of b for every i."""
    if (lengths_a != lengths_b).any():
        raise HashCollision
    for at in range(0, len(starts_a), _STEP):
        sizes = lengths_a[at : at + _STEP]
        if not sizes.sum():
            continue
        a = text_a[_index(starts_a[at : at + _STEP], sizes)]
        if (a != text_b[_index(starts_b[at : at + _STEP], sizes)]).any():
            raise HashCollision


def _starts(lengths: np.ndarray) -> np.ndarray:
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    return starts


class HashedPairs:
    """The `keyed` pairs (string -> value) of one file, added a block at a time."""

    def __init__(self, compact: int = COMPACT) -> None:
        self._compact = compact
        self._hashes = array("q")
        self._lengths = array("i")
        self._text = bytearray()
        self.values = array("i")  # one per string added, appended by the caller
        self._pair_ids: list[np.ndarray] = []  # each pair's string, numbered as first seen
        # Distinct strings so far, in the order first seen; their hashes sorted, with the
        # number of each.
        self._seen_text = bytearray()
        self._seen_lengths = np.zeros(0, dtype=np.int64)
        self._sorted = np.zeros(0, dtype=np.int64)
        self._sorted_ids = np.zeros(0, dtype=np.int64)

    def add_block(self, strings: Block) -> None:
        """`strings`, each paired with the value the caller appends to `values`."""
        self._hashes.frombytes(strings.hashes)
        self._lengths.frombytes(strings.lengths)
        self._text += strings.text
        if len(self._hashes) >= self._compact:
            self._set_aside()

    def _set_aside(self) -> None:
        if not self._hashes:
            return
        hashes = np.frombuffer(self._hashes, dtype=np.int64)
        lengths = np.frombuffer(self._lengths, dtype=np.int32).astype(np.int64)
        text = np.frombuffer(self._text, dtype=np.uint8)
        starts = _starts(lengths)
        unique, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        # Every string of one hash is the first string of that hash, byte for byte.
        _check_same(text, starts, text, starts[first][inverse], lengths,
                    lengths[first][inverse])
        at = np.searchsorted(self._sorted, unique)
        known = at < len(self._sorted)
        known[known] = self._sorted[at[known]] == unique[known]
        ids = np.empty(len(unique), dtype=np.int64)
        ids[known] = self._sorted_ids[at[known]]
        if known.any():  # ... and the string of that hash seen before
            seen = ids[known]
            _check_same(text, starts[first[known]], np.frombuffer(self._seen_text, np.uint8),
                        _starts(self._seen_lengths)[seen], lengths[first[known]],
                        self._seen_lengths[seen])
        fresh = np.flatnonzero(~known)
        fresh = fresh[np.argsort(first[fresh], kind="stable")]  # numbered as first seen
        ids[fresh] = len(self._sorted) + np.arange(len(fresh))
        new = first[fresh]
        self._seen_text += _gather(text, starts[new], lengths[new])
        self._seen_lengths = np.concatenate([self._seen_lengths, lengths[new]])
        merged = np.concatenate([self._sorted, unique[fresh]])
        order = np.argsort(merged, kind="stable")
        self._sorted = merged[order]
        self._sorted_ids = np.concatenate([self._sorted_ids, ids[fresh]])[order]
        self._pair_ids.append(ids[inverse].astype(np.int32))
        self._hashes, self._lengths, self._text = array("q"), array("i"), bytearray()

    def write(self, prefix: Path) -> int:
        """The `keyed` files under `prefix`; returns the number of distinct strings."""
        self._set_aside()
        lengths = self._seen_lengths
        count = len(lengths)
        text = bytes(self._seen_text)
        ends = np.cumsum(lengths).tolist()
        begins = [0, *ends[:-1]]
        # As `write_keyed`: by the strings' stable hash, ties in the order first seen.
        stable = np.fromiter(
            (string_hash_bytes(text[a:b]) for a, b in zip(begins, ends, strict=True)),
            dtype=np.uint64, count=count)
        order = np.argsort(stable, kind="stable")
        sorted_text = _gather(np.frombuffer(text, dtype=np.uint8), _starts(lengths)[order],
                              lengths[order])
        str_off = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(lengths[order], out=str_off[1:])
        # int32 and the parts dropped as soon as joined: this runs at the build's peak of
        # memory, with tens of millions of pairs.
        rank = np.empty(count, dtype=np.int32)
        rank[order] = np.arange(count, dtype=np.int32)
        pairs = np.concatenate([np.zeros(0, dtype=np.int32), *self._pair_ids])
        self._pair_ids = []
        slots = rank[pairs]
        del pairs
        write_sorted(prefix, stable[order], sorted_text, str_off, slots,
                     np.frombuffer(self.values, dtype=np.int32))
        return count

