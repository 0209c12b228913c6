"""Screen one party (a name with optional birth date, countries, identifiers) against the index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from tradescreen.index.build import Index
from tradescreen.index.lookup import candidates
from tradescreen.match.entity import EntityScore, Query, score_record
from tradescreen.normalize.names import name_form
from tradescreen.screen.listings import Listing, PartyInfo, group

Decision = Literal["match", "review", "no_match"]


@dataclass(frozen=True)
class Thresholds:
    match: float = 0.70
    review: float = 0.50

    def decide(self, score: float) -> Decision:
        if score >= self.match:
            return "match"
        if score >= self.review:
            return "review"
        return "no_match"


@dataclass(frozen=True)
class PartyResult:
    score: EntityScore  # the party's strongest listing
    decision: Decision
    party: PartyInfo | None = None  # every listing of the listed party, with the evidence

    @property
    def listings(self) -> tuple[Listing, ...]:
        if self.party is None:
            return (Listing(self.score.record, self.score.score),)
        return self.party.listings

    def to_dict(self) -> dict[str, Any]:
        r = self.score.record
        extra: dict[str, Any] = {"listings": [li.to_dict() for li in self.listings]}
        if self.party is not None:
            extra["party"] = self.party.key
            extra["party_hash"] = self.party.content_hash
            if self.party.evidence:
                extra["consolidation"] = list(self.party.evidence)
        return {
            "id": r.id,
            "source": r.source,
            "source_id": r.source_id,
            "caption": r.caption,
            "schema": r.schema,
            "matched_name": self.score.matched_name,
            "matched_name_kind": self.score.matched_kind,
            "score": round(self.score.score, 4),
            "decision": self.decision,
            "programs": list(r.programs),
            "listed_on": r.listed_on,
            "snapshot": r.snapshot,
            "explanation": [f.to_dict() for f in self.score.features],
            **extra,
        }


def query_to_dict(query: Query) -> dict[str, Any]:
    return {
        "name": query.name,
        "schema": query.schema,
        "birth_date": query.birth_date,
        "countries": list(query.countries),
        "identifiers": list(query.identifiers),
    }


class Screener:
    """Holds a loaded index; `screen` is pure with respect to it (no I/O, no clock)."""

    def __init__(self, index: Index, thresholds: Thresholds | None = None) -> None:
        self.index = index
        self.thresholds = thresholds or Thresholds()

    def screen(self, query: Query, *, limit: int = 10, min_score: float = 0.2) -> list[PartyResult]:
        form = name_form(query.name, query.schema, query=True)
        found = candidates(self.index, form, query.identifiers)
        scored: list[EntityScore] = []
        positions: list[int] = []
        for cand in found:
            record = self.index.records[cand.record]
            result = score_record(
                query, record, cand.name_slots or None, self.index.forms[cand.record]
            )
            if result.score >= min_score:
                scored.append(result)
                positions.append(cand.record)
        index = self.index

        def score_member(pos: int) -> EntityScore:
            return score_record(query, index.records[pos], None, index.forms[pos])

        # One result per listed party (index.clusters): its best listing leads.
        grouped = group(scored, getattr(index, "parties", None), positions, score_member)
        return [PartyResult(s, self.thresholds.decide(s.score), info)
                for s, info in grouped[:limit]]
