"""Screening never waits for the store's write lock, and no audit event is lost on the way
(issue 14: /match waited 20 s and /healthz timed out while an import held the lock).

The lock is the audit chain's own: `AuditLog.lock_head()` inside `db.write()` is what an import,
a purge or a decision holds (SQLite: the writer flock + BEGIN IMMEDIATE; PostgreSQL: the chain
head row FOR UPDATE), so the same test covers both backends."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson
import pytest

from tradescreen.api.app import AUDIT_SPOOL
from tradescreen.api.audit_writer import SUFFIX, AuditWriter
from tradescreen.cases.audit import open_sink
from tradescreen.events import Event, MemorySink

from .conftest import free_port

LOCK_SECONDS = 8.0


@contextmanager
def write_lock_held(settings, seconds: float = LOCK_SECONDS) -> Iterator[threading.Event]:
    """Another writer holds the audit chain's write lock for `seconds` (or until released)."""
    ready, release = threading.Event(), threading.Event()

    def hold() -> None:
        with open_sink(settings) as sink:
            log = sink.log()
            with log.db.write():
                log.lock_head()
                ready.set()
                release.wait(seconds)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert ready.wait(30), "could not take the write lock"
    try:
        yield release
    finally:
        release.set()
        thread.join(30)


def records_with(settings, request_id: str) -> int:
    with open_sink(settings) as sink:
        rows = sink.log().db.fetchall("SELECT data FROM audit_log WHERE kind = 'screening'")
    return sum(1 for (data,) in rows if orjson.loads(data).get("request_id") == request_id)


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def request_ids(settings, subject_actor: str) -> list[str]:
    with open_sink(settings) as sink:
        rows = sink.log().db.fetchall(
            "SELECT data FROM audit_log WHERE kind = 'screening' AND actor = ?", (subject_actor,))
    return [orjson.loads(data).get("request_id") for (data,) in rows]


QUERY = {"queries": {"lock": {"schema": "Company",
                              "properties": {"name": ["Qods Aviation Industry"]}}}}


def test_screening_and_health_do_not_wait_for_a_writer(server: str, keys, api_settings):
    headers = {"Authorization": f"ApiKey {keys.screen}"}
    before = len(request_ids(api_settings, "key:client"))
    with write_lock_held(api_settings):
        # Client timeouts well under the lock's hold: before the fix both requests waited
        # for the lock (the event loop itself was blocked by the audit append).
        assert httpx.get(f"{server}/healthz", timeout=2).status_code == 200
        r = httpx.post(f"{server}/match/default", json=QUERY, headers=headers, timeout=3)
        assert r.status_code == 200 and r.json()["responses"]["lock"]["results"]
        assert httpx.get(f"{server}/healthz", timeout=2).status_code == 200
        r = httpx.post(f"{server}/screen", json={"name": "Qods Aviation Industry"},
                       headers=headers, timeout=3)
        assert r.status_code == 200
    # Once the lock is free, the spooled events reach the audit log.
    assert wait_for(lambda: len(request_ids(api_settings, "key:client")) >= before + 2)


def _serve(home: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "TRADESCREEN_HOME": str(home), "TRADESCREEN_API_RATE": "0",
           "TRADESCREEN_API_RELOAD": "0"}
    env.pop("TRADESCREEN_API_NO_AUTH", None)
    return subprocess.Popen(
        [sys.executable, "-c", "from tradescreen.cli import main; main()",
         "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def test_killed_server_loses_no_audit_event(api_home: Path, api_settings, keys, screener):
    from tradescreen.store.keys import KeyStore

    port = free_port()
    # A key of its own: other tests on this home record events under the shared keys.
    name = f"killed-{port}"
    with KeyStore(api_settings) as store:
        own_key = store.create(name, ["screen"])[1]
    actor = f"key:{name}"
    proc = _serve(api_home, port)  # opens the index `screener` built and cached
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: _ready(base), 300), "server did not start"
        with write_lock_held(api_settings):
            r = httpx.post(f"{base}/match/default", json=QUERY, timeout=3,
                           headers={"Authorization": f"ApiKey {own_key}"})
            assert r.status_code == 200
            # Answered but not yet appended (the lock is held): kill -9 now.
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    spools = list((api_home / AUDIT_SPOOL).glob(f"{proc.pid}-*{SUFFIX}"))
    assert spools, "the answered request left no spooled event"
    assert actor not in _actors(api_settings)
    # The next writer on this home appends what the dead one left.
    writer = AuditWriter(open_sink(api_settings), api_home / AUDIT_SPOOL)
    writer.start()
    try:
        assert wait_for(lambda: actor in _actors(api_settings))
        assert wait_for(lambda: not any(p.exists() for p in spools))
    finally:
        writer.close()
    ids = request_ids(api_settings, actor)
    assert len(ids) == 1 and ids[0]


def _actors(settings) -> set[str]:
    with open_sink(settings) as sink:
        rows = sink.log().db.fetchall("SELECT DISTINCT actor FROM audit_log")
    return {row[0] for row in rows}


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def test_event_appended_just_before_a_kill_is_not_appended_twice(api_settings, tmp_path):
    spool_dir = tmp_path / "spool"
    sink = open_sink(api_settings)
    first = AuditWriter(sink, spool_dir)
    first.emit(Event("screening", "key:twice", "sha256:twice", {"endpoint": "/screen"}))
    assert first.flush(10)
    spool = next(spool_dir.glob(f"*{SUFFIX}"))
    # A copy of the spool with its checkpoint at 0: as if the process died after the append
    # committed and before the checkpoint moved.
    orphan = spool_dir / f"orphan{SUFFIX}"
    shutil.copy(spool, orphan)
    (spool_dir / f"orphan{SUFFIX}.done").write_text("0")
    first.close()
    (request_id,) = request_ids(api_settings, "key:twice")
    second = AuditWriter(sink, spool_dir)
    second.start()
    try:
        assert wait_for(lambda: not orphan.exists())
    finally:
        second.close()
    assert records_with(api_settings, request_id) == 1


def test_events_wait_for_a_failing_sink_and_keep_their_order():
    class Flaky(MemorySink):
        def __init__(self) -> None:
            super().__init__()
            self.failures = 3

        def emit(self, event: Event) -> None:
            if self.failures:
                self.failures -= 1
                raise OSError("database is locked")
            super().emit(event)

    sink = Flaky()
    writer = AuditWriter(sink)
    for i in range(5):
        writer.emit(Event("screening", "key:flaky", f"s{i}"))
    try:
        assert writer.flush(20)
    finally:
        writer.close()
    assert [e.subject for e in sink.events] == [f"s{i}" for i in range(5)]
    assert len({e.data["request_id"] for e in sink.events}) == 5


@pytest.mark.parametrize("size", [10, 3000])
def test_spool_survives_many_events_and_empties_when_drained(size: int, tmp_path):
    sink = MemorySink()
    writer = AuditWriter(sink, tmp_path)
    big = {"screenings": [{"row": "x" * 500}]}
    for i in range(size):
        writer.emit(Event("screening", "key:bulk", f"s{i}", big))
    assert writer.flush(60)
    assert [e.subject for e in sink.events] == [f"s{i}" for i in range(size)]
    writer.close()
    assert not list(tmp_path.glob(f"*{SUFFIX}*"))
