"""Suppression of cleared false positives: one party, one list entry, until either changes.

The key is (query key, source, source_id, entry content hash). A new version of the list entry
(new content hash) or a changed party (new query key) simply does not find the key, so the hit is
raised again: nothing has to expire or be invalidated.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradescreen.store.db import Database


@dataclass(frozen=True)
class SuppressionKey:
    query_key: str
    source: str
    source_id: str
    content_hash: str

    def as_tuple(self) -> tuple[str, str, str, str]:
        return (self.query_key, self.source, self.source_id, self.content_hash)

    def to_dict(self) -> dict[str, str]:
        return {
            "query_key": self.query_key,
            "source": self.source,
            "source_id": self.source_id,
            "content_hash": self.content_hash,
        }


def suppressed_by(db: Database, key: SuppressionKey) -> int | None:
    """The alert whose final false-positive decision suppresses this hit, if any."""
    row = db.fetchone(
        "SELECT alert_id FROM suppressions "
        "WHERE query_key = ? AND source = ? AND source_id = ? AND content_hash = ?",
        key.as_tuple(),
    )
    return int(row[0]) if row else None


def add_suppression(db: Database, key: SuppressionKey, alert_id: int, at: str) -> None:
    """Called inside the decision's write transaction, when a false positive becomes final."""
    db.execute(
        "INSERT INTO suppressions (query_key, source, source_id, content_hash, alert_id, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (query_key, source, source_id, content_hash) DO NOTHING",
        (*key.as_tuple(), alert_id, at),
    )
