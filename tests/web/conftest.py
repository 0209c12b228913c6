"""A workbench home with real lists (OFAC SDN 2024-02-20, export-control reference data, and an
FtM file whose listed name is hostile markup), four user keys, and helpers to sign in."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest
from typer.testing import CliRunner

from tradescreen.cli import app
from tradescreen.config import Settings, load_settings
from tradescreen.store.keys import KeyStore

HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_ENTITY = {
    "id": "hostile-1", "schema": "Company", "datasets": ["hostile_test"],
    "properties": {"name": [f"{HOSTILE} Trading Company"], "country": ["ir"],
                   "notes": ["<script>alert(2)</script>"]},
}


@dataclass(frozen=True)
class Keys:
    alice: str  # read, screen, cases
    bob: str  # read, cases: the second pair of eyes
    ops: str  # admin
    viewer: str  # read only


def cli(home: Path, *args: str) -> str:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRADESCREEN_HOME", str(home))
        result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, f"{args}: {result.stderr}"
    return result.stdout


@pytest.fixture(scope="session")
def web_home(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    home = tmp_path_factory.mktemp("web-home")
    cli(home, "lists", "import", str(data_dir / "ofac" / "sdn_2024-02-20"))
    cli(home, "controls", "import", str(data_dir / "domain"))
    hostile = home / "hostile.ftm.json"
    hostile.write_bytes(orjson.dumps(HOSTILE_ENTITY) + b"\n")
    cli(home, "lists", "import", str(hostile))
    return home


@pytest.fixture(scope="session")
def web_settings(web_home: Path) -> Settings:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRADESCREEN_HOME", str(web_home))
        return load_settings()


@pytest.fixture(scope="session")
def web_keys(web_settings: Settings) -> Keys:
    with KeyStore(web_settings) as store:
        return Keys(
            alice=store.create("alice", ["read,screen,cases"])[1],
            bob=store.create("bob", ["read,cases"])[1],
            ops=store.create("ops", ["admin"])[1],
            viewer=store.create("viewer", ["read"])[1],
        )


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


def sign_in(client: httpx.Client, key: str) -> None:
    """Sign in through the form, as a browser does (login CSRF cookie included)."""
    page = client.get("/ui/login")
    response = client.post("/ui/login", data={"csrf_token": csrf_of(page.text), "key": key,
                                              "next": "/ui/"})
    assert response.status_code == 303, response.text[:500]
    assert response.headers["location"] == "/ui/"


# -- a real `tradescreen serve` -------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def web_server(web_home: Path, web_keys: Keys) -> Iterator[str]:
    port = _free_port()
    log_path = web_home / f"serve-{port}.log"
    log = log_path.open("wb")
    env = {**os.environ, "TRADESCREEN_HOME": str(web_home), "TRADESCREEN_API_RATE": "0",
           "TRADESCREEN_API_RELOAD": "1"}
    env.pop("TRADESCREEN_API_NO_AUTH", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from tradescreen.cli import main; main()",
         "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server not ready within 90 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


# -- Debian's Chromium, driven by Playwright (no browser download) -----------------------------

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        message = "Chromium not found: apt-get install -y chromium (the browser tests need it)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # the dev extra pins it
        pytest.fail("playwright is not installed: pip install -e '.[dev]'")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
