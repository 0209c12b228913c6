"""A separate process for the durability tests: appends audit records or decides an alert.

    python worker.py DB append N WORKER [pause]
    python worker.py DB decide ALERT [pause]

DB is a SQLite path or a postgresql:// URL (with `#schema`). With `pause`, the process announces
itself on stdout from inside the transaction (after its insert, before the commit) and sleeps:
the test kills it there.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from tradescreen.cases.audit import AuditLog
from tradescreen.cases.decisions import decide
from tradescreen.store.db import Database, open_postgresql, open_sqlite

PAUSED = "paused inside the transaction"


def open_db(spec: str) -> Database:
    if spec.startswith("postgresql://"):
        url, _, schema = spec.partition("#")
        return open_postgresql(url, schema or None)
    return open_sqlite(Path(spec))


def main(argv: list[str]) -> None:
    db = open_db(argv[0])
    pause = argv[-1] == "pause"

    def hook(_record: object) -> None:
        if pause:
            print(PAUSED, flush=True)
            time.sleep(120)

    log = AuditLog(db, config_hash="c" * 64, before_commit=hook)
    # A start barrier, so concurrent workers really overlap.
    time.sleep(max(0.0, float(os.environ.get("WORKER_START_AT") or 0) - time.time()))
    if argv[1] == "append":
        for i in range(int(argv[2])):
            log.append("screening", f"worker-{argv[3]}", f"q{i}", {"i": i, "w": argv[3]})
    elif argv[1] == "decide":
        decide(log, int(argv[2]), "false_positive", "killed mid-write", "alice",
               ["false_positive"])
    db.close()


if __name__ == "__main__":
    main(sys.argv[1:])
