"""Relations: a screened party that is a listed party's director, owner, subsidiary or vessel.

The lists' relations (OFAC "Linked To", vessel owners, FtM Ownership / Directorship /
UnknownLink ...) are kept on each record and indexed by whom they point at (`relations.*` in
the index folder: by the target's list id, and by its normalised name for targets that are on
no list themselves, such as a listed company's director). A query that *is* such a target -
by name, or because it matches the listed target - is reported on the listed party with the
path [screened party, role, listed party].
"""

from __future__ import annotations

from typing import Any

from tradescreen.index.attributes import AttributeIndex, relation_name_key
from tradescreen.index.records import Record
from tradescreen.match.explain import Feature

# What the relation's target is to the record holding it (model.Relation's kinds).
ROLE_OF_TARGET = {
    "owner": "owner of", "subsidiary": "subsidiary of", "director": "director of",
    "vessel_owner": "owner of vessel", "vessel_operator": "operator of vessel",
    "parent": "parent of", "family": "family member of", "associate": "associate of",
    "member": "organisation of member", "linked_to": "linked to",
}
# What the record holding the relation is to its target.
ROLE_OF_SOURCE = {
    "owner": "owned by", "subsidiary": "owner of", "director": "directed by",
    "vessel_owner": "vessel of", "vessel_operator": "vessel operated by",
    "parent": "subsidiary of", "family": "family member of", "associate": "associate of",
    "member": "member of", "linked_to": "linked to",
}
# Control and property: such a relation to a listed party calls for review by itself.
CONTROL = frozenset({"owner", "subsidiary", "director", "vessel_owner", "vessel_operator",
                     "parent"})
MAX_RELATED = 10  # listed parties added per query through relations


def _row(query_name: str, role: str, kind: str, record: Record, share: float | None,
         target: str) -> Feature:
    path = [query_name or target, role, record.caption]
    value: dict[str, Any] = {"path": path, "kind": kind, "role": role, "share": share,
                             "source": record.source, "source_id": record.source_id,
                             "listed_caption": record.caption, "target": target,
                             "control": kind in CONTROL}
    detail = " -> ".join(path) + (f" ({share:.0%})" if share else "")
    return Feature("relation", f"{role} listed party", 0.0, value, detail)


def incoming(attrs: AttributeIndex | None, records: Any, query_name: str,
             matched: list[Record]) -> dict[int, list[Feature]]:
    """Listed parties whose relations point at the query: at its name, or at a listed party
    it matched. Position -> relation rows."""
    if attrs is None:
        return {}
    found: dict[int, list[Feature]] = {}
    name_key = relation_name_key(query_name) if query_name else None
    targets: list[tuple[str, Record | None]] = []
    if name_key is not None:
        targets.append((name_key, None))
    targets += [(f"r:{r.source}:{r.source_id}", r) for r in matched]
    for key, target in targets:
        for pos in attrs.referring(key):
            record: Record = records[pos]
            for kind, target_name, target_id, share in record.relations:
                hit = (target_id is not None and target is not None
                       and target.source == record.source and target.source_id == target_id) \
                    if key.startswith("r:") else relation_name_key(target_name) == key
                if hit:
                    rows = found.setdefault(pos, [])
                    row = _row(query_name, ROLE_OF_TARGET.get(kind, kind), kind, record, share,
                               target_name)
                    if all(r.detail != row.detail for r in rows):
                        rows.append(row)
    # Control relations first, then the rest, at most MAX_RELATED parties.
    ranked = sorted(found, key=lambda p: not any(r.value["control"] for r in found[p]))
    return {pos: found[pos] for pos in ranked[:MAX_RELATED]}


def outgoing(query_name: str, record: Record) -> list[Feature]:
    """A matched listed party's own relations: the query is that party, so it is the
    vessel / subsidiary / ... of each target."""
    rows = []
    for kind, target_name, _target_id, share in record.relations[:MAX_RELATED]:
        role = ROLE_OF_SOURCE.get(kind, kind)
        path = [query_name or record.caption, role, target_name]
        value = {"path": path, "kind": kind, "role": role, "share": share,
                 "source": record.source, "source_id": record.source_id,
                 "listed_caption": record.caption, "target": target_name,
                 "control": kind in CONTROL}
        detail = " -> ".join(path) + (f" ({share:.0%})" if share else "")
        rows.append(Feature("relation", f"{role} (list relation)", 0.0, value, detail))
    return rows


def is_control(row: Feature) -> bool:
    return row.feature == "relation" and bool(row.value.get("control"))


def pair_rows(query_name: str, record: Record) -> list[Feature]:
    """The relation rows of one query against one record without the index: the record's
    relations that name the query (a book alert's explanation)."""
    key = relation_name_key(query_name) if query_name else None
    if key is None:
        return []
    return [_row(query_name, ROLE_OF_TARGET.get(kind, kind), kind, record, share, target)
            for kind, target, _id, share in record.relations if relation_name_key(target) == key]
