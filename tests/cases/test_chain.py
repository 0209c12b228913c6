"""The audit chain on SQLite: every kind of tampering is caught and named; purges keep it valid."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tradescreen.cases import chain
from tradescreen.cases.audit import COLUMNS, AuditError, AuditLog

from .helpers import StepClock, sqlite_log


@pytest.fixture()
def log(tmp_path: Path):
    log = sqlite_log(tmp_path / "t.db")
    for i in range(1, 6):
        log.append("import", "alice", f"snap-{i}", {"n": i, "score": 0.5 + i / 10}, [f"s{i}"])
    yield log
    log.db.close()


def tamper(log: AuditLog, sql: str, *params: object) -> None:
    # A separate connection, as an attacker with the file would.
    path = log.db.conn.execute("PRAGMA database_list").fetchone()[2]
    with sqlite3.connect(path) as conn:
        conn.execute(sql, params)


def test_valid_chain_links_every_record(log: AuditLog) -> None:
    assert log.verify().message() == "chain valid: 5 records"
    records = list(log.records())
    assert records[0].prev_hash == chain.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(records, records[1:], strict=False))
    assert json.loads(records[2].data) == {"n": 3, "score": 0.8}


@pytest.mark.parametrize("column", [c for c in COLUMNS if c != "seq"])
def test_changing_any_field_names_that_record(log: AuditLog, column: str) -> None:
    tamper(log, f"UPDATE audit_log SET {column} = {column} || 'x' WHERE seq = 3")
    verdict = log.verify()
    assert not verdict.ok and verdict.bad_seq == 3, verdict


def test_changed_seq_is_detected(log: AuditLog) -> None:
    tamper(log, "UPDATE audit_log SET seq = 99 WHERE seq = 3")
    assert not log.verify().ok


def test_deleted_record_is_named(log: AuditLog) -> None:
    tamper(log, "DELETE FROM audit_log WHERE seq = 3")
    verdict = log.verify()
    assert (verdict.ok, verdict.bad_seq) == (False, 4)
    assert "missing" in verdict.reason


def test_deleted_first_and_last_records(log: AuditLog, tmp_path: Path) -> None:
    tamper(log, "DELETE FROM audit_log WHERE seq = 5")
    assert "head" in log.verify().reason
    tamper(log, "DELETE FROM audit_log WHERE seq = 1")
    assert log.verify().bad_seq == 2


def test_reordered_records_are_caught(log: AuditLog) -> None:
    # Swap the contents of records 2 and 3 (each keeps its own consistent hash).
    rows = {r.seq: r for r in log.records()}
    for seq, other in ((2, 3), (3, 2)):
        rec = rows[other]
        tamper(log, "UPDATE audit_log SET at=?, subject=?, data=?, snapshots=?, prev_hash=?, "
               "hash=? WHERE seq=?", rec.at, rec.subject, rec.data, rec.snapshots,
               rec.prev_hash, rec.hash, seq)
    verdict = log.verify()
    assert (verdict.ok, verdict.bad_seq) == (False, 2)


def test_rewritten_record_with_recomputed_hash_breaks_the_next_link(log: AuditLog) -> None:
    rec = next(r for r in log.records() if r.seq == 2).to_dict()
    rec["actor"] = "mallory"
    tamper(log, "UPDATE audit_log SET actor = ?, hash = ? WHERE seq = 2",
           "mallory", chain.record_hash(rec))
    verdict = log.verify()
    assert (verdict.ok, verdict.bad_seq) == (False, 3)


def test_purge_is_a_chain_preserving_record(tmp_path: Path) -> None:
    clock = StepClock(datetime(2010, 1, 1, tzinfo=UTC))
    log = sqlite_log(tmp_path / "p.db", clock)
    for i in range(10):
        log.append("screening", "bob", f"q{i}", {"i": i})
    purged_hashes = [r.hash for r in log.records(through=4)]
    record = log.purge(datetime(2010, 1, 6, tzinfo=UTC), "carol")  # days 2..5 are older
    data = json.loads(record.data)
    assert (record.kind, record.actor, data["count"], data["through_seq"]) == (
        "purge", "carol", 4, 4)
    assert data["prefix_digest"] == chain.prefix_digest(purged_hashes)
    assert [r.seq for r in log.records()][:2] == [5, 6]
    assert log.verify().message() == "chain valid: 7 records"
    # Purging again (nothing old enough) and purging everything both keep the chain valid.
    log.purge(datetime(2000, 1, 1, tzinfo=UTC), "carol")
    assert log.verify().ok
    log.purge(datetime(2030, 1, 1, tzinfo=UTC), "carol")
    assert [r.kind for r in log.records()] == ["purge"]
    assert log.verify().ok
    log.append("import", "alice", "after", {})
    assert log.verify().message() == "chain valid: 2 records"
    # Deleting records after a purge is still caught.
    tamper(log, "DELETE FROM audit_log WHERE kind = 'purge'")
    assert not log.verify().ok


def test_purge_refuses_a_broken_chain(log: AuditLog) -> None:
    tamper(log, "UPDATE audit_log SET actor = 'x' WHERE seq = 2")
    with pytest.raises(AuditError, match="record 2"):
        log.purge(datetime(2100, 1, 1, tzinfo=UTC), "carol")


def test_export_verifies_offline(log: AuditLog, tmp_path: Path) -> None:
    out = tmp_path / "audit.jsonl"
    with out.open("w") as fh:
        assert log.export(fh) == 5
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert chain.verify(lines).ok
    lines[1]["subject"] = "forged"
    assert chain.verify(lines).bad_seq == 2
