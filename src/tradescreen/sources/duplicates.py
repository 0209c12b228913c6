"""Records that repeat an id within one list file: kept as one entity under the list's own id.

Renaming the repeats ("15268-CAP-2") invented ids the list does not have, which then appeared in
results, diffs and case decisions as if they were the list's; dropping them would lose whatever
the repeat adds. So repeats are merged into the first record (every name, address, identifier,
... of each) and each merge is reported. Records that share an id but describe different kinds
of party (a person and a vessel) cannot be one entity: the file is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields, replace

from tradescreen.model import Entity
from tradescreen.sources.base import SourceError

_SCALARS = ("listed_on", "remarks", "gender")


def merge_repeats(entities: Iterable[Entity], label: str) -> tuple[list[Entity], list[str]]:
    """(entities with unique ids, one warning per repeated id) for a list file named `label`."""
    merged: dict[str, Entity] = {}
    records: dict[str, list[int]] = {}
    for number, entity in enumerate(entities, start=1):
        first = merged.get(entity.source_id)
        records.setdefault(entity.source_id, []).append(number)
        merged[entity.source_id] = entity if first is None else _merge(first, entity, label)
    warnings = [
        f"{label}: id {sid} is on {len(numbers)} records (nos. "
        f"{', '.join(map(str, numbers))}): kept as one entity with what all of them say"
        for sid, numbers in records.items()
        if len(numbers) > 1
    ]
    return list(merged.values()), warnings


def _merge(first: Entity, other: Entity, label: str) -> Entity:
    if first.schema != other.schema:
        raise SourceError(
            f"{label}: id {first.source_id} names both a {first.schema} "
            f"({first.caption}) and a {other.schema} ({other.caption}); a list id must name "
            "one party"
        )
    changes: dict = {}
    for f in fields(Entity):
        mine, theirs = getattr(first, f.name), getattr(other, f.name)
        if f.name == "names":
            # A repeat's differing primary name is still a name of the party: kept as an alias.
            seen = {n.value for n in mine}
            extra = tuple(
                replace(n, kind="alias") if n.kind == "primary" else n
                for n in theirs
                if n.value not in seen
            )
            changes["names"] = mine + extra
        elif isinstance(mine, tuple):
            changes[f.name] = tuple(dict.fromkeys(mine + theirs))
        elif f.name == "properties":
            keys = sorted({*mine, *theirs})
            changes[f.name] = {
                k: tuple(dict.fromkeys(mine.get(k, ()) + theirs.get(k, ()))) for k in keys
            }
        elif f.name in _SCALARS and mine is None:
            changes[f.name] = theirs
    return replace(first, **changes)
