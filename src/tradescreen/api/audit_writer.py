"""Audit events leave the request path at once, and are never lost.

Appending to the audit log takes the database's write lock (one writer per SQLite file, the
chain head row on PostgreSQL). A request that appended itself waited for every import, purge or
decision in any process: 20 s for `/match` while a list import ran, and the event loop (health
checks included) stalled with it. So `AuditWriter.emit` only writes the event as one JSON line
to a spool file and returns; a background thread appends spooled events to the real sink, in
order, retrying while the database is locked or down.

Durability: the spool line is written (one `write`, no fsync: the same guarantee as the audit
log's own `synchronous=NORMAL` commits) before the response is sent, so a kill -9 loses nothing
that was answered. A spool holds its owner's `flock` while the process lives; the next server
to start on the same home finds spools whose lock is free and appends what they hold after
their checkpoint (the byte offset of the last appended event, written after each append). The
one event that may have been appended just before a kill, with its checkpoint not yet written,
is recognised by its `request_id` and not appended twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import tempfile
import threading
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from tradescreen.events import Event, EventSink

log = logging.getLogger("tradescreen.api.audit")

SUFFIX = ".spool"
TRUNCATE_AT = 1 << 20  # a drained spool larger than this is emptied
_READ = 1 << 20
_RETRY_MAX = 5.0


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _encode(event: Event) -> bytes:
    return orjson.dumps({
        "kind": event.kind, "actor": event.actor, "subject": event.subject, "data": event.data,
        "snapshots": list(event.snapshots), "spooled_at": _now(),
    }, option=orjson.OPT_NON_STR_KEYS) + b"\n"


def _decode(line: bytes) -> tuple[Event, str]:
    raw = orjson.loads(line)
    event = Event(raw["kind"], raw["actor"], raw["subject"], raw["data"],
                  tuple(raw["snapshots"]))
    return event, raw["spooled_at"]


class Spool:
    """A spool file and its checkpoint (`<name>.done`: how many bytes are appended already).

    `Spool.create(dir)`: this process's own, created under a temporary name and renamed only
    once its lock is held, so no other process ever sees it unlocked and takes it for a dead
    one's. `Spool(path)`: another process's, to recover. `Spool.private()`: an unnamed file
    (gone with the process), for sinks that do not outlive it either.
    """

    def __init__(self, path: Path | None, fd: int | None = None) -> None:
        self.path = path
        self.fd = fd if fd is not None else os.open(path, os.O_RDWR)  # type: ignore[arg-type]
        self.done_fd: int | None = None
        self.done = 0
        if path is not None:
            self.done_fd = os.open(self.done_path, os.O_RDWR | os.O_CREAT, 0o600)
            raw = os.pread(self.done_fd, 32, 0).strip()
            self.done = int(raw) if raw.isdigit() else 0
        self.end = os.fstat(self.fd).st_size

    @classmethod
    def create(cls, spool_dir: Path) -> Spool:
        spool_dir.mkdir(parents=True, exist_ok=True)
        name = f"{os.getpid()}-{uuid.uuid4().hex[:12]}{SUFFIX}"
        temp = spool_dir / f".{name}.new"
        fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)  # held while this process lives: not an orphan
        os.rename(temp, spool_dir / name)
        return cls(spool_dir / name, fd)

    @classmethod
    def private(cls) -> Spool:
        fd, name = tempfile.mkstemp(prefix="tradescreen-audit-")
        os.unlink(name)  # unnamed: nothing to clean up, nothing for another process to find
        return cls(None, fd)

    @property
    def done_path(self) -> Path:
        assert self.path is not None
        return self.path.with_name(self.path.name + ".done")

    def try_lock(self) -> bool:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def append(self, line: bytes) -> None:
        written = 0
        try:
            written = os.pwrite(self.fd, line, self.end)
            if written != len(line):
                raise OSError(f"short write to the audit spool ({written} of {len(line)})")
        except OSError:
            # Leave no torn line behind: the next event must start on a line of its own.
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, self.end)
            raise
        self.end += written

    def pending(self) -> list[tuple[int, bytes]]:
        """Whole lines after the checkpoint (up to ~1 MB), with each line's end offset."""
        data = os.pread(self.fd, min(self.end - self.done, _READ), self.done)
        out, pos = [], self.done
        for line in data.split(b"\n")[:-1]:  # the last piece is incomplete or empty
            pos += len(line) + 1
            out.append((pos, line))
        if not out and self.end - self.done > _READ:  # one line over the read size
            line = os.pread(self.fd, self.end - self.done, self.done).split(b"\n", 1)[0]
            out.append((self.done + len(line) + 1, line))
        return out

    def mark(self, offset: int) -> None:
        if self.done_fd is not None:
            os.pwrite(self.done_fd, f"{offset:020d}\n".encode(), 0)
        self.done = offset

    def reset(self) -> None:
        """Empty a drained spool (file first: a kill in between leaves nothing to replay)."""
        os.ftruncate(self.fd, 0)
        self.end = 0
        self.mark(0)

    def remove(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.done_path.unlink(missing_ok=True)

    def close(self) -> None:
        if self.done_fd is not None:
            os.close(self.done_fd)
        os.close(self.fd)


class AuditWriter:
    """An `EventSink` in front of the real one (the audit log): `emit` spools and returns."""

    def __init__(self, sink: EventSink, spool_dir: Path | None = None) -> None:
        self.sink = sink
        # Without a directory the spool is private to this process: nothing is recovered from
        # it after a kill (right for an in-memory sink, whose events die with the process too).
        self.spool_dir = Path(spool_dir) if spool_dir else None
        self._spool: Spool | None = None
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closing = False
        self.failures = 0  # consecutive failed appends (the database is locked or down)

    # -- the request side ------------------------------------------------------------------

    def emit(self, event: Event) -> None:
        """Spool the event (raises OSError if it cannot be written: refuse the request)."""
        event = replace(event, data={**event.data, "request_id": uuid.uuid4().hex})
        line = _encode(event)
        with self._cond:
            spool = self._open()
            spool.append(line)
            self._cond.notify_all()
        self.start()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every spooled event is appended; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._spool is not None and self._spool.done < self._spool.end:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.1))
        return True

    # -- the writer thread -----------------------------------------------------------------

    def start(self) -> None:
        with self._cond:
            if self._thread is None and not self._closing:
                self._thread = threading.Thread(target=self._run, name="audit-writer",
                                                 daemon=True)
                self._thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """Append what is spooled (up to `timeout`), stop, and drop a drained spool; a spool
        still holding events stays for the next start to append."""
        drained = self.flush(timeout)
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5.0)
        with self._cond:
            spool, self._spool = self._spool, None
            if spool is not None:
                if drained and spool.done >= spool.end:
                    spool.remove()
                spool.close()

    def _open(self) -> Spool:
        if self._spool is None:
            self._spool = Spool.create(self.spool_dir) if self.spool_dir else Spool.private()
        return self._spool

    def _run(self) -> None:
        if self.spool_dir is not None:
            self._recover_orphans()
        while True:
            with self._cond:
                while not self._closing and (self._spool is None
                                             or self._spool.done >= self._spool.end):
                    self._cond.wait(1.0)
                if self._closing:
                    return
                spool = self._spool
                assert spool is not None
                batch = spool.pending()
            for end, line in batch:
                if not self._append(line):
                    break  # retried from the same line after the back-off
                with self._cond:
                    spool.mark(end)
                    if spool.done >= spool.end and spool.end > TRUNCATE_AT:
                        spool.reset()
                    self._cond.notify_all()

    def _append(self, line: bytes, *, check_duplicate: bool = False) -> bool:
        try:
            event, spooled_at = _decode(line)
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.error("unreadable audit spool line skipped: %r", line[:200])
            return True
        try:
            if check_duplicate and _recorded(self.sink, event, spooled_at):
                return True
            self.sink.emit(event)
        except Exception as exc:
            self.failures += 1
            wait = min(_RETRY_MAX, 0.05 * 2 ** min(self.failures, 7))
            if self.failures in (1, 10) or self.failures % 100 == 0:
                log.warning("audit append failed %d time(s), retrying (events are spooled): "
                            "%s", self.failures, exc)
            with self._cond:
                self._cond.wait(wait)
            return False
        self.failures = 0
        return True

    def _recover_orphans(self) -> None:
        """Append what spools of dead processes hold (their flock is free), then remove them."""
        own = self._spool.path if self._spool else None
        assert self.spool_dir is not None
        for path in sorted(self.spool_dir.glob(f"*{SUFFIX}")):
            if path == own:
                continue
            try:
                spool = Spool(path)
            except FileNotFoundError:
                continue  # another process recovered it meanwhile
            try:
                if not spool.try_lock():
                    continue  # its process is alive
                if not _same_file(spool):  # recovered and removed after we opened it
                    spool.done_path.unlink(missing_ok=True)
                    continue
                first = True
                while spool.done < spool.end and not self._closing:
                    batch = spool.pending()
                    for end, line in batch:
                        if not self._append(line, check_duplicate=first):
                            break
                        first = False
                        spool.mark(end)
                if spool.done >= spool.end:
                    log.info("appended the audit events left by %s", path.name)
                    spool.remove()
            finally:
                spool.close()


def _same_file(spool: Spool) -> bool:
    assert spool.path is not None
    try:
        return os.stat(spool.path).st_ino == os.fstat(spool.fd).st_ino
    except FileNotFoundError:
        return False


def _recorded(sink: Any, event: Event, spooled_at: str) -> bool:
    """Whether the audit log already holds this event (appended just before a kill)."""
    from tradescreen.cases.audit import AuditSink

    if not isinstance(sink, AuditSink):
        return False
    since = (datetime.fromisoformat(spooled_at.replace("Z", "+00:00")) - timedelta(seconds=5))
    since_text = since.isoformat(timespec="microseconds").replace("+00:00", "Z")
    rows = sink.log().db.fetchall(
        "SELECT data FROM audit_log WHERE at >= ? AND kind = ? AND subject = ?",
        (since_text, event.kind, event.subject),
    )
    wanted = event.data.get("request_id")
    return any(orjson.loads(row[0]).get("request_id") == wanted for row in rows)
