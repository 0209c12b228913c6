"""Build the index once per set of active snapshots, as files every process opens read-only.

The folder name is a hash of the active snapshot ids and the index version, so a list update (a
new active snapshot) gives a new folder and the old one is never read again. The files are
written into a temporary folder renamed into place in one step: a crash mid-build leaves no half
index (only a `.building-*` folder that is never opened, removed by a later build), and a
process that has the old folder mapped keeps reading it even after it is pruned.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import multiprocessing
import os
import pickle
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from tradescreen import parallel
from tradescreen.consolidate.profile import Profile, profile
from tradescreen.index import clusters
from tradescreen.index.build import INDEX_VERSION
from tradescreen.index.hashed import HashCollision
from tradescreen.index.mapped import IndexFormatError, MappedIndex
from tradescreen.index.records import Record, to_record
from tradescreen.index.write import (
    CHUNK,
    SERIAL_RECORDS,
    Batch,
    Prepared,
    prepare_batch,
    prepare_record,
    write_index,
)
from tradescreen.model import Entity
from tradescreen.store.api import Store
from tradescreen.store.db import Database
from tradescreen.store.sqlite import EntitySlice, read_entity_slice

# Large builds: the workers read their own slices of the store (False: the main process reads
# every row and sends it to them, the reference path).
SLICED = True
KEEP_INDEXES = 4  # older snapshot sets stay openable for look-backs without rebuilding
_STALE_BUILD_SECONDS = 24 * 3600  # a temp folder this old belongs to a build that died


def index_key(snapshot_ids: list[str]) -> str:
    text = "\n".join([f"v{INDEX_VERSION}", *sorted(snapshot_ids)])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def index_path(index_dir: Path, snapshot_ids: list[str]) -> Path:
    return index_dir / f"index-{index_key(snapshot_ids)}"


def iter_records(
    store: Store, snapshot_ids: list[str], collector: clusters.Collector | None = None
) -> Iterator[Record]:
    hashed = getattr(store, "iter_entities_hashed", None)
    for sid in snapshot_ids:
        if hashed is None:
            pairs: Iterator[tuple[Any, str | None]] = (
                (entity, None) for entity in store.iter_entities(sid))
        else:  # the import hashed every entity already: the same sha256 of the same bytes
            pairs = hashed(sid)
        for entity, digest in pairs:
            record = to_record(entity, sid) if digest is None else to_record(entity, sid, digest)
            yield record
            if collector is not None:
                collector.observe(entity, record)


# A stored entity as the build's workers get it: (position, its JSON, snapshot, content hash).
Stored = tuple[int, bytes, str, str | None]


def iter_stored(store: Store, snapshot_ids: list[str]) -> Iterator[Stored]:
    """The snapshots' entities as stored, undecoded: decoding them is the workers' job."""
    rows = getattr(store, "iter_entity_rows", None)
    pos = 0
    for sid in snapshot_ids:
        if rows is None:
            pairs: Iterator[tuple[bytes, str | None]] = (
                (entity.to_json(), None) for entity in store.iter_entities(sid))
        else:  # the import hashed every entity already: the same sha256 of the same bytes
            pairs = rows(sid)
        for data, digest in pairs:
            yield pos, data, sid, digest
            pos += 1


class Slice(NamedTuple):
    """Rows a build's worker reads from the store itself: `reopen` opens its connection
    (`Database.reopen`), `start` is the position of the slice's first record."""

    reopen: Callable[[], Database]
    part: EntitySlice
    start: int


def iter_slices(store: Store, snapshot_ids: list[str], size: int) -> list[Slice] | None:
    """The snapshots' entities as slices (`prepare_slice`), in `iter_stored`'s order; None
    when the store cannot hand its rows out so (a store without `entity_slices`, or a
    connection that cannot be reopened)."""
    cut = getattr(store, "entity_slices", None)
    reopen = getattr(getattr(store, "db", None), "reopen", None)
    if cut is None or reopen is None:
        return None
    out, start = [], 0
    for sid in snapshot_ids:
        for part in cut(sid, size):
            out.append(Slice(reopen, part, start))
            start += part.rows
    return out


# Each process's connection for reading slices, by (process, thread): a pool worker opens one
# for all its slices; the process that built in-process closes its own (`close_readers`).
_READERS: dict[tuple[int, int], Database] = {}


def _reader(reopen: Callable[[], Database]) -> Database:
    key = (os.getpid(), threading.get_ident())
    db = _READERS.get(key)
    if db is None:
        db = _READERS[key] = reopen()
    return db


def close_readers() -> None:
    _WORKER_SHARED.clear()
    db = _READERS.pop((os.getpid(), threading.get_ident()), None)
    if db is not None:
        db.close()


# Each process's one object per repeating profile value (`_shared_values`), so that a batch's
# profiles share them and pickle each once.
_WORKER_SHARED: dict[Any, Any] = {}


def prepare_slice(item: Slice) -> Batch:
    """The records of a slice as one batch, each with its listed-party profile, read and
    prepared here (in the worker processes: the main process neither reads nor forwards the
    rows, and appends each batch whole)."""
    reopen, part, start = item
    sid = part.snapshot_id
    rows = read_entity_slice(_reader(reopen), part)
    entities = [Entity.from_json(data) for data, _digest in rows]
    records = [to_record(entity, sid, digest)
               for entity, (_data, digest) in zip(entities, rows, strict=True)]
    del rows

    def extra(i: int, record: Record) -> Profile:
        return _shared_values(profile(entities[i], record, start + i), _WORKER_SHARED)

    batch = prepare_batch(records, extra)
    # The profiles as one pickle, which the main process spools to disk unread: only the
    # process that links the listed parties reads them (`build_into`).
    return batch._replace(extras=pickle.dumps(batch.extras, protocol=pickle.HIGHEST_PROTOCOL))


def prepare_stored(item: Stored) -> Prepared:
    """A stored entity decoded into its record, prepared, with its listed-party profile (all
    in the worker processes: the main process only writes what they return)."""
    pos, data, sid, digest = item
    entity = Entity.from_json(data)
    record = to_record(entity, sid) if digest is None else to_record(entity, sid, digest)
    # After prepare_record: the profile finds the names' forms in this process's cache.
    return prepare_record(record)._replace(extra=profile(entity, record, pos))


# Profile fields whose values repeat across entities (kinds, lists, country sets, and above all
# empty sets: most entities have no dates, identifiers or cross-list references).
_SHARED_FIELDS = tuple(f.name for f in dataclasses.fields(Profile)
                       if f.name not in ("pos", "id", "names"))


def _shared_values(p: Profile, shared: dict[Any, Any]) -> Profile:
    """The profile with each repeating value one object for all profiles. A profile comes
    unpickled from a worker with a new object for every value, even an empty set (216 bytes);
    the profiles of every entity stay in memory until the clusters are linked, so this took
    2.3 of their 3.4 GB at 1.5 million entities."""
    # In place: the profile is new (unpickled, or just made) and this is its one holder; a
    # dataclasses.replace per entity was a tenth of the main process's time.
    for name in _SHARED_FIELDS:
        value = getattr(p, name)
        if not value or isinstance(value, str) or len(value) == 1:
            object.__setattr__(p, name, shared.setdefault(value, value))
    return p


def load_records(store: Store, snapshot_ids: list[str]) -> list[Record]:
    return list(iter_records(store, snapshot_ids))


def load_index(
    store: Store, index_dir: Path, snapshot_ids: list[str] | None = None
) -> MappedIndex:
    """The index for the given snapshots (default: every active one), built if not on disk."""
    if snapshot_ids is None:
        snapshot_ids = sorted(s.id for s in store.active_snapshots())
    ids = sorted(snapshot_ids)
    path = index_path(index_dir, ids)
    if path.is_dir():
        try:
            return _with_parties(MappedIndex(path, INDEX_VERSION), store)
        except IndexFormatError:
            shutil.rmtree(path, ignore_errors=True)  # written by another version: rebuild
    collector = clusters.Collector()
    shared: dict[Any, Any] = {}

    def observe(prepared: Prepared) -> None:
        collector.profiles.append(_shared_values(prepared.extra, shared))

    # A collection known to be large starts its workers at once: preparing the first
    # records in-process first would leave the workers idle while the main process, the
    # build's bottleneck, does their work.
    total = sum(snap.entity_count for sid in ids if (snap := store.snapshot(sid)) is not None)
    large = total > SERIAL_RECORDS
    slices = iter_slices(store, ids, CHUNK) if large and SLICED else None

    def build(exact: bool = False) -> None:
        if slices is None:
            build_into(index_dir, path, iter_stored(store, ids), tuple(ids), collector,
                       prepare=prepare_stored, observe=observe, serial=0 if large else
                       SERIAL_RECORDS, exact=exact)
        else:  # the workers read their slices; 0: no slice is read in-process first
            build_into(index_dir, path, iter(slices), tuple(ids), collector,
                       prepare=prepare_slice, serial=0, exact=exact, batched=True)

    try:
        try:
            build()
        except HashCollision:  # two keys of one 64-bit hash: intern them as strings instead
            collector, shared = clusters.Collector(), {}
            build(exact=True)
    finally:
        close_readers()
    return _with_parties(MappedIndex(path, INDEX_VERSION), store)


def _with_parties(index: MappedIndex, store: Store) -> MappedIndex:
    """Attach the listed parties, with the analysts' splits from the store applied."""
    from tradescreen.consolidate.splits import apart_pairs

    db = getattr(store, "db", None)
    index.parties = clusters.Parties(index.folder, apart_pairs(db) if db is not None else ())
    return index


def build_into(
    index_dir: Path, path: Path, records: Iterator[Any], ids: tuple[str, ...],
    collector: clusters.Collector | None = None,
    prepare: Callable[[Any], Prepared] = prepare_record,
    observe: Callable[[Prepared], None] | None = None,
    serial: int = SERIAL_RECORDS,
    exact: bool = False,
    batched: bool = False,
) -> None:
    """`records`, `prepare`, `observe`, `serial`, `exact`, `batched`: see `write_index`."""
    index_dir.mkdir(parents=True, exist_ok=True)
    tmp = index_dir / f".building-{path.name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    # A build allocates hundreds of thousands of long-lived objects (name forms, the
    # consolidation profiles) and no reference cycles: the cyclic collector would only rescan
    # them again and again (it tripled the profiles' cost). Off for the build, as it was.
    collecting = gc.isenabled()
    gc.disable()
    try:
        # A build from stored entities profiles them in its workers (`observe`); a caller that
        # streams records through `iter_records` hands the writer's name forms to the collector.
        on_names = (collector.names if collector is not None and observe is None
                    and not batched else None)
        linker = _Linker(collector, tmp) if batched and collector is not None else None
        try:
            write_index(records, ids, tmp, INDEX_VERSION, prepare=prepare,
                        observe=observe if linker is None else linker.observe,
                        on_names=on_names, serial=serial, exact=exact, batched=batched,
                        on_records_done=None if linker is None else linker.records_done)
            if linker is not None:
                linker.finish()
            else:
                (collector or clusters.Collector()).write(tmp)
        finally:
            if linker is not None:
                linker.stop()
        for f in tmp.iterdir():  # on disk before the rename makes the folder visible
            with f.open("rb") as fh:
                os.fsync(fh.fileno())
        try:
            os.rename(tmp, path)
        except OSError:
            if not (path / "meta.json").exists():
                raise
            # Another process built the same snapshot set meanwhile: identical, keep theirs.
    finally:
        if collecting:
            gc.enable()
        shutil.rmtree(tmp, ignore_errors=True)
    _prune(index_dir, keep=KEEP_INDEXES)


class _Linker:
    """The listed parties of a batched build, linked in a process of their own.

    Forked before the workers start (while this process is small), it receives each batch's
    profiles as the workers pickled them (`prepare_slice`) and unpickles them as they come;
    once the records are in and the attribute files written, it links the parties and writes
    the clusters while this process writes the key, id and vocabulary files. This process
    never holds a profile (a third of its memory at 1.5 million entities) nor unpickles one.
    Where no process can be forked (a threaded caller), the profiles are kept here."""

    def __init__(self, collector: clusters.Collector, folder: Path) -> None:
        self.collector, self.folder = collector, folder
        self.child: Any = None
        if parallel.can_fork():
            ctx = multiprocessing.get_context("fork")
            receive, self.send = ctx.Pipe(duplex=False)
            self.child = ctx.Process(target=_link_received,
                                     args=(collector, folder, receive, self.send), daemon=True)
            self.child.start()
            receive.close()

    def observe(self, batch: Batch) -> None:
        if self.child is None:
            self.collector.profiles.extend(pickle.loads(batch.extras))
        else:
            self.send.send_bytes(batch.extras)

    def records_done(self) -> None:
        if self.child is not None:
            self.send.send_bytes(b"")  # every profile sent: link
            self.send.close()

    def finish(self) -> None:
        if self.child is None:
            self.collector.write(self.folder)
            return
        self.child.join()
        if self.child.exitcode != 0:
            raise RuntimeError(f"linking the listed parties failed (exit code "
                               f"{self.child.exitcode})")

    def stop(self) -> None:
        """After `finish`, or on an error: the child is gone either way."""
        if self.child is not None:
            self.send.close()
            if self.child.is_alive():
                self.child.terminate()
            self.child.join()


def _link_received(collector: clusters.Collector, folder: Path, receive: Any,
                   send: Any) -> None:
    send.close()  # a parent that fails mid-build closes its end: EOFError here, no wait
    profiles: list[Profile] = []
    while data := receive.recv_bytes():
        profiles.extend(pickle.loads(data))
    collector.profiles = profiles
    collector.write(folder)


def _prune(index_dir: Path, keep: int) -> None:
    """Drop all but the newest indexes (a process still reading one keeps its mapped files),
    the files of index version 6 and older, and temp folders of builds that died."""
    built = sorted(
        (p for p in index_dir.glob("index-*") if p.is_dir()),
        key=lambda p: p.stat().st_mtime, reverse=True,
    )
    for old in built[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    # Index version 6 and older: one pickle per set, book weights beside it.
    for legacy in (*index_dir.glob("index-*.pkl"), *index_dir.glob("book-*.npy")):
        legacy.unlink(missing_ok=True)
    now = time.time()
    for tmp in index_dir.glob(".building-*"):
        try:
            if now - tmp.stat().st_mtime > _STALE_BUILD_SECONDS:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            pass
