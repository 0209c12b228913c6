"""`lists fetch` dates an OFAC CSV snapshot by the server's Last-Modified, not the fetch day.

The legacy CSV states no publication date; the day Treasury's server last changed the files is the
best evidence of it. A real local HTTP server (127.0.0.1) serves the real 2021 files."""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from tradescreen.cli import app
from tradescreen.sources import fetch

runner = CliRunner()
SERVED = datetime(2021, 7, 15, 14, 30, tzinfo=UTC)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def base_url(tmp_path: Path, data_dir: Path) -> Iterator[str]:
    root = tmp_path / "server"
    for url in fetch.TARGETS["us_ofac_sdn"].urls:
        local = root / urlsplit(url).path.lstrip("/")
        local.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(data_dir / "ofac" / "sdn_2021-07_full_set" / local.name, local)
        os.utime(local, (SERVED.timestamp(), SERVED.timestamp()))  # sent as Last-Modified
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_fetched_ofac_csv_is_dated_by_last_modified(home: Path, base_url: str) -> None:
    result = runner.invoke(app, ["lists", "fetch", "us_ofac_sdn", "--base-url", base_url,
                                 "--json"])
    assert result.exit_code == 0, result.stderr
    [outcome] = json.loads(result.stdout)
    assert outcome["status"] == "imported"
    assert outcome["published"] == "2021-07-15"
    assert outcome["snapshot"].startswith("us_ofac_sdn-20210715-")
    screened = runner.invoke(app, ["screen", "AEROCARIBBEAN AIRLINES", "--as-of", "2021-08-01",
                                   "--json"])
    assert screened.exit_code == 0, screened.stderr
    answer = json.loads(screened.stdout)
    assert answer["snapshots"] == [outcome["snapshot"]] and answer["missing_lists"] == []
