"""`lists fetch` against a real local HTTP server laid out like the official URLs."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from tradescreen.cli import app
from tradescreen.sources import fetch

runner = CliRunner()
SDN_URLS = fetch.TARGETS["us_ofac_sdn"].urls


@dataclass
class Behaviour:
    """What the test server does, changed by tests between requests."""

    root: Path
    # url path -> "500" | "truncate" | "bad-digest" | "good-digest"
    modes: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)


def make_handler(behaviour: Behaviour) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            behaviour.requests.append((self.path, dict(self.headers.items())))
            mode = behaviour.modes.get(self.path)
            if mode == "500":
                self.send_error(500, "Internal Server Error")
                return
            path = behaviour.root / self.path.lstrip("/")
            if not path.is_file():
                self.send_error(404)
                return
            body = path.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", formatdate(path.stat().st_mtime, usegmt=True))
            if mode in {"good-digest", "bad-digest"}:
                digest = hashlib.sha256(body if mode == "good-digest" else b"other").digest()
                self.send_header("Repr-Digest", f"sha-256=:{base64.b64encode(digest).decode()}:")
            self.end_headers()
            if mode == "truncate":
                # Promise the whole file, send half, hang up: what a dropped connection looks like.
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


@pytest.fixture()
def server(tmp_path: Path, data_dir: Path) -> Iterator[tuple[str, Behaviour]]:
    root = tmp_path / "server"
    for url in SDN_URLS:
        local = root / urlsplit(url).path.lstrip("/")
        local.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(data_dir / "ofac" / "sdn_2021-07_full_set" / local.name, local)
    un = root / urlsplit(fetch.TARGETS["un_sc"].urls[0]).path.lstrip("/")
    un.parent.mkdir(parents=True)
    shutil.copy(data_dir / "un" / "consolidated.xml", un)
    behaviour = Behaviour(root)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(behaviour))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", behaviour
    finally:
        httpd.shutdown()
        httpd.server_close()


def fetch_json(base: str, *extra: str) -> tuple[int, object, str]:
    result = runner.invoke(app, ["lists", "fetch", "us_ofac_sdn", "--base-url", base, "--json",
                                 *extra])
    return result.exit_code, json.loads(result.stdout) if result.stdout else None, result.stderr


def status() -> list[dict]:
    result = runner.invoke(app, ["lists", "status", "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def download_dir(home: Path) -> Path:
    return home / "downloads" / "us_ofac_sdn"


def test_fetch_imports_then_304_is_not_modified(
    home: Path, server: tuple[str, Behaviour], data_dir: Path
) -> None:
    base, behaviour = server
    code, out, err = fetch_json(base)
    assert code == 0, err
    [first] = out
    assert first["status"] == "imported" and first["source"] == "us_ofac_sdn"
    assert first["entities"] == 8976
    src = data_dir / "ofac" / "sdn_2021-07_full_set"
    for f in first["files"]:
        expected = hashlib.sha256((src / f["name"]).read_bytes()).hexdigest()
        assert f["status"] == "downloaded" and f["sha256"] == expected
        assert (download_dir(home) / f["name"]).read_bytes() == (src / f["name"]).read_bytes()
        assert first["hashes"][f["name"]] == expected
    assert not list(download_dir(home).glob(".staging-*"))

    behaviour.requests.clear()
    code, out, err = fetch_json(base)
    assert code == 0, err
    assert out[0]["status"] == "not_modified"
    assert {f["status"] for f in out[0]["files"]} == {"not_modified"}
    assert all("If-None-Match" in headers for _, headers in behaviour.requests)
    assert [s["snapshot"] for s in status()] == [first["snapshot"]]


def test_changed_file_on_server_gives_new_snapshot(
    home: Path, server: tuple[str, Behaviour], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, behaviour = server
    # The base URL can come from the environment too (site-wide mirror configuration).
    monkeypatch.setenv("TRADESCREEN_FETCH_BASE_URL", base)
    result = runner.invoke(app, ["lists", "fetch", "us_ofac_sdn", "--json"])
    assert result.exit_code == 0, result.stderr
    old = json.loads(result.stdout)[0]["snapshot"]

    shutil.copy(
        data_dir / "ofac" / "sdn_2024-05-03" / "sdn.csv", behaviour.root / "ofac/downloads/sdn.csv"
    )
    result = runner.invoke(app, ["lists", "fetch", "us_ofac_sdn", "--json"])
    assert result.exit_code == 0, result.stderr
    [out] = json.loads(result.stdout)
    assert out["status"] == "imported" and out["replaced"] == old
    by_name = {f["name"]: f["status"] for f in out["files"]}
    assert by_name == {"sdn.csv": "downloaded", "add.csv": "not_modified",
                       "alt.csv": "not_modified", "sdn_comments.csv": "not_modified"}
    assert out["entities"] == 14965
    diff = json.loads(runner.invoke(app, ["lists", "diff", "us_ofac_sdn", "--json"]).stdout)
    assert "45708" in {a["source_id"] for a in diff["added"]}


@pytest.mark.parametrize(
    ("mode", "message"),
    [("500", "HTTP 500"), ("truncate", "truncated download"), ("bad-digest", "checksum mismatch")],
)
def test_failed_download_imports_nothing(
    home: Path, server: tuple[str, Behaviour], mode: str, message: str
) -> None:
    base, behaviour = server
    behaviour.modes["/ofac/downloads/sdn.csv"] = mode
    code, out, err = fetch_json(base)
    assert code == 1
    assert message in err and "Traceback" not in err
    assert out == [{"target": "us_ofac_sdn", "status": "error", "error": out[0]["error"]}]
    assert status() == []
    # Nothing half-downloaded is left where a later import would pick it up.
    assert [p.name for p in download_dir(home).iterdir()] == []

    # Once the server is healthy again the next fetch works normally.
    behaviour.modes.clear()
    code, out, err = fetch_json(base)
    assert code == 0, err
    assert out[0]["status"] == "imported"


def test_refused_download_keeps_old_files_and_retries(
    home: Path, server: tuple[str, Behaviour], data_dir: Path
) -> None:
    base, behaviour = server
    code, out, _ = fetch_json(base)
    good = out[0]["snapshot"]
    sdn = behaviour.root / "ofac/downloads/sdn.csv"
    original = sdn.read_bytes()
    sdn.write_bytes(original[: len(original) // 3])  # complete HTTP transfer of a cut file
    code, out, err = fetch_json(base)
    assert code == 1 and "truncated" in err
    assert [s["snapshot"] for s in status()] == [good]
    assert (download_dir(home) / "sdn.csv").read_bytes() == original

    sdn.write_bytes(original)  # the server's file is fixed: same as what we have, so a 304
    code, out, err = fetch_json(base)
    assert code == 0, err
    assert out[0]["status"] == "not_modified"


def test_server_checksum_is_verified_and_recorded(
    home: Path, server: tuple[str, Behaviour]
) -> None:
    base, behaviour = server
    behaviour.modes["/ofac/downloads/sdn.csv"] = "good-digest"
    code, out, err = fetch_json(base)
    assert code == 0, err
    verified = {f["name"]: f["verified_by"] for f in out[0]["files"]}
    assert verified["sdn.csv"] == "Repr-Digest" and verified["add.csv"] is None


def test_fetch_several_lists_one_failing(home: Path, server: tuple[str, Behaviour]) -> None:
    base, behaviour = server
    behaviour.modes["/ofac/downloads/alt.csv"] = "500"
    result = runner.invoke(app, ["lists", "fetch", "un_sc", "us_ofac_sdn", "--base-url", base])
    # The UN list is imported although the OFAC download failed; the exit code still says so.
    assert result.exit_code == 1
    assert "us_ofac_sdn" in result.stderr and "HTTP 500" in result.stderr
    assert "un_sc" in result.stdout and "imported" in result.stdout
    assert [(s["source"], s["format"]) for s in status()] == [("un_sc", "un_xml")]


def test_rebase_and_target_selection() -> None:
    url = "https://www.treasury.gov/ofac/downloads/sdn.csv"
    assert fetch.rebase(url, None) == url
    assert fetch.rebase(url, "http://127.0.0.1:8000") == (
        "http://127.0.0.1:8000/ofac/downloads/sdn.csv"
    )
    assert fetch.rebase(url, "http://mirror.local/lists/") == (
        "http://mirror.local/lists/ofac/downloads/sdn.csv"
    )
    default = {t.name for t in fetch.targets()}
    assert {"us_ofac_sdn", "un_sc", "us_csl", "ca_sema", "au_dfat"} <= default
    assert "us_ofac_cons_xml" not in default
    with pytest.raises(fetch.FetchError, match="unknown list nope"):
        fetch.targets(["nope"])
    result = runner.invoke(app, ["lists", "fetch", "nope"])
    assert result.exit_code == 1 and "unknown list" in result.stderr
