"""Write the index of a set of snapshots as files, streaming: records go to disk as they come.

What is held in memory while building is one integer per (key, name) pair, one per name and
one interned string per distinct key; no record or name form is kept once written, so a
collection of millions of entities builds in bounded memory. The files (see `mapped`):

  meta.json                       format version, snapshot ids, counts
  records.bin / records.off       each record with its normalised name forms (`codec`)
  name_record.npy / name_slot.npy name id -> record position, position of the name in it
  keys.*                          blocking key -> name ids (CSR postings, `keyed` layout)
  vocab.str / vocab.off           every listed token, interned (delete-map values point here)
  deletes.*                       one-deletion variant -> token ids
  identifiers.*                   normalised identifier -> record positions
  ids.*                           entity id (FtM's and ours) -> record position (the last wins)
  columns.json / record_*.npy     each record's source, schema and countries as small integers
                                  (`columns`), so listings filter and count without decoding
  attr_keys.*, addr_*, relations.*  shared attributes and list relations (`attributes`)
"""

from __future__ import annotations

import json
from array import array
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from itertools import count, repeat
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from tradescreen import parallel
from tradescreen.ftm import ftm_id
from tradescreen.index import codec, hashed
from tradescreen.index.attributes import AttributeWriter
from tradescreen.index.columns import ColumnWriter
from tradescreen.index.keyed import save_array, write_keyed
from tradescreen.index.keys import (
    MIN_INDEXED_DELETE_LEN,
    deletes,
    forget_token_keys,
    token_keys,
)
from tradescreen.index.records import Record
from tradescreen.normalize.names import NameForm, name_form

FORMAT = 2  # bump when the file layout changes (2: ids, listing columns)


def record_forms(record: Record) -> tuple[NameForm | None, ...]:
    """Each name normalised once at build time (None where nothing is left to compare)."""
    return tuple(
        form if (form := name_form(value, record.schema)).tokens else None
        for value, _kind, _strength in record.names
    )


def _dense_ids() -> defaultdict[str, int]:
    """A dict giving each new string the next id (0, 1, ...) when first looked up: interning
    runs inside the dict's own lookup, with no Python call per string (tens of millions of
    keys in a large build, all in the main process)."""
    return defaultdict(count().__next__)


class _Interner:
    """Strings -> dense ids, plus the (id, value) pairs that become a `keyed` file."""

    def __init__(self) -> None:
        self.ids: defaultdict[str, int] = _dense_ids()
        self.key_ids = array("i")
        self.values = array("i")

    def add(self, text: str, value: int) -> None:
        self.key_ids.append(self.ids[text])
        self.values.append(value)

    def write(self, prefix: Path) -> int:
        write_keyed(prefix, list(self.ids), np.frombuffer(self.key_ids, dtype=np.int32),
                    np.frombuffer(self.values, dtype=np.int32))
        return len(self.ids)


class _ExactPairs(_Interner):
    """`hashed.HashedPairs` by exact string interning (after a `hashed.HashCollision`)."""

    def add_block(self, block: hashed.Block) -> None:
        self.key_ids.extend(map(self.ids.__getitem__, hashed.strings(block)))


def _pairs(exact: bool) -> hashed.HashedPairs | _ExactPairs:
    return _ExactPairs() if exact else hashed.HashedPairs()


# A name's tokens, script flag and legal-form classes: all the build keeps of its form once the
# record is written (the legal forms for consolidation: an LLC and a JSC of one name are two).
Shape = tuple[tuple[str, ...], bool, tuple[str, ...]] | None
SERIAL_RECORDS = parallel.SERIAL  # smaller collections build in-process
CHUNK = parallel.CHUNK  # records per task sent to a worker


class Prepared(NamedTuple):
    """The per-record half of the build (nearly all of its time), done by worker processes:
    the record's blob, its names' shapes and blocking keys, its ids, and whatever the caller's
    `prepare` adds (`extra`: the listed party's profile for a build from the store). Keys and
    ids come hashed (`hashed.block`): the main process appends them as arrays."""

    record: Record
    blob: bytes
    shapes: tuple[Shape, ...]
    keys: hashed.Block  # every name's blocking keys, name after name
    key_counts: tuple[int, ...]  # keys per name slot (0 where the shape is None)
    ids: hashed.Block  # the record's FtM id and our id
    extra: Any = None


def _keyed_forms(
    record: Record,
) -> tuple[tuple[NameForm | None, ...], tuple[Shape, ...], list[tuple[str, ...]]]:
    """The record's name forms, their shapes and each name's blocking keys."""
    forms = record_forms(record)
    shapes = tuple(None if f is None else (f.tokens, f.abjad, f.legal_forms) for f in forms)
    return forms, shapes, [() if s is None else tuple(token_keys(s[0], s[1])) for s in shapes]


def prepare_record(record: Record) -> Prepared:
    forms, shapes, keys = _keyed_forms(record)
    return Prepared(
        record, codec.encode(record, forms), shapes,
        hashed.block([k for name in keys for k in name]), tuple(map(len, keys)),
        hashed.block([ftm_id(record.source, record.source_id), record.id]),
    )


class Batch(NamedTuple):
    """Consecutive records prepared as one task's result (`prepare_batch`): what the main
    process appends, as a few arrays and blocks instead of an object per record and name."""

    blobs: bytes  # the records' blobs, concatenated
    blob_sizes: bytes  # int64 per record
    name_pos: bytes  # int32 per listed name: its record, counted from the batch's first
    name_slot: bytes  # int32 per listed name: its position in the record
    key_counts: bytes  # int32 per listed name: its blocking keys in `keys`
    tokens: tuple[str, ...]  # every listed name's tokens, name after name
    keys: hashed.Block  # every listed name's blocking keys, name after name
    ids: hashed.Block  # each record's FtM id and our id
    records: list[Record]  # only what the index files take besides (see `_slim`)
    extras: Any  # the caller's per-record additions (listed-party profiles, pickled)


def _slim(record: Record) -> Record:
    """The fields the main process still reads of a record (identifiers, columns, shared
    attributes and relations; the caption only for an address's party): the rest is in its
    blob already and need not be sent."""
    return record._replace(source_id="", snapshot="", names=(), birth_dates=(), programs=(),
                           listed_on=None, content_hash="",
                           caption=record.caption if record.attributes else "")


def prepare_batch(records: Iterable[Record],
                  extra: Callable[[int, Record], Any] | None = None) -> Batch:
    """`prepare_record` of consecutive records, as one `Batch`. `extra(i, record)`: the i-th
    record's addition, computed after its names were normalised (it finds their forms in
    this process's caches)."""
    blobs: list[bytes] = []
    name_pos, name_slot, key_counts = array("i"), array("i"), array("i")
    tokens: list[str] = []
    keys: list[str] = []
    ids: list[str] = []
    slim: list[Record] = []
    extras: list[Any] = []
    for i, record in enumerate(records):
        forms, shapes, name_keys = _keyed_forms(record)
        blobs.append(codec.encode(record, forms))
        for slot, shape in enumerate(shapes):
            if shape is None:
                continue
            name_pos.append(i)
            name_slot.append(slot)
            key_counts.append(len(name_keys[slot]))
            tokens.extend(shape[0])
            keys.extend(name_keys[slot])
        ids.append(ftm_id(record.source, record.source_id))
        ids.append(record.id)
        slim.append(_slim(record))
        if extra is not None:
            extras.append(extra(i, record))
    return Batch(b"".join(blobs), array("q", map(len, blobs)).tobytes(), name_pos.tobytes(),
                 name_slot.tobytes(), key_counts.tobytes(), tuple(tokens), hashed.block(keys),
                 hashed.block(ids), slim, extras)


def _add_batch(batch: Batch, first: int, out: Any, rec_off: array, name_record: array,
               name_slot: array, intern_tokens: Callable[[str], int],
               keys: hashed.HashedPairs | _ExactPairs, idents: _Interner,
               entity_ids: hashed.HashedPairs | _ExactPairs, columns: ColumnWriter,
               attrs: AttributeWriter) -> int:
    """`write_index`'s per-record steps for a whole batch starting at record `first`, in the
    same order (the same files); returns the position after its last record."""
    out.write(batch.blobs)
    sizes = np.frombuffer(batch.blob_sizes, dtype=np.int64)
    rec_off.frombytes((np.cumsum(sizes) + rec_off[-1]).tobytes())
    first_name = len(name_record)
    rel = np.frombuffer(batch.name_pos, dtype=np.int32)
    name_record.frombytes((rel + np.int32(first)).tobytes())
    name_slot.frombytes(batch.name_slot)
    counts = np.frombuffer(batch.key_counts, dtype=np.int32)
    named = np.arange(first_name, first_name + len(counts), dtype=np.int32)
    keys.values.frombytes(np.repeat(named, counts).tobytes())
    deque(map(intern_tokens, batch.tokens), 0)
    keys.add_block(batch.keys)
    pos = first
    for record in batch.records:
        for norm in dict.fromkeys(norm for _scheme, norm, _raw in record.identifiers):
            idents.add(norm, pos)
        columns.add(record)
        attrs.add(pos, record)
        pos += 1
    entity_ids.add_block(batch.ids)
    entity_ids.values.frombytes(np.repeat(np.arange(first, pos, dtype=np.int32), 2).tobytes())
    return pos


def build_workers() -> int:
    """Processes preparing records for a large build: the machine's cores, up to four."""
    return parallel.default_workers()


def write_index(
    records: Iterable[Any], snapshots: tuple[str, ...], folder: Path, version: int,
    workers: int | None = None, serial: int = SERIAL_RECORDS,
    on_names: Callable[[int, tuple[Shape, ...]], None] | None = None,
    prepare: Callable[[Any], Prepared] = prepare_record,
    observe: Callable[[Prepared], None] | None = None,
    exact: bool = False,
    batched: bool = False,
    on_records_done: Callable[[], None] | None = None,
) -> dict:
    """Build the index files into `folder` (which must exist and be empty); returns the meta.
    `records`: the records, or items that `prepare` (a module-level function, run in the
    worker processes) turns into prepared records; `observe` is given each, in order.
    `workers`: processes preparing records once the collection is large (default: the cores);
    the files are the same whatever their number. `serial`: records prepared in-process first
    (a small collection never starts workers). `on_names(pos, shapes)`: given each record's name
    tokens as they are written (the consolidation profiles reuse them). `exact`: intern keys
    and ids as strings (raises `hashed.HashCollision` otherwise, in the rarest of cases).
    `batched`: `prepare` turns each item into a `Batch` of consecutive records (a slice of
    the store that the worker reads itself; `prepare_batch`), each item one task, and
    `observe` is given each batch. `on_records_done()`: called once every record is in
    and the columns and attribute files are written, before the key, id and vocabulary
    files."""
    workers = build_workers() if workers is None else workers
    keys = _pairs(exact)
    idents = _Interner()
    entity_ids = _pairs(exact)
    key_values, id_values = keys.values, entity_ids.values
    columns = ColumnWriter()
    attrs = AttributeWriter()
    vocab = _dense_ids()
    intern_tokens = vocab.__getitem__
    name_record = array("i")
    name_slot = array("i")
    rec_off = array("q", [0])
    count = 0
    with (folder / "records.bin").open("wb") as out:
        if batched:
            if on_names is not None:
                raise ValueError("on_names: not given by a batched build (see `observe`)")
            batches = parallel.ordered_map(prepare, records, workers, serial, 1)
            pos = 0
            for batch in batches:
                pos = _add_batch(batch, pos, out, rec_off, name_record, name_slot, intern_tokens,
                                 keys, idents, entity_ids, columns, attrs)
                if observe is not None:
                    observe(batch)
            count = pos
        prepared_all = () if batched else parallel.ordered_map(prepare, records, workers,
                                                                serial, CHUNK)
        for pos, prepared in enumerate(prepared_all):
            record, blob, shapes, name_keys, key_counts, ids, _extra = prepared
            out.write(blob)
            rec_off.append(rec_off[-1] + len(blob))
            if on_names is not None:
                on_names(pos, shapes)
            for slot, shape in enumerate(shapes):
                if shape is None:
                    continue
                tokens, abjad, _legal = shape
                name_id = len(name_record)
                name_record.append(pos)
                name_slot.append(slot)
                key_values.extend(repeat(name_id, key_counts[slot]))
                deque(map(intern_tokens, tokens), 0)
            keys.add_block(name_keys)
            for norm in dict.fromkeys(norm for _scheme, norm, _raw in record.identifiers):
                idents.add(norm, pos)
            entity_ids.add_block(ids)
            id_values.extend((pos, pos))
            columns.add(record)
            attrs.add(pos, record)
            if observe is not None:
                observe(prepared)
            count = pos + 1
    columns.write(folder)
    del columns
    # Before `on_records_done`: the listed parties' linking recounts the shared addresses.
    attr_counts = attrs.write(folder)
    del attrs
    if on_records_done is not None:
        on_records_done()
    forget_token_keys()
    save_array(folder / "records.off", np.frombuffer(rec_off, dtype=np.int64))
    save_array(folder / "name_record.npy", np.frombuffer(name_record, dtype=np.int32))
    save_array(folder / "name_slot.npy", np.frombuffer(name_slot, dtype=np.int32))
    names = len(name_record)
    del name_record, name_slot, rec_off
    key_count = keys.write(folder / "keys")
    del keys
    idents.write(folder / "identifiers")
    del idents
    entity_ids.write(folder / "ids")
    del entity_ids
    tokens = list(vocab)
    del vocab
    encoded = [t.encode() for t in tokens]
    tok_off = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)),
              out=tok_off[1:])
    (folder / "vocab.str").write_bytes(b"".join(encoded))
    save_array(folder / "vocab.off", tok_off)
    del encoded
    variants = _Interner()
    for token_id, token in enumerate(tokens):
        for variant in deletes(token, MIN_INDEXED_DELETE_LEN):
            variants.add(variant, token_id)
    variants.write(folder / "deletes")
    meta = {
        "version": version, "format": FORMAT, "snapshots": list(snapshots),
        "records": count, "names": names, "keys": key_count, "tokens": len(tokens),
        "variants": len(variants.ids), "codec": codec.codec_id(), **attr_counts,
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=1))
    return meta
