"""Open an index written by `write` instead of loading it: every array is a read-only memory map.

Opening reads meta.json and maps a dozen files, whatever the size of the collection; pages come
in from the OS page cache when a query touches them and are shared by every process that maps
the same files (forked `screen-file` and book workers, uvicorn workers, other replicas on the
host). Records are decoded (`codec`) only when a candidate needs them, through a small
per-process LRU.

`MappedIndex` offers the attribute protocol of the in-memory `build.Index` (`postings`,
`key_slot`, `offsets`, `name_ids`, `delete_map`, `identifiers`, `records`, `forms`,
`name_record`, `name_slot`, `name_count`, `snapshots`), so lookup, scoring and book blocking
run on either unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, overload

import numpy as np

from tradescreen.index import codec
from tradescreen.index.columns import Columns
from tradescreen.index.keyed import Keyed, map_array, map_bytes
from tradescreen.index.records import Record
from tradescreen.index.write import FORMAT
from tradescreen.normalize.names import NameForm

RECORD_CACHE = 4096  # decoded records per process: the hot ones of a busy API fit easily


class IndexFormatError(Exception):
    """The folder is not a complete index of this version."""


class _Records:
    """Record blobs decoded on demand; `records[i]` and `forms[i]` share one decode."""

    def __init__(self, folder: Path, codec_id: str) -> None:
        self._decode_blob = codec.decoder(codec_id)
        self._blob = map_bytes(folder / "records.bin")
        self._off = memoryview(map_array(folder / "records.off"))
        # functools' LRU is C code and thread-safe: API requests run on a thread pool.
        self._cached = lru_cache(maxsize=RECORD_CACHE)(self._decode)

    def __len__(self) -> int:
        return len(self._off) - 1

    def _decode(self, pos: int) -> tuple[Record, tuple[NameForm | None, ...]]:
        return self._decode_blob(self._blob[self._off[pos] : self._off[pos + 1]])

    def get(self, pos: int) -> tuple[Record, tuple[NameForm | None, ...]]:
        size = len(self)
        if pos < 0:
            pos += size
        if not 0 <= pos < size:
            raise IndexError("record position out of range")
        return self._cached(int(pos))

    def scan(self) -> Iterator[tuple[Record, tuple[NameForm | None, ...]]]:
        """Every record in order, without filling the cache (full listings, book preparation)."""
        for pos in range(len(self)):
            yield self._decode(pos)


class _Column(Sequence):
    """`records` (column 0) or `forms` (column 1) as a read-only sequence."""

    def __init__(self, store: _Records, column: int) -> None:
        self._store = store
        self._column = column

    def __len__(self) -> int:
        return len(self._store)

    @overload
    def __getitem__(self, pos: int) -> Any: ...
    @overload
    def __getitem__(self, pos: slice) -> list[Any]: ...
    def __getitem__(self, pos: int | slice) -> Any:
        if isinstance(pos, slice):
            return [self[i] for i in range(*pos.indices(len(self)))]
        return self._store.get(pos)[self._column]

    def __iter__(self) -> Iterator[Any]:
        for pair in self._store.scan():
            yield pair[self._column]


class _KeySlots:
    """`key_slot` of the in-memory index: key -> slot into `offsets`."""

    def __init__(self, keyed: Keyed) -> None:
        self._keyed = keyed

    def get(self, key: str, default: int | None = None) -> int | None:
        slot = self._keyed.slot(key)
        return default if slot is None else slot

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._keyed.slot(key) is not None

    def __len__(self) -> int:
        return len(self._keyed)

    def items(self) -> Iterator[tuple[str, int]]:
        return self._keyed.items()


class _Vocab:
    def __init__(self, folder: Path) -> None:
        self._blob = map_bytes(folder / "vocab.str")
        self._off = memoryview(map_array(folder / "vocab.off"))

    def __getitem__(self, token_id: int) -> str:
        return bytes(self._blob[self._off[token_id] : self._off[token_id + 1]]).decode()


class _DeleteMap:
    """`delete_map` of the in-memory index: one-deletion variant -> listed tokens."""

    def __init__(self, keyed: Keyed, vocab: _Vocab) -> None:
        self._keyed = keyed
        self._vocab = vocab

    def get(self, variant: str, default: Any = None) -> Any:
        ids = self._keyed.get(variant)
        if ids is None:
            return default
        return tuple(self._vocab[t] for t in ids.tolist())


class _Identifiers:
    """`identifiers` of the in-memory index: normalised identifier -> record positions."""

    def __init__(self, keyed: Keyed) -> None:
        self._keyed = keyed

    def get(self, norm: str, default: Any = None) -> Any:
        found = self._keyed.get(norm)
        return default if found is None else tuple(found.tolist())


class MappedIndex:
    def __init__(self, folder: Path, expect_version: int | None = None) -> None:
        meta_path = folder / "meta.json"
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError) as exc:
            raise IndexFormatError(f"no readable index in {folder.name}: {exc}") from None
        if meta.get("format") != FORMAT or meta.get("codec") != codec.codec_id() or (
            expect_version is not None and meta.get("version") != expect_version
        ):
            raise IndexFormatError(f"index {folder.name} has another version: {meta}")
        self.folder = folder
        self.meta = meta
        self.version: int = meta["version"]
        self.snapshots: tuple[str, ...] = tuple(meta["snapshots"])
        store = _Records(folder, meta["codec"])
        self.records = _Column(store, 0)
        self.forms = _Column(store, 1)
        self.name_record = map_array(folder / "name_record.npy")
        self.name_slot = map_array(folder / "name_slot.npy")
        self._keys = Keyed(folder / "keys")
        self.key_slot = _KeySlots(self._keys)
        self.offsets = self._keys.offsets
        self.name_ids = self._keys.values_flat
        self.delete_map = _DeleteMap(Keyed(folder / "deletes"), _Vocab(folder))
        self.identifiers = _Identifiers(Keyed(folder / "identifiers"))
        self._entity_ids = Keyed(folder / "ids")
        self.columns = Columns(folder)

    def record_position(self, entity_id: str) -> int | None:
        """A record's position by its FtM id (`us-ofac-sdn-16418`) or ours (`us_ofac_sdn:16418`)."""
        found = self._entity_ids.get(entity_id)
        return None if found is None or not len(found) else int(found[-1])

    def postings(self, key: str) -> np.ndarray | None:
        return self._keys.get(key)

    @property
    def name_count(self) -> int:
        return len(self.name_record)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (to a Dask worker, a spawned process) as its folder: the receiver maps the
        # same files instead of receiving a copy of the arrays.
        return (MappedIndex, (self.folder, self.version))
