"""Keys and ids collected as hashes write the same files as exact string interning, and two
strings of one 64-bit hash are never merged."""

from __future__ import annotations

import random
from array import array
from pathlib import Path

import numpy as np
import pytest

from tradescreen.index.hashed import Block, HashCollision, HashedPairs, block, strings
from tradescreen.index.keyed import Keyed, write_keyed

SUFFIXES = ("hash", "dir", "str", "stroff", "off", "val")


def _pairs() -> list[tuple[str, int]]:
    rng = random.Random(7)
    words = ["".join(rng.choice("abcxyzé中ش ") for _ in range(rng.randrange(0, 10)))
             for _ in range(4000)]
    return [(rng.choice(words), i) for i in range(30_000)]


@pytest.mark.parametrize("compact", [500, 1 << 20])
def test_hashed_pairs_write_the_files_write_keyed_writes(tmp_path: Path, compact: int) -> None:
    pairs = _pairs()
    ids: dict[str, int] = {}
    key_ids = np.array([ids.setdefault(w, len(ids)) for w, _ in pairs], dtype=np.int32)
    write_keyed(tmp_path / "exact", list(ids), key_ids,
                np.array([v for _, v in pairs], dtype=np.int32))
    hashed = HashedPairs(compact=compact)
    rng = random.Random(3)
    at = 0
    while at < len(pairs):
        part = pairs[at : at + rng.randrange(0, 6)]
        at += len(part)
        hashed.add_block(block([w for w, _ in part]))
        hashed.values.extend(v for _, v in part)
    assert hashed.write(tmp_path / "hashed") == len(ids) > 2000
    for suffix in SUFFIXES:
        exact = (tmp_path / f"exact.{suffix}").read_bytes()
        assert exact == (tmp_path / f"hashed.{suffix}").read_bytes(), suffix
    table = Keyed(tmp_path / "hashed")
    word = pairs[123][0]
    assert list(table.get(word)) == [v for w, v in pairs if w == word]


def test_block_round_trips_its_strings() -> None:
    texts = ["t:john", "", "k:JN", "b:شمس", "t:中国"]
    assert strings(block(texts)) == texts


def _forged(text: str, digest: int) -> Block:
    """A block whose string has the hash `digest` (a collision cannot be searched for)."""
    raw = text.encode()
    return Block(array("q", [digest]).tobytes(), array("i", [len(raw)]).tobytes(), raw)


@pytest.mark.parametrize("compact", [1, 10])
@pytest.mark.parametrize("other", ["t:omega", "t:om"])  # same length, other length
def test_two_strings_of_one_hash_are_refused_not_merged(tmp_path: Path, compact: int,
                                                        other: str) -> None:
    same = HashedPairs(compact=compact)
    for _ in range(3):  # the same string again and again: one key
        same.add_block(_forged("t:alpha", 42))
        same.values.append(1)
    assert same.write(tmp_path / "same") == 1
    pairs = HashedPairs(compact=compact)
    with pytest.raises(HashCollision):  # found when set aside, at the latest when written
        for text in ("t:alpha", "t:alpha", other):
            pairs.add_block(_forged(text, 42))
            pairs.values.append(1)
        pairs.write(tmp_path / "keys")


@pytest.mark.parametrize("texts", [["t:john", "", "k:JN", "t:smith"], ["t:john", "b:شمس", ""],
                                   []])
def test_block_is_each_strings_utf8_length_and_hash(texts: list[str]) -> None:
    """The one-encode path of ASCII blocks gives the bytes of the string-by-string one."""
    encoded = [t.encode() for t in texts]
    assert block(texts) == Block(array("q", map(hash, texts)).tobytes(),
                                 array("i", map(len, encoded)).tobytes(), b"".join(encoded))
