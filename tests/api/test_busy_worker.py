"""A busy API worker is waited for, not killed with the requests it holds.

uvicorn's supervisor pings every worker and kills one that does not answer within its health
timeout (5 s by default). On a large index a worker's first look at a table holds the
interpreter longer than that: at 1.5 M entities a 2-worker server lost a worker and the
requests in flight on it. A stopped process (SIGSTOP) is what a worker that cannot answer looks
like to the supervisor.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tradescreen.screen.party import Screener


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _workers(parent: int) -> set[int]:
    """The worker processes of a uvicorn parent (its children that run the app; uvicorn's
    spawn start also leaves multiprocessing's resource tracker among them)."""
    found = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (proc / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent and b"resource_tracker" not in cmd:
            found.add(int(proc.name))
    return found


def test_a_worker_busy_beyond_uvicorns_five_seconds_is_kept(
    api_home: Path, keys: object, screener: Screener
) -> None:
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
            workers = _workers(proc.pid)
            if ready and len(workers) == 2:
                break
            time.sleep(0.2)
        busy = min(workers)
        os.kill(busy, signal.SIGSTOP)
        try:
            time.sleep(8)  # beyond uvicorn's default health timeout of 5 s
        finally:
            os.kill(busy, signal.SIGCONT)
        time.sleep(1)
        assert busy in _workers(proc.pid), "the busy worker was killed: " + log.read_text()[-800:]
        assert "died" not in log.read_text()
        headers = {"Authorization": f"ApiKey {keys.screen}"}
        body = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Vladimir Putin"]}}}}
        for _ in range(6):  # both workers answer
            response = httpx.post(f"{base}/match/default", json=body, headers=headers, timeout=60)
            assert response.status_code == 200, response.text
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
