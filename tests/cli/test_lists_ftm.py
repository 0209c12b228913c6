"""`tradescreen lists import` on FollowTheMoney files: what it kept, folded and dropped."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
from typer.testing import CliRunner

from tradescreen.cli import app

runner = CliRunner()


def test_import_reports_kept_and_dropped_per_schema(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "parts.ftm.json"
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in [
        {"id": "p1", "schema": "Person", "properties": {
            "firstName": ["Ivan"], "lastName": ["Sidorov"]}},
        {"id": "p2", "schema": "Person", "properties": {"gender": ["male"]}},
        {"id": "c1", "schema": "Company", "properties": {"name": ["Acme LLC"]}},
        {"id": "o1", "schema": "Ownership", "properties": {"owner": ["p1"], "asset": ["c1"]}},
    ]))
    result = runner.invoke(app, ["lists", "import", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["entities"] == 2
    assert data["kept"] == {"Person": 1, "Company": 1}
    assert data["named_from_parts"] == 1
    assert data["folded"] == {"Ownership": 1}
    assert [(d["schema"], d["count"], d["ids"]) for d in data["dropped"]] == [("Person", 1, ["p2"])]
    assert "no name" in data["dropped"][0]["reason"]

    path.write_bytes(path.read_bytes() + b'{"id": "c2", "schema": "Company", '
                     b'"properties": {"name": ["Beta"]}}\n')
    result = runner.invoke(app, ["lists", "import", str(path)])
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "kept Company 2, Person 1" in out
    assert "dropped Person 1: no name" in out and "(p2)" in out


def test_real_export_reports_its_schemas(home: Path, data_dir: Path) -> None:
    path = data_dir / "opensanctions" / "yente_fixtures" / "zala_entities.ftm.json"
    result = runner.invoke(app, ["lists", "import", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["entities"] == 17 == sum(data["kept"].values())
    assert data["kept"] == {"Company": 11, "Person": 6}
    assert data["dropped"] == []


def test_import_names_duplicate_ids(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "dup.ftm.json"
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in [
        {"id": "c1", "schema": "Company", "properties": {"name": ["Acme LLC"]}},
        {"id": "c1", "schema": "Company", "properties": {"alias": ["Acme Trading"]}},
    ]))
    result = runner.invoke(app, ["lists", "import", str(path)])
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "duplicate ids 1 merged as fragments: c1 (dup.ftm.json:1, dup.ftm.json:2)" in out
    data = json.loads(runner.invoke(app, ["lists", "import", str(path), "--json"]).stdout)
    assert data["status"] == "unchanged" and data["duplicate_ids"] == 1
    assert data["duplicates"] == [
        {"id": "c1", "first": "dup.ftm.json:1", "again": "dup.ftm.json:2"}
    ]


def test_folder_of_two_datasets_is_refused_and_writes_nothing(
    home: Path, tmp_path: Path, data_dir: Path
) -> None:
    folder = tmp_path / "two"
    folder.mkdir()
    t1 = data_dir / "opensanctions" / "yente_fixtures" / "t1_entities.ftm.json"
    (folder / "eu.ftm.json").write_bytes(t1.read_bytes())
    (folder / "us.ftm.json").write_bytes(orjson.dumps(
        {"id": "o1", "schema": "Company", "properties": {"name": ["Acme"]},
         "datasets": ["us_ofac_sdn"]}) + b"\n")
    result = runner.invoke(app, ["lists", "import", str(folder), "--json"])
    assert result.exit_code == 1
    assert "2 different FtM datasets" in result.stderr
    status = runner.invoke(app, ["lists", "status", "--json"])
    assert json.loads(status.stdout) == []
