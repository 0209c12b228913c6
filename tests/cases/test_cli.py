"""Cases and audit through the real CLI: the acceptance check, four-eyes, suppression."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradescreen.cli import app
from tradescreen.config import load_settings

from .backend import sqlite_only

runner = CliRunner()
NAME = "Ismail Abdul Salah Haniya"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str):
    code, out, err = run(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def make_key(name: str, scope: str = "cases") -> str:
    code, out, err = run("keys", "create", name, "--scope", scope)
    assert code == 0, err
    return out.strip().split()[-1]


@pytest.fixture()
def screened(home: Path, data_dir: Path) -> Path:
    run_json("lists", "import", str(data_dir / "ofac" / "consolidated_nonsdn_csv"))
    data = run_json("screen", NAME, "--schema", "Person")
    assert data["results"][0]["decision"] == "match"
    return home


@sqlite_only
def test_acceptance_sqlite_audit_table_detects_any_change(screened: Path) -> None:
    dbs = [p for p in screened.rglob("*") if p.suffix in (".db", ".sqlite")]
    assert dbs == [load_settings().db_path]
    with sqlite3.connect(dbs[0]) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%audit%'")]
        assert tables == ["audit_log"]
        assert conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] >= 2
        columns = [r[1] for r in conn.execute("PRAGMA table_info(audit_log)")]
    code, out, _ = run("audit", "verify")
    assert code == 0 and out.startswith("chain valid: ")
    for column in columns:
        with sqlite3.connect(dbs[0]) as conn:
            (old,) = conn.execute(f"SELECT {column} FROM audit_log WHERE seq = 2").fetchone()
            new = old + 1000 if isinstance(old, int) else old + " "
            conn.execute(f"UPDATE audit_log SET {column} = ? WHERE seq = 2", (new,))
        code, _, err = run("audit", "verify")
        assert code == 1 and "record" in err, column
        named = 1002 if column == "seq" else 2
        assert f"record {named}" in err or (column == "seq" and "record 3" in err), (column, err)
        with sqlite3.connect(dbs[0]) as conn:
            seq = 1002 if column == "seq" else 2
            conn.execute(f"UPDATE audit_log SET {column} = ? WHERE seq = ?", (old, seq))
        assert run("audit", "verify")[0] == 0


def test_import_and_screening_are_recorded(screened: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.jsonl"
    code, _, err = run("audit", "export", "--out", str(out))
    assert code == 0, err
    records = [json.loads(line) for line in out.read_text().splitlines()]
    kinds = [r["kind"] for r in records]
    assert kinds == ["import", "screening", "alert"]
    imported, screening, alert = (json.loads(r["data"]) for r in records)
    assert imported["status"] == "imported" and imported["files"]
    assert records[0]["snapshots"] == json.dumps([records[0]["subject"]]).replace(" ", "")
    assert screening["query"]["name"] == NAME and screening["engine_version"]
    assert screening["results"][0]["alert"] == alert["alert"] == 1
    assert alert["content_hash"] and alert["source_id"] == "9639"
    assert all(len(r["config_hash"]) == 64 for r in records)
    assert run("audit", "verify", "--file", str(out))[0] == 0


def test_four_eyes_and_suppression(screened: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    [alert] = run_json("cases", "list", "--status", "open")
    assert (alert["id"], alert["source_id"], alert["band"]) == (1, "9639", "match")
    shown = run_json("cases", "show", "1")
    assert shown["explanation"] and shown["snapshot"] and shown["query"]["name"] == NAME

    alice, bob = make_key("alice"), make_key("bob")
    code, _, err = run("cases", "decide", "1", "false_positive", "--reason", " ", "--key", alice)
    assert code == 1 and "reason" in err
    code, _, err = run("cases", "decide", "1", "cleared", "--reason", "x", "--key", alice)
    assert code == 1 and "unknown decision" in err
    decided = run_json("cases", "decide", "1", "false_positive", "--reason", "born 1970",
                       "--key", alice)
    assert decided["alert"]["status"] == "decided"
    assert decided["decision"]["decided_by"] == "key:alice"
    code, _, err = run("cases", "approve", "1", "--key", alice)
    assert code == 1 and "cannot approve their own decision" in err
    # Alice's key cannot approve under another name either.
    code, _, err = run("cases", "approve", "1", "--key", alice, "--user", "bob")
    assert code == 1 and "not the name of the key" in err
    # Not final yet: the same hit is linked to the open alert, not suppressed.
    run_json("screen", NAME, "--schema", "Person")
    assert run_json("cases", "show", "1")["hits"] == 2
    monkeypatch.setenv("TRADESCREEN_API_KEY", bob)
    approved = run_json("cases", "approve", "1", "--user", "bob")
    assert approved["decision"]["approved_by"] == "key:bob"
    assert approved["alert"]["status"] == "final"
    code, _, err = run("cases", "decide", "1", "true_match", "--reason", "changed my mind")
    assert code == 1 and "final" in err

    # Same party written differently: suppressed, and shown as such.
    code, _, err = run("screen", "HANIYA, ismail abdul-salah", "--schema", "Person")
    assert code == 0 and "suppressed" in err
    [hidden] = run_json("cases", "list", "--status", "suppressed")
    assert (hidden["suppressed_by"], hidden["source_id"]) == (1, "9639")
    # A changed party (a birth date now given) is a new alert.
    run_json("screen", NAME, "--schema", "Person", "--birth-date", "1962")
    assert [a["id"] for a in run_json("cases", "list", "--status", "open")] == [3]
    kinds = [json.loads(line)["kind"] for line in run("audit", "export")[1].splitlines()]
    assert kinds.count("decision") == 1 and kinds.count("approval") == 1
    assert run("audit", "verify")[0] == 0


def test_decisions_without_four_eyes_are_final(
    screened: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADESCREEN_FOUR_EYES", "true_match")
    al, lb = make_key("al"), make_key("lb")
    made = run_json("cases", "decide", "1", "escalate", "--reason", "ask legal", "--key", al)
    assert made["alert"]["status"] == "final"
    # An escalated alert is decided again by whoever it went to.
    made = run_json("cases", "decide", "1", "true_match", "--reason", "same DOB", "--key", lb)
    assert made["alert"]["status"] == "decided"
    assert run_json("cases", "approve", "1", "--key", al)["alert"]["status"] == "final"


def test_case_actions_need_a_key_with_the_cases_scope(
    screened: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typed --user is no identity: one person could decide as one name and approve as
    another. Without a live key with the cases scope, nothing changes."""
    monkeypatch.delenv("TRADESCREEN_API_KEY", raising=False)
    before = run("audit", "export")[1]
    code, _, err = run("cases", "decide", "1", "false_positive", "--reason", "x", "--user", "al")
    assert code == 1 and "API key" in err and "keys create" in err
    code, _, err = run("cases", "approve", "1", "--user", "bob")
    assert code == 1 and "API key" in err
    reader = make_key("reader", "read,screen")
    code, _, err = run("cases", "decide", "1", "escalate", "--reason", "x", "--key", reader)
    assert code == 1 and "lacks the cases scope" in err
    gone = make_key("gone")
    assert run("keys", "revoke", "gone")[0] == 0
    code, _, err = run("cases", "decide", "1", "escalate", "--reason", "x", "--key", gone)
    assert code == 1 and "unknown or revoked" in err
    code, _, err = run("cases", "decide", "1", "escalate", "--reason", "x", "--key", "ts_nope")
    assert code == 1 and "unknown or revoked" in err
    assert run_json("cases", "show", "1")["status"] == "open"
    assert run("audit", "export")[1] == before
    # An admin key acts too (admin implies every scope), under its own name.
    made = run_json("cases", "decide", "1", "escalate", "--reason", "x",
                    "--key", make_key("ops", "admin"))
    assert made["decision"]["decided_by"] == "key:ops"


def test_screen_file_raises_alerts(screened: Path, tmp_path: Path) -> None:
    csv = tmp_path / "parties.csv"
    csv.write_text(f"name,schema\n{NAME},Person\nNobody Atall,Person\n")
    code, _, err = run("screen-file", str(csv), "--out", str(tmp_path / "out.jsonl"),
                       "--workers", "1")
    assert code == 0, err
    assert "already open" in err
    records = [json.loads(line) for line in run("audit", "export")[1].splitlines()]
    data = json.loads(records[-1]["data"])
    assert records[-1]["kind"] == "screening" and data["rows"] == 2 and data["file"]
    assert [s["row"] for s in data["screenings"]] == [2]


def test_unknown_alert_and_help(home: Path) -> None:
    code, _, err = run("cases", "show", "7")
    assert code == 1 and "no alert 7" in err
    for group, commands in (("cases", ("list", "show", "decide", "approve")),
                            ("audit", ("verify", "export", "purge"))):
        for command in commands:
            code, out, _ = run(group, command, "--help")
            assert code == 0 and len(out) > 100
    code, out, _ = run("audit", "verify")
    assert code == 0 and out.strip() == "chain valid: 0 records"


def test_audit_purge_needs_an_admin_key(screened: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deleting audit records is recorded under a key's name, never a typed one."""
    monkeypatch.delenv("TRADESCREEN_API_KEY", raising=False)
    before = run("audit", "export")[1]
    code, _, err = run("audit", "purge", "--older-than", "1d", "--user", "root")
    assert code == 1 and "admin scope" in err and "keys create" in err
    code, _, err = run("audit", "purge", "--key", make_key("analyst"))
    assert code == 1 and "lacks the admin scope" in err
    assert run("audit", "export")[1] == before
    ops = make_key("ops", "admin")
    code, out, err = run("audit", "purge", "--older-than", "3650d", "--key", ops, "--user", "ops")
    assert code == 0, err
    last = json.loads(run("audit", "export")[1].splitlines()[-1])
    assert (last["kind"], last["actor"]) == ("purge", "key:ops")
    assert run("audit", "verify")[0] == 0
