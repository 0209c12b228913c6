"""`tradescreen controls import`: versioned, atomic, refuses malformed data and changes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tradescreen.cli import app

from .helpers import EXAMPLES, runner


def copy_domain(domain_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "domain"
    shutil.copytree(domain_dir, folder)
    for f in folder.iterdir():
        f.chmod(0o644)
    return folder


def status(home) -> list[dict]:
    result = runner.invoke(app, ["controls", "status", "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_import_is_versioned_and_idempotent(home, domain_dir, tmp_path):
    folder = copy_domain(domain_dir, tmp_path)
    first = runner.invoke(app, ["controls", "import", str(folder), "--json"])
    assert first.exit_code == 0, first.stderr
    data = json.loads(first.stdout)
    assert data["status"] == "imported" and len(data["files"]) == 6
    again = json.loads(runner.invoke(app, ["controls", "import", str(folder), "--json"]).stdout)
    assert again["status"] == "unchanged" and again["id"] == data["id"]
    with (folder / "ports.yaml").open("a") as fh:
        fh.write("\n# a new comment changes the hash\n")
    newer = json.loads(runner.invoke(app, ["controls", "import", str(folder), "--json"]).stdout)
    assert newer["status"] == "imported" and newer["replaced"] == data["id"]
    rows = status(home)
    assert [r["active"] for r in rows] == [False, True]


def test_malformed_yaml_is_refused_and_nothing_changes(home, domain_dir, tmp_path):
    folder = copy_domain(domain_dir, tmp_path)
    assert runner.invoke(app, ["controls", "import", str(folder)]).exit_code == 0
    before = status(home)
    (folder / "chpl.yaml").write_text("items: [unclosed\n")
    result = runner.invoke(app, ["controls", "import", str(folder)])
    assert result.exit_code == 1
    assert "chpl.yaml" in result.stderr and "malformed YAML" in result.stderr
    (folder / "chpl.yaml").write_text("sources: []\n")
    result = runner.invoke(app, ["controls", "import", str(folder)])
    assert result.exit_code == 1 and "items" in result.stderr
    (folder / "ports.yaml").unlink()
    result = runner.invoke(app, ["controls", "import", str(folder)])
    assert result.exit_code == 1 and "ports.yaml" in result.stderr
    assert status(home) == before


def test_screen_tx_without_controls_says_what_to_run(env, monkeypatch, tmp_path):
    # The lists stay (on either database), the imported controls are moved away for a moment.
    controls = env / "controls"
    parked = tmp_path / "parked-controls"
    shutil.move(controls, parked)
    try:
        path = EXAMPLES / "clear_de_fr_machine_parts.json"
        result = runner.invoke(app, ["screen-tx", str(path)])
    finally:
        shutil.move(parked, controls)
    assert result.exit_code == 1
    assert "tradescreen controls import" in result.stderr


def test_controls_folder_from_env_or_option(env, monkeypatch, domain_dir, tmp_path):
    path = EXAMPLES / "clear_de_fr_machine_parts.json"
    monkeypatch.setenv("TRADESCREEN_CONTROLS", str(domain_dir))
    result = runner.invoke(app, ["screen-tx", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["snapshot"]["controls"].startswith("folder-")
    monkeypatch.delenv("TRADESCREEN_CONTROLS")
    bad = tmp_path / "nothing"
    bad.mkdir()
    result = runner.invoke(app, ["screen-tx", str(path), "--controls", str(bad)])
    assert result.exit_code == 1 and "missing" in result.stderr
