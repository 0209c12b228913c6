"""Concurrent writers keep the chain linear; kill -9 mid-write leaves a consistent store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tradescreen.cases.alerts import get_alert, record_screening
from tradescreen.cases.audit import AuditLog
from tradescreen.events import Event
from tradescreen.store.db import Database, open_postgresql, open_sqlite

from .backend import pg_url
from .helpers import migrated
from .worker import PAUSED

WORKER = str(Path(__file__).with_name("worker.py"))


@pytest.fixture(params=["sqlite", "postgresql"])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a new schema on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield str(tmp_path / "t.db")
        return
    url = pg_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield f"{url}#{schema}"
    with open_postgresql(url) as db:
        db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def open_db(spec: str) -> Database:
    if spec.startswith("postgresql://"):
        url, _, schema = spec.partition("#")
        return migrated(open_postgresql(url, schema))
    return migrated(open_sqlite(Path(spec)))


def start(spec: str, *args: str, at: float = 0.0) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(WORKER).parent), "WORKER_START_AT": str(at)}
    return subprocess.Popen(
        [sys.executable, WORKER, spec, *args], env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def test_concurrent_processes_keep_the_chain_linear(spec: str) -> None:
    with open_db(spec) as db:
        AuditLog(db, config_hash="c" * 64).append("import", "setup", "s", {})
    # All four start appending at the same moment (after their imports and connects).
    at = time.time() + 2.0
    procs = [start(spec, "append", "40", str(w), at=at) for w in range(4)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with open_db(spec) as db:
        log = AuditLog(db, config_hash="c" * 64)
        assert log.verify().message() == "chain valid: 161 records"
        records = list(log.records())
        assert [r.seq for r in records] == list(range(1, 162))
        actors = [r.actor for r in records[1:]]
        assert sorted(set(actors)) == [f"worker-{w}" for w in range(4)]
        assert all(actors.count(a) == 40 for a in set(actors))


def kill_when_paused(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert PAUSED in line, proc.stderr.read() if proc.stderr else line
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def test_kill_9_mid_append_loses_nothing_committed(spec: str) -> None:
    with open_db(spec) as db:
        log = AuditLog(db, config_hash="c" * 64)
        for i in range(3):
            log.append("import", "setup", f"s{i}", {})
    kill_when_paused(start(spec, "append", "1", "k", "pause"))
    with open_db(spec) as db:
        log = AuditLog(db, config_hash="c" * 64)
        assert log.verify().message() == "chain valid: 3 records"
        if db.dialect == "sqlite":
            assert db.fetchone("PRAGMA integrity_check")[0] == "ok"
        # The lock died with the process: the next writer goes straight on.
        log.append("import", "after", "s", {})
        assert log.verify().message() == "chain valid: 4 records"


def test_kill_9_mid_decision_keeps_alert_and_chain_consistent(spec: str) -> None:
    with open_db(spec) as db:
        log = AuditLog(db, config_hash="c" * 64)
        result = {"source": "l", "source_id": "1", "snapshot": "s", "caption": "X",
                  "score": 0.9, "decision": "match", "content_hash": "h" * 64}
        record_screening(log, Event("screening", "bob", "q", {
            "query": {"name": "X"}, "results": [result]}))
    kill_when_paused(start(spec, "decide", "1", "pause"))
    with open_db(spec) as db:
        log = AuditLog(db, config_hash="c" * 64)
        assert log.verify().message() == "chain valid: 2 records"
        alert = get_alert(db, 1)
        assert alert is not None and (alert.status, alert.decision_id) == ("open", None)
        assert db.fetchone("SELECT COUNT(*) FROM decisions")[0] == 0
    # And the decision simply works when made again.
    proc = start(spec, "decide", "1")
    assert proc.wait(timeout=60) == 0
    with open_db(spec) as db:
        assert AuditLog(db, config_hash="c" * 64).verify().message() == "chain valid: 3 records"
        assert get_alert(db, 1).status == "decided"  # type: ignore[union-attr]
