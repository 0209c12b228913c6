"""The audit chain as pure functions: canonical bytes, record hashes, verification.

A record's hash covers every stored field, including the previous record's hash, so altering any
field of any row breaks that row's hash, and deleting or reordering rows breaks a link. Nothing
here touches storage or the clock: `audit.py` reads rows and feeds them in, in `seq` order.

Retention purges remove a prefix of the chain. The purge is itself a record in the chain carrying
the last purged record's sequence number and hash, so the surviving chain still starts from a
hash it can account for (see `verify`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

GENESIS = "0" * 64
# The stored columns the hash covers, in no particular order (canonical JSON sorts keys).
HASHED_FIELDS = (
    "seq", "at", "kind", "actor", "subject", "snapshots", "engine_version", "config_hash",
    "data", "prev_hash",
)
PURGE_KIND = "purge"


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no whitespace, UTF-8; one text for one value."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def record_hash(row: Mapping[str, Any]) -> str:
    payload = canonical({name: row[name] for name in HASHED_FIELDS})
    return hashlib.sha256(payload.encode()).hexdigest()


def prefix_digest(hashes: Iterable[str]) -> str:
    """One digest for a run of records (a purged prefix): an auditor holding an earlier export
    can check that exactly those records were removed."""
    digest = hashlib.sha256()
    for h in hashes:
        digest.update(h.encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    records: int
    bad_seq: int | None = None
    reason: str = ""

    def message(self) -> str:
        if self.ok:
            return f"chain valid: {self.records} records"
        return f"chain broken at record {self.bad_seq}: {self.reason}"


class ChainVerifier:
    """Feed rows in `seq` order, then call `result(head)`.

    An altered record (its content no longer matches its hash) is reported in preference to a
    broken link, because an alteration is unambiguous about which row was touched, while a broken
    link only says that something between two rows changed.
    """

    def __init__(self) -> None:
        self.count = 0
        self._first: tuple[int, str] | None = None  # (seq, prev_hash) of the first row
        self._last: tuple[int, str] | None = None  # (seq, hash) of the previous row
        self._altered: tuple[int, str] | None = None
        self._link: tuple[int, str] | None = None
        self._anchor: tuple[int, str] | None = None  # latest purge: (through seq, last hash)

    def add(self, row: Mapping[str, Any]) -> None:
        self.count += 1
        seq, stored = int(row["seq"]), str(row["hash"])
        if self._altered is None and record_hash(row) != stored:
            self._altered = (seq, "content does not match its hash (record altered)")
        if self._first is None:
            self._first = (seq, str(row["prev_hash"]))
        elif self._link is None and self._last is not None:
            last_seq, last_hash = self._last
            if seq != last_seq + 1:
                self._link = (seq, f"records {last_seq + 1}..{seq - 1} are missing (deleted)")
            elif row["prev_hash"] != last_hash:
                self._link = (
                    seq, f"does not link to record {last_seq} (a record was altered, "
                    "deleted or reordered)",
                )
        if row["kind"] == PURGE_KIND and record_hash(row) == stored:
            data = orjson.loads(row["data"])
            self._anchor = (int(data["through_seq"]), str(data["last_hash"]))
        self._last = (seq, stored)

    def result(self, head: tuple[int, str] | None = None) -> Verdict:
        for problem in (self._altered, self._link, self._start_problem()):
            if problem is not None:
                return Verdict(False, self.count, problem[0], problem[1])
        if head is not None:
            last = self._last or (0, GENESIS)
            if last != head:
                # The head row is updated with every append: a shorter chain lost its tail.
                return Verdict(
                    False, self.count, last[0] + 1,
                    f"missing: the chain head says the last record is {head[0]}, "
                    f"the log ends at {last[0]} (records deleted)",
                )
        return Verdict(True, self.count)

    def _start_problem(self) -> tuple[int, str] | None:
        if self._first is None:
            return None
        seq, prev = self._first
        through, last_hash = self._anchor or (0, GENESIS)
        if seq != through + 1:
            return (seq, f"records {through + 1}..{seq - 1} before it are missing (deleted "
                    "without a purge record)")
        if prev != last_hash:
            return (seq, "does not link to the start of the chain or to the last purged record")
        return None


def verify(rows: Iterable[Mapping[str, Any]], head: tuple[int, str] | None = None) -> Verdict:
    checker = ChainVerifier()
    for row in rows:
        checker.add(row)
    return checker.result(head)
