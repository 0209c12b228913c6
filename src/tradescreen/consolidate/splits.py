"""Analysts' splits of wrong merges, kept in the store and applied to every index.

A split names the listings moved out of a party and the listings they stay apart from, by list
ids (source:source_id), so it outlives the index it was made on: a list update that changes an
entry's content or position changes nothing about it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from tradescreen.store.db import Database

Apart = tuple[frozenset[str], frozenset[str]]


class SplitError(ValueError):
    """A split that cannot be made (unknown listing, nothing left on one side)."""


@dataclass(frozen=True)
class Split:
    id: int
    created_at: str
    actor: str
    reason: str
    party: str
    moved: tuple[str, ...]
    others: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "created_at": self.created_at, "actor": self.actor,
                "reason": self.reason, "party": self.party, "moved": list(self.moved),
                "others": list(self.others)}

    @property
    def apart(self) -> Apart:
        return (frozenset(self.moved), frozenset(self.others))


_COLUMNS = "id, created_at, actor, reason, party, moved, others"


def list_splits(db: Database) -> list[Split]:
    rows = db.fetchall(f"SELECT {_COLUMNS} FROM cluster_splits ORDER BY id")
    return [Split(int(r[0]), r[1], r[2], r[3], r[4], tuple(orjson.loads(r[5])),
                  tuple(orjson.loads(r[6]))) for r in rows]


def apart_pairs(db: Database) -> tuple[Apart, ...]:
    return tuple(s.apart for s in list_splits(db))


def plan_split(party: str, member_ids: Sequence[str], moved: Sequence[str]) -> tuple[
        tuple[str, ...], tuple[str, ...]]:
    """Check a split against the party's current members: (moved, others)."""
    members = list(dict.fromkeys(member_ids))
    wanted = list(dict.fromkeys(m.strip() for m in moved if m.strip()))
    unknown = [m for m in wanted if m not in members]
    if unknown:
        raise SplitError(f"{', '.join(unknown)} is not a listing of {party} "
                         f"(its listings: {', '.join(members)})")
    others = tuple(m for m in members if m not in wanted)
    if not wanted or not others:
        raise SplitError("a split moves some listings of the party out and leaves at least one")
    return tuple(wanted), others


def add_split(db: Database, at: str, actor: str, reason: str, party: str,
              moved: Sequence[str], others: Sequence[str]) -> Split:
    """Insert within the caller's write transaction (with its audit record)."""
    if not reason.strip():
        raise SplitError("give the reason for the split (--reason)")
    new_id = int(db.fetchone("SELECT COALESCE(MAX(id), 0) + 1 FROM cluster_splits")[0])
    db.execute(
        f"INSERT INTO cluster_splits ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (new_id, at, actor, reason.strip(), party, orjson.dumps(list(moved)).decode(),
         orjson.dumps(list(others)).decode()),
    )
    return Split(new_id, at, actor, reason.strip(), party, tuple(moved), tuple(others))
