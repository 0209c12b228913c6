"""A temp home with real lists (OFAC SDN 2024-05-03 + the 2025 supplement, Canada SEMA), keys,
and a real `tradescreen serve` on 127.0.0.1 in a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tradescreen.cli import app
from tradescreen.cli.screen import load_screener
from tradescreen.config import Settings, load_settings
from tradescreen.screen.party import Screener
from tradescreen.store.keys import KeyStore

LISTS = ("ofac/sdn_2024-05-03", "ofac/sdn_2025-02_add_alt_comments", "canada/sema-lmes.xml")


@dataclass(frozen=True)
class Keys:
    screen: str  # read + screen
    read: str
    admin: str
    slow: str  # screen, 1 request per second


@pytest.fixture(scope="session")
def api_home(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    home = tmp_path_factory.mktemp("api-home")
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRADESCREEN_HOME", str(home))
        for path in LISTS:
            result = runner.invoke(app, ["lists", "import", str(data_dir / path)])
            assert result.exit_code == 0, result.stderr
        # Export-control reference data, for /screen-tx.
        result = runner.invoke(app, ["controls", "import", str(data_dir / "domain")])
        assert result.exit_code == 0, result.stderr
    return home


@pytest.fixture(scope="session")
def api_settings(api_home: Path) -> Settings:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRADESCREEN_HOME", str(api_home))
        return load_settings()


@pytest.fixture(scope="session")
def keys(api_settings: Settings) -> Keys:
    with KeyStore(api_settings) as store:
        return Keys(
            screen=store.create("client", ["read,screen"])[1],
            read=store.create("reader", ["read"])[1],
            admin=store.create("ops", ["admin"])[1],
            slow=store.create("slow", ["screen"], rate_limit=1.0)[1],
        )


@pytest.fixture(scope="session")
def screener(api_settings: Settings) -> Screener:
    return load_screener(api_settings)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def worker_pids(parent: int) -> set[int]:
    """The worker processes of a `serve --workers N` parent (its children; not a
    multiprocessing resource tracker)."""
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


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Stop a `tradescreen serve` process: SIGTERM, then SIGKILL after 20 s."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def server(api_home: Path, keys: Keys, screener: Screener) -> Iterator[str]:
    """Base URL of `tradescreen serve` on a free loopback port; stopped after the session.
    (`screener` first: the index is built and cached once, the server only opens it.)"""
    port = free_port()
    log = (api_home / f"serve-{port}.log").open("wb")
    env = {**os.environ, "TRADESCREEN_HOME": str(api_home), "TRADESCREEN_API_RATE": "0"}
    env.pop("TRADESCREEN_API_NO_AUTH", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from tradescreen.cli import main; main()",
         "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # a loaded 2-core CI machine can be very slow
        while True:
            if proc.poll() is not None:
                text = (api_home / f"serve-{port}.log").read_text()[-2000:]
                raise RuntimeError(f"server exited: {text}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server not ready within 300 s")
            time.sleep(0.1)
        yield base
    finally:
        stop_server(proc)
        log.close()
