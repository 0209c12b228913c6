"""A streamed FtM list is held to the same value limits as a read one, checked as it is staged."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from tradescreen.cli import app
from tradescreen.sources.limits import MAX_NAME


def test_streamed_ftm_with_an_absurd_name_is_refused(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "big.ftm.json"
    lines = [
        {"id": "ok-1", "schema": "Company", "datasets": ["limits_test"],
         "properties": {"name": ["Volga Precision Trading"]}},
        {"id": "big-1", "schema": "Company", "datasets": ["limits_test"],
         "properties": {"name": ["X" * (MAX_NAME + 1)]}},
    ]
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
    result = CliRunner().invoke(app, ["lists", "import", str(path)])
    assert result.exit_code == 1
    assert "big-1" in result.stderr and "characters" in result.stderr
    status = CliRunner().invoke(app, ["lists", "status", "--json"])
    assert b"limits_test" not in status.stdout.encode()
