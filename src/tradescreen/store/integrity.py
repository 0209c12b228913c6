"""Whether a newly written snapshot may become the active one: completeness and ordering.

Decided inside the import's write transaction, just before the activating update, when the
snapshot's entity count is final and the active snapshot cannot change under us:

- shrink: a file that lost a large share of the active snapshot's entities is far more often a
  cut download or a partial export than a real mass delisting (official lists drop a few entries
  per update), and activating it would silently clear every screening against the lost entries.
  Refused unless the operator says the list really shrank (`allow_shrink`).
- order: of two imports of one list, the one published later wins, whatever order they finish
  in. A file published before the active snapshot is kept for point-in-time screening but not
  activated. Where publication dates are missing, an import during which another import of the
  same list was activated is refused: which of the two is newer cannot be told.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradescreen.sources.base import SourceError
from tradescreen.store.snapshots import Snapshot

# Share of the active snapshot's entities a new file may lose without --allow-shrink, and a
# floor below which a loss is an ordinary update even of a very short list.
MAX_LOSS = 0.10
MIN_LOSS = 10


class ImportRefused(SourceError):
    """An import the store will not activate; nothing was written."""


@dataclass(frozen=True)
class Activation:
    activate: bool
    warning: str | None = None


def check_shrink(source: str, active: Snapshot | None, count: int, *, allow: bool) -> str | None:
    """Refuse (or, allowed, describe) a snapshot that loses more than MAX_LOSS of `active`."""
    if active is None or active.entity_count == 0:
        return None
    lost = active.entity_count - count
    if lost <= max(active.entity_count * MAX_LOSS, MIN_LOSS):
        return None
    share = f"{lost / active.entity_count:.0%}"
    what = (
        f"{source}: the new file has {count:,} entities, the active snapshot {active.id} has "
        f"{active.entity_count:,}: {lost:,} fewer ({share})"
    )
    if allow:
        return f"{what}; activated as --allow-shrink asked"
    raise ImportRefused(
        f"{what}, more than the {MAX_LOSS:.0%} an update normally removes. A truncated or "
        "partial file? Nothing was imported; if the list really shrank, import it again with "
        "--allow-shrink"
    )


def decide(
    source: str,
    active: Snapshot | None,
    published: str | None,
    count: int,
    *,
    started_seq: int | None = None,
    allow_shrink: bool = False,
) -> Activation:
    """Activate the new snapshot, keep it inactive (older than the active one), or refuse."""
    if active is None:
        return Activation(True)
    if published and active.published:
        if published[:10] < active.published[:10]:
            return Activation(False, (
                f"{source}: published {published[:10]}, before the active snapshot {active.id} "
                f"(published {active.published[:10]}): kept for --as-of, not activated"
            ))
    elif started_seq is not None and active.seq > started_seq:
        raise ImportRefused(
            f"{source}: another import activated {active.id} while this one ran, and without "
            "publication dates on both the newer of the two cannot be told; nothing was "
            "imported: run it again (or give --published)"
        )
    return Activation(True, check_shrink(source, active, count, allow=allow_shrink))
