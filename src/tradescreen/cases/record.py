"""The events the edges emit, built from their results (pure: no storage, no clock)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import tradescreen
from tradescreen.events import Event
from tradescreen.store.snapshots import ImportResult


def import_event(result: ImportResult, actor: str, *, allow_shrink: bool = False) -> Event:
    """What an import did, as the audit trail keeps it: whether the snapshot became the active
    one, whether the operator overrode the shrink check, and every warning the import gave
    (ids merged, entity references expanded, encoding assumed, older publication kept)."""
    snap = result.snapshot
    data: dict[str, Any] = {
        "status": result.status,
        "source": snap.source,
        "format": snap.format,
        "published": snap.published,
        "entities": snap.entity_count,
        "content_hash": snap.content_hash,
        "files": dict(snap.files),
        "replaced": result.replaced,
        "active": snap.active,
        "allow_shrink": allow_shrink,
        "warnings": list(result.extra.get("warnings", [])),
    }
    for key in ("encoding", "base_snapshot", "orphans"):
        if key in result.extra:
            data[key] = result.extra[key]
    return Event("import", actor, snap.id, data, (snap.id,))


def screening_event(
    screenings: Sequence[Mapping[str, Any]],
    actor: str,
    snapshots: Sequence[str],
    *,
    config_hash: str,
    batch: Mapping[str, Any] | None = None,
) -> Event:
    """One party (`screen`) or many (`screen-file`, `book rescreen`: only rows with
    review/match hits need be passed; `batch` says what the whole file or book run was)."""
    common = {
        "engine_version": tradescreen.__version__,
        "config_hash": config_hash,
        "snapshots": list(snapshots),
    }
    if batch is None and len(screenings) == 1:
        one = screenings[0]
        data = {**common, "query": one["query"], "results": one["results"]}
        subject = f"query:{(one['query'] or {}).get('name', '')}"
    else:
        data = {**common, **(batch or {}), "screenings": list(screenings)}
        batch = batch or {}
        subject = f"book:{batch['book']}" if "book" in batch else f"file:{batch.get('file', '')}"
    return Event("screening", actor, subject, data, tuple(snapshots))
