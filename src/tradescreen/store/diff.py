"""What changed between two snapshots of one list: drives delta re-screening and reviews."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class DiffItem:
    source_id: str
    caption: str
    schema: str

    def to_dict(self) -> dict[str, str]:
        return {"source_id": self.source_id, "caption": self.caption, "schema": self.schema}


@dataclass(frozen=True)
class Diff:
    from_id: str
    to_id: str
    added: list[DiffItem] = field(default_factory=list)
    removed: list[DiffItem] = field(default_factory=list)
    changed: list[DiffItem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.from_id,
            "to": self.to_id,
            "added": [i.to_dict() for i in self.added],
            "removed": [i.to_dict() for i in self.removed],
            "changed": [i.to_dict() for i in self.changed],
        }


# source_id -> (entity_hash, caption, schema)
Rows = Mapping[str, tuple[str, str, str]]


def _sort_key(source_id: str) -> tuple[int, int | str]:
    # Numeric ids (OFAC ent_num) sort numerically, the rest lexically after them.
    return (0, int(source_id)) if source_id.isdigit() else (1, source_id)


def compute_diff(from_id: str, to_id: str, old: Rows, new: Rows) -> Diff:
    added = [DiffItem(k, new[k][1], new[k][2]) for k in new.keys() - old.keys()]
    removed = [DiffItem(k, old[k][1], old[k][2]) for k in old.keys() - new.keys()]
    # Changed is judged on the full entity content hash; the caption shown is the new one.
    changed = [
        DiffItem(k, new[k][1], new[k][2])
        for k in new.keys() & old.keys()
        if new[k][0] != old[k][0]
    ]
    for items in (added, removed, changed):
        items.sort(key=lambda i: _sort_key(i.source_id))
    return Diff(from_id, to_id, added, removed, changed)
