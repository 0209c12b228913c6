"""Cases and audit throughput on SQLite and PostgreSQL, side by side.

    python bench/cases.py [--appends 2000] [--decisions 500] [--pg URL]

Measures, on a fresh database each:
- audit appends/s: `AuditLog.append` (one transaction each: lock head, insert, move head);
- alerts/s: screening events with one `match` result each (screening record + alert + its record);
- decisions/s: `decide` + `approve` on those alerts (four-eyes: two transactions, two records);
- verify records/s: a full `AuditLog.verify`.
PostgreSQL: `--pg`, else $TRADESCREEN_BENCH_DATABASE_URL / $TRADESCREEN_TEST_DATABASE_URL /
$TRADESCREEN_DATABASE_URL; a fresh schema is created and dropped. SQLite runs in a temp dir with
the store's own settings (WAL, synchronous=NORMAL).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from tradescreen.cases.alerts import record_screening
from tradescreen.cases.audit import AuditLog
from tradescreen.cases.decisions import approve, decide
from tradescreen.events import Event
from tradescreen.store.db import Database, open_postgresql, open_sqlite
from tradescreen.store.migrations import apply_migrations


def rate(count: int, work: Callable[[int], object]) -> float:
    started = time.perf_counter()
    for i in range(count):
        work(i)
    return count / (time.perf_counter() - started)


def run(db: Database, appends: int, decisions: int) -> dict[str, float]:
    apply_migrations(db, lambda: "bench")
    log = AuditLog(db, config_hash="c" * 64)
    out: dict[str, float] = {}
    out["audit appends/s"] = rate(
        appends, lambda i: log.append("screening", "bench", f"q{i}", {"i": i, "score": 0.5})
    )

    def alert(i: int) -> None:
        result = {"source": "bench", "source_id": str(i), "snapshot": "s", "caption": f"X {i}",
                  "score": 0.9, "decision": "match", "content_hash": f"{i:064x}"}
        record_screening(log, Event("screening", "bench", f"q{i}", {
            "query": {"name": f"Party {i}"}, "results": [result]}))

    out["alerts/s"] = rate(decisions, alert)
    out["decisions/s (decide+approve)"] = rate(decisions, lambda i: (
        decide(log, i + 1, "false_positive", "bench", "alice", ["false_positive"]),
        approve(log, i + 1, "bob"),
    ))
    started = time.perf_counter()
    verdict = log.verify()
    assert verdict.ok, verdict.message()
    out["verify records/s"] = verdict.records / (time.perf_counter() - started)
    return out


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--decisions", type=int, default=500)
    parser.add_argument("--pg", default=None, help="postgresql:// URL")
    args = parser.parse_args(argv)
    pg = args.pg or next(
        (os.environ[v] for v in ("TRADESCREEN_BENCH_DATABASE_URL",
                                 "TRADESCREEN_TEST_DATABASE_URL", "TRADESCREEN_DATABASE_URL")
         if os.environ.get(v)), None)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="tradescreen-bench-cases-") as tmp:
        db = open_sqlite(Path(tmp) / "bench.db")
        try:
            results["sqlite"] = run(db, args.appends, args.decisions)
        finally:
            db.close()
    if pg:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        try:
            with open_postgresql(pg, schema) as db:
                results["postgresql"] = run(db, args.appends, args.decisions)
        finally:
            with open_postgresql(pg) as db:
                db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    names = list(results)
    print(f"{'':30}" + "".join(f"{n:>14}" for n in names))
    for metric in results["sqlite"]:
        print(f"{metric:30}" + "".join(f"{results[n][metric]:>14,.0f}" for n in names))
    if not pg:
        print("postgresql: not measured (no URL: --pg or $TRADESCREEN_BENCH_DATABASE_URL)")
    print(f"counts: {args.appends} appends, {args.decisions} alerts and decisions")
    return results


if __name__ == "__main__":
    main()
