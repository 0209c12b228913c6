"""`tradescreen serve --workers 2`: workers forked from the warmed parent, supervised.

uvicorn's own supervisor spawned fresh workers (nothing of the parent's heap shared: 630 MB
private each at 1.5 M entities) and killed one that left its health ping unanswered for 5 s; on
a large index a worker's first look at a table holds the interpreter longer than that, and a
2-worker server lost a worker and the requests in flight on it. A stopped process (SIGSTOP) is
what a worker that cannot answer looks like to the supervisor; while one worker is stopped,
every connection goes to the other, which is how each worker is made to answer here.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tradescreen.screen.party import Screener

from .conftest import stop_server, worker_pids


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _shared_dirty_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Shared_Dirty:"):
            return int(line.split()[1]) // 1024
    raise AssertionError("no Shared_Dirty in smaps_rollup")


def _answers_alone(base: str, worker: int, workers: set[int], headers: dict[str, str]) -> None:
    """`worker` answers /match while every other worker is stopped."""
    others = workers - {worker}
    for pid in others:
        os.kill(pid, signal.SIGSTOP)
    try:
        response = httpx.post(f"{base}/match/default", json=BODY, headers=headers, timeout=60)
        assert response.status_code == 200, response.text
        assert response.json()["responses"]["q"]["results"], response.text
    finally:
        for pid in others:
            os.kill(pid, signal.SIGCONT)


BODY = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Vladimir Putin"]}}}}


@pytest.fixture(scope="module")
def two_workers(api_home: Path, keys: object, screener: Screener
                ) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    """A `serve --workers 2` process, its base URL and its log, once both workers are up."""
    port = _free_port()
    env = {**os.environ, "TRADESCREEN_HOME": str(api_home), "TRADESCREEN_API_RATE": "0"}
    env.pop("TRADESCREEN_API_NO_AUTH", None)
    log = api_home / f"serve-busy-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from tradescreen.cli import main; main()",
             "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            assert proc.poll() is None, log.read_text()[-2000:]
            assert time.monotonic() < deadline, "server not ready within 300 s"
            try:
                ready = httpx.get(f"{base}/readyz", timeout=5).status_code == 200
            except httpx.TransportError:
                ready = False
            workers = worker_pids(proc.pid)
            if ready and len(workers) == 2:
                break
            time.sleep(0.2)
        yield proc, base, log
    finally:
        stop_server(proc)


def _wait_for_workers(proc: subprocess.Popen[bytes], log: Path, count: int,
                      old: set[int] = frozenset()) -> set[int]:
    deadline = time.monotonic() + 120
    while True:
        assert proc.poll() is None, log.read_text()[-2000:]
        workers = worker_pids(proc.pid)
        if len(workers) == count and not (workers & old):
            return workers
        assert time.monotonic() < deadline, f"workers {workers}: " + log.read_text()[-2000:]
        time.sleep(0.2)


def test_workers_are_forked_from_the_warmed_parent_and_replaced_when_they_die(
    two_workers: tuple[subprocess.Popen[bytes], str, Path], keys: object
) -> None:
    proc, base, log = two_workers
    headers = {"Authorization": f"ApiKey {keys.screen}"}
    workers = _wait_for_workers(proc, log, 2)
    for pid in workers:
        # Pages the parent wrote before the fork (the interpreter, the app's modules, the
        # index's tables) stay shared; a spawned worker shares no written page at all.
        assert _shared_dirty_mb(pid) >= 20, Path(f"/proc/{pid}/smaps_rollup").read_text()
        _answers_alone(base, pid, workers, headers)
    dead = min(workers)
    os.kill(dead, signal.SIGKILL)
    replaced = _wait_for_workers(proc, log, 2, {dead})  # the dead one gone, another started
    assert f"worker {dead} died (signal SIGKILL)" in log.read_text()
    (new,) = replaced - workers
    assert _shared_dirty_mb(new) >= 20
    _answers_alone(base, new, replaced, headers)
    _answers_alone(base, max(workers), replaced, headers)


def test_a_worker_busy_beyond_uvicorns_five_seconds_is_kept(
    two_workers: tuple[subprocess.Popen[bytes], str, Path], keys: object
) -> None:
    proc, base, log = two_workers
    workers = _wait_for_workers(proc, log, 2)
    died_before = log.read_text().count("died")
    busy = min(workers)
    os.kill(busy, signal.SIGSTOP)
    try:
        time.sleep(8)  # beyond uvicorn's default health timeout of 5 s
    finally:
        os.kill(busy, signal.SIGCONT)
    time.sleep(1)
    assert busy in worker_pids(proc.pid), "the busy worker was killed: " + log.read_text()[-800:]
    assert log.read_text().count("died") == died_before
    headers = {"Authorization": f"ApiKey {keys.screen}"}
    for pid in workers:  # both workers answer
        _answers_alone(base, pid, workers, headers)


def test_sigterm_stops_the_workers_and_the_server_cleanly(
    api_home: Path, screener: Screener
) -> None:
    port = _free_port()
    env = {**os.environ, "TRADESCREEN_HOME": str(api_home)}
    log = api_home / f"serve-stop-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from tradescreen.cli import main; main()",
             "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
             "--no-auth"], env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        workers = _wait_for_workers(proc, log, 2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log.read_text()[-2000:]
        for pid in workers:
            assert not Path(f"/proc/{pid}").exists() or b"zombie" in Path(
                f"/proc/{pid}/status").read_bytes().lower()
        assert "died" not in log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
