"""`screen-tx` input reading: a file that is not UTF-8 is refused, never screened as mojibake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradescreen.cli import app
from tradescreen.cli.tx import read_transactions

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _tx() -> dict:
    tx = json.loads((REPO / "examples" / "clear_de_fr_machine_parts.json").read_text("utf-8"))
    tx["parties"][0]["name"] = "Müller Präzisionsteile GmbH"
    return tx


def test_latin1_transaction_file_is_refused(home: Path, tmp_path: Path):
    path = tmp_path / "tx.json"
    path.write_bytes(json.dumps(_tx(), ensure_ascii=False).encode("latin-1"))
    result = runner.invoke(app, ["screen-tx", str(path), "--json"])
    assert result.exit_code == 1
    assert "not UTF-8" in result.stderr and "line 1" in result.stderr
    assert result.stdout == ""
    lines = tmp_path / "tx.jsonl"
    lines.write_bytes(b'{"id": "a"}\n' + json.dumps(_tx(), ensure_ascii=False).encode("cp1252"))
    result = runner.invoke(app, ["screen-tx", str(lines), "--json"])
    assert result.exit_code == 1 and "line 2" in result.stderr


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-32"])
def test_unicode_transaction_files_are_read(tmp_path: Path, encoding: str):
    path = tmp_path / "tx.json"
    path.write_bytes(json.dumps(_tx(), ensure_ascii=False).encode(encoding))
    [item], many = read_transactions(path)
    assert item["parties"][0]["name"] == "Müller Präzisionsteile GmbH" and not many
