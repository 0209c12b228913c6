"""One result per listed party: the scored listings of a screening grouped by party.

The index knows which listings are one party (`index.clusters`); every listing of a party that
a screening reaches is scored, the best one leads (ties: the most authoritative list), and the
result carries all of them, so an analyst sees one hit for a party on five lists and decides once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tradescreen.index.clusters import authority, members_hash, party_key
from tradescreen.index.records import Record
from tradescreen.match.entity import EntityScore

# Where a person can read the listing itself, for lists with a page per entry.
_LINKS = {
    "us_ofac_sdn": "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={id}",
    "us_ofac_cons": "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={id}",
}


def official_link(source: str, source_id: str) -> str | None:
    pattern = _LINKS.get(source)
    return pattern.format(id=source_id) if pattern and source_id.isdigit() else None


@dataclass(frozen=True)
class Listing:
    record: Record
    score: float | None  # None: a listing of the party this screening did not score

    def to_dict(self) -> dict[str, Any]:
        r = self.record
        return {
            "id": r.id, "source": r.source, "source_id": r.source_id, "caption": r.caption,
            "schema": r.schema, "programs": list(r.programs), "listed_on": r.listed_on,
            "snapshot": r.snapshot, "content_hash": r.content_hash,
            "link": official_link(r.source, r.source_id),
            "score": None if self.score is None else round(self.score, 4),
        }


@dataclass(frozen=True)
class PartyInfo:
    key: str  # stable party key (its anchor listing)
    content_hash: str  # every listing's id and content: changes when a listing is added
    listings: tuple[Listing, ...]  # the strongest first
    evidence: tuple[dict[str, Any], ...] = ()  # the links that joined the listings

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "content_hash": self.content_hash,
                "evidence": list(self.evidence)}


def _rank(s: EntityScore) -> tuple[float, int, str, str]:
    return (-s.score, authority(s.record.source), s.record.source, s.record.source_id)


def group(
    scored: Sequence[EntityScore],
    parties: Any,
    positions: Sequence[int],
    score_member: Callable[[int], EntityScore],
) -> list[tuple[EntityScore, PartyInfo]]:
    """(the party's best listing score, the party) for each party, best first.

    `positions[i]` is the index position of `scored[i]`; `score_member(pos)` scores a listing of
    a party the screening did not reach. Without `parties` each listing is its own party."""
    by_party: dict[int, list[tuple[int, EntityScore]]] = {}
    for pos, s in zip(positions, scored, strict=True):
        members = parties.members(pos) if parties is not None else (pos,)
        by_party.setdefault(min(members), []).append((pos, s))
    out: list[tuple[EntityScore, PartyInfo]] = []
    for anchor, reached in by_party.items():
        members = parties.members(anchor) if parties is not None else (anchor,)
        scores = {pos: s for pos, s in reached}
        for pos in members:
            if pos not in scores:
                scores[pos] = score_member(pos)
        ranked = sorted(scores.values(), key=_rank)
        listings = tuple(Listing(s.record, s.score) for s in ranked)
        ids = [s.record.id for s in ranked]
        cluster = parties.cluster(anchor) if parties is not None and len(members) > 1 else None
        info = PartyInfo(
            key=party_key(ids),
            content_hash=members_hash([(s.record.id, s.record.content_hash) for s in ranked]),
            listings=listings,
            evidence=tuple(_evidence(cluster)) if cluster else (),
        )
        out.append((ranked[0], info))
    out.sort(key=lambda pair: _rank(pair[0]))
    return out


def _evidence(cluster: dict[str, Any]) -> list[dict[str, Any]]:
    id_of = dict(zip(cluster["members"], cluster["ids"], strict=True))
    return [{"a": id_of[a], "b": id_of[b], "kind": kind, "evidence": text}
            for a, b, kind, text in cluster["links"]]


class HitGrouper:
    """Per-listing hits (book alerts, stored results) grouped into one per listed party.

    Book re-screening keeps one alert per row and listing (so a delta re-screen stays exact);
    what an analyst sees and decides, the case alerts and `book alerts`, is one per party."""

    def __init__(self, index: Any) -> None:
        self.index = index
        parties = getattr(index, "parties", None)
        self._cluster: dict[str, dict[str, Any]] = {}
        if parties is not None:
            for item in parties:
                if len(item["ids"]) > 1:
                    self._cluster.update(dict.fromkeys(item["ids"], item))

    def group(self, hits: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """The hits of one query or row: the best of each party, with the party's listings."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for hit in hits:
            item = self._cluster.get(f"{hit['source']}:{hit['source_id']}")
            key = party_key(item["ids"]) if item else f"{hit['source']}:{hit['source_id']}"
            groups.setdefault(key, []).append(hit)
        out: list[dict[str, Any]] = []
        for key, members in groups.items():
            members.sort(key=_hit_rank)
            top = dict(members[0])
            item = self._cluster.get(f"{top['source']}:{top['source_id']}")
            if item is not None:
                scores = {f"{h['source']}:{h['source_id']}": float(h["score"]) for h in members}
                records = [self.index.records[pos] for pos in item["members"]]
                records.sort(key=lambda r: (-scores.get(r.id, -1.0), authority(r.source), r.id))
                top["party"] = key
                top["party_hash"] = members_hash([(r.id, r.content_hash) for r in records])
                top["listings"] = [Listing(r, scores.get(r.id)).to_dict() for r in records]
            out.append(top)
        out.sort(key=_hit_rank)
        return out


def _hit_rank(hit: dict[str, Any]) -> tuple[float, int, str, str]:
    return (-float(hit["score"]), authority(hit["source"]), hit["source"], str(hit["source_id"]))
