"""Snapshot records and the two identities of an import: its content hash and its readable id."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Snapshot:
    id: str
    source: str
    format: str
    published: str | None
    imported_at: str
    files: dict[str, str]  # file name -> sha256
    content_hash: str
    entity_count: int
    active: bool
    title: str = ""
    seq: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "snapshot": self.id,
            "published": self.published,
            "entities": self.entity_count,
            "hashes": dict(self.files),
            "imported_at": self.imported_at,
            "format": self.format,
            "content_hash": self.content_hash,
            "active": self.active,
            "title": self.title,
        }


ImportStatus = Literal["imported", "unchanged"]


@dataclass(frozen=True)
class ImportResult:
    status: ImportStatus
    snapshot: Snapshot
    # The snapshot this import replaced as active (None on a source's first import or unchanged).
    replaced: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = self.snapshot.to_dict()
        data["status"] = self.status
        data["replaced"] = self.replaced
        data.update(self.extra)
        return data


def content_hash(pairs: Iterable[tuple[str, str]]) -> str:
    """Hash of a list's content: sorted (source_id, entity content hash) pairs.

    Independent of file bytes, order and file names, so a re-export of identical data (new
    timestamp in a header, reordered rows) is still recognised as unchanged.
    """
    return sorted_content_hash(sorted(pairs))


def sorted_content_hash(pairs: Iterable[tuple[str, str]]) -> str:
    """`content_hash` of pairs already sorted by source_id (streamed, never held in memory)."""
    digest = hashlib.sha256()
    for source_id, entity_hash in pairs:
        digest.update(source_id.encode("utf-8"))
        digest.update(b"\x00")
        digest.update(entity_hash.encode("ascii"))
        digest.update(b"\n")
    return digest.hexdigest()


_NOT_DATE = re.compile(r"[^0-9]")


def snapshot_id(source: str, published: str | None, imported_at: str, chash: str) -> str:
    """Readable, sortable id: `us_ofac_sdn-20240503-1a2b3c4d` (import date if unpublished)."""
    day = _NOT_DATE.sub("", (published or imported_at)[:10])[:8] or "undated"
    return f"{source}-{day}-{chash[:8]}"
