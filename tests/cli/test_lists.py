"""`tradescreen lists ...` end to end, on the real OFAC files, through the real Typer app."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradescreen.cli import app
from tradescreen.cli.lists import PAUSE_HOOK_ENV, PAUSE_HOOK_MESSAGE
from tradescreen.config import load_settings
from tradescreen.store import open_store

runner = CliRunner()
# On the PostgreSQL pass (.ci/run) the store is not a SQLite file: these tests inspect the file.
sqlite_file = pytest.mark.skipif(
    bool(os.environ.get("TRADESCREEN_DATABASE_URL")), reason="inspects the SQLite file"
)


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str):
    code, out, err = run(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def sdn_feb(data_dir: Path) -> Path:
    return data_dir / "ofac" / "sdn_2024-02-20"


@pytest.fixture()
def sdn_may(data_dir: Path) -> Path:
    return data_dir / "ofac" / "sdn_2024-05-03"


def test_import_status_and_unchanged_reimport(home: Path, sdn_may: Path) -> None:
    first = run_json("lists", "import", str(sdn_may))
    assert first["status"] == "imported"
    assert first["source"] == "us_ofac_sdn"
    assert first["entities"] == 14965
    assert first["hashes"] == {"sdn.csv": sha256(sdn_may / "sdn.csv")}
    assert first["snapshot"].startswith("us_ofac_sdn-")

    again = run_json("lists", "import", str(sdn_may / "sdn.csv"), "--format", "ofac_csv")
    assert again["status"] == "unchanged"
    assert again["snapshot"] == first["snapshot"]

    status = run_json("lists", "status")
    assert len(status) == 1
    row = status[0]
    for key in ("source", "snapshot", "published", "entities", "hashes", "imported_at", "format"):
        assert key in row
    assert row["snapshot"] == first["snapshot"] and row["entities"] == 14965

    code, out, _ = run("lists", "status")  # human table
    assert code == 0 and "us_ofac_sdn" in out and "14,965" in out


def test_diff_sdn_february_to_may(home: Path, sdn_feb: Path, sdn_may: Path) -> None:
    old = run_json("lists", "import", str(sdn_feb))["snapshot"]
    new = run_json("lists", "import", str(sdn_may))["snapshot"]
    diff = run_json("lists", "diff", "us_ofac_sdn")
    assert (diff["source"], diff["from"], diff["to"]) == ("us_ofac_sdn", old, new)

    added = {a["source_id"]: a for a in diff["added"]}
    assert "45708" in added  # JSC Special Economic Zone ... Alabuga, designated 23 Feb 2024
    assert "ALABUGA" in added["45708"]["caption"]
    assert added["45708"]["schema"] in {"Company", "Organization", "LegalEntity"}

    removed = {r["source_id"] for r in diff["removed"]}
    changed = {c["source_id"] for c in diff["changed"]}
    with open_store(load_settings()) as store:
        zimbabwe = {e.source_id for e in store.iter_entities(old) if "ZIMBABWE" in e.programs}
        assert not any("ZIMBABWE" in e.programs for e in store.iter_entities(new))
    # The Zimbabwe programme was terminated in March 2024: its listings are removed, except the
    # few re-designated under another programme (GLOMAG), which show up as changed.
    assert "7480" in removed  # MUGABE, Robert Gabriel
    assert len(zimbabwe & removed) > 80
    assert zimbabwe <= removed | changed

    # Explicit --from/--to gives the same answer; reversed, added and removed swap.
    back = run_json("lists", "diff", "us_ofac_sdn", "--from", new, "--to", old)
    assert {r["source_id"] for r in back["removed"]} == set(added)
    code, out, _ = run("lists", "diff", "us_ofac_sdn")
    assert code == 0 and "45708" in out


@sqlite_file
def test_refused_file_leaves_db_byte_identical(
    home: Path, tmp_path: Path, data_dir: Path, sdn_may: Path
) -> None:
    run_json("lists", "import", str(data_dir / "ofac" / "consolidated_nonsdn_csv"))
    db = load_settings().db_path
    before = sha256(db)

    truncated = tmp_path / "cut" / "sdn.csv"
    truncated.parent.mkdir()
    truncated.write_bytes((sdn_may / "sdn.csv").read_bytes()[:1_000_000])
    code, out, err = run("lists", "import", str(truncated))
    assert code == 1
    assert "sdn.csv" in err and "truncated" in err
    assert "Traceback" not in out + err
    assert sha256(db) == before
    assert [s["source"] for s in run_json("lists", "status")] == ["us_ofac_cons"]


@sqlite_file
def test_truncated_un_xml_is_refused_and_status_unchanged(
    home: Path, tmp_path: Path, data_dir: Path
) -> None:
    un = data_dir / "un" / "consolidated.xml"
    run_json("lists", "import", str(un))
    before = run_json("lists", "status")
    db_hash = sha256(load_settings().db_path)
    cut = tmp_path / "consolidated.xml"
    cut.write_bytes(un.read_bytes()[: un.stat().st_size // 2])
    code, out, err = run("lists", "import", str(cut))
    assert code == 1
    assert "consolidated.xml" in err and "Traceback" not in out + err
    assert run_json("lists", "status") == before
    assert sha256(load_settings().db_path) == db_hash


def test_refused_first_import_creates_no_database(home: Path, data_dir: Path) -> None:
    code, _, err = run("lists", "import", str(data_dir / "ofac" / "sdn_2025-02_add_alt_comments"))
    assert code == 1 and "primary file" in err
    assert not load_settings().db_path.exists()


def test_errors_are_one_line_with_exit_codes(home: Path, tmp_path: Path, sdn_may: Path) -> None:
    code, _, err = run("lists", "import", str(tmp_path / "missing.csv"))
    assert code == 1 and "missing.csv" in err
    code, _, err = run("lists", "diff", "us_ofac_sdn")
    assert code == 1 and "no snapshots" in err
    run_json("lists", "import", str(sdn_may))
    code, _, err = run("lists", "diff", "us_ofac_sdn")
    assert code == 1 and "nothing to diff" in err
    code, _, err = run("lists", "diff", "us_ofac_sdn", "--from", "nope")
    assert code == 1 and "not a snapshot" in err
    code, _, _ = run("lists", "import")  # usage error
    assert code == 2
    code, _, err = run("lists", "export", "--format", "csv")
    assert code == 2 and "unknown export format" in err


def test_export_ftm(home: Path, tmp_path: Path, data_dir: Path) -> None:
    pytest.importorskip("tradescreen.ftm")
    imported = run_json("lists", "import", str(data_dir / "ofac" / "consolidated_nonsdn_csv"))
    out = tmp_path / "export" / "lists.ftm.json"
    code, _, err = run("lists", "export", "--format", "ftm", "--out", str(out))
    assert code == 0, err
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    # Relations may add Ownership/Directorship/... entities; every list entity is there.
    main = [x for x in lines if x["schema"] in {"Person", "Company", "Organization",
                                               "LegalEntity", "Vessel", "Aircraft"}]
    assert len(main) == imported["entities"]
    assert all(x["id"] and x["properties"] for x in main)

    code, stdout, _ = run("lists", "export", "--source", "us_ofac_cons")
    assert code == 0 and len(stdout.splitlines()) == len(lines)
    code, _, err = run("lists", "export", "--source", "nope")
    assert code == 1 and "nope" in err


@sqlite_file
def test_kill_9_mid_import_keeps_previous_snapshot(
    home: Path, sdn_feb: Path, sdn_may: Path
) -> None:
    previous = run_json("lists", "import", str(sdn_feb))["snapshot"]
    env = {**os.environ, "TRADESCREEN_HOME": str(home), PAUSE_HOOK_ENV: "12000"}
    # The same interpreter as the tests (not whatever `tradescreen` is first on PATH).
    cmd = [sys.executable, "-c", "from tradescreen.cli import main; main()"]
    proc = subprocess.Popen(
        [*cmd, "lists", "import", str(sdn_may)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        line = ""
        assert proc.stderr is not None
        while PAUSE_HOOK_MESSAGE not in line:
            line = proc.stderr.readline()
            assert line or proc.poll() is None, "importer exited before reaching the hook"
            assert time.monotonic() < deadline, "importer never reached the hook"
        # Most rows are written, none committed: now pull the plug.
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL

    status = run_json("lists", "status")
    assert [(s["source"], s["snapshot"], s["entities"]) for s in status] == [
        ("us_ofac_sdn", previous, 13931)
    ]
    with sqlite3.connect(load_settings().db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] == 1
    # And the interrupted import simply works when run again.
    assert run_json("lists", "import", str(sdn_may))["status"] == "imported"
