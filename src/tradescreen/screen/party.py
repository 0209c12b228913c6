"""Screen one party (a name with optional birth date, countries, identifiers) against the index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from tradescreen.index.attributes import attributes_of
from tradescreen.index.build import Index
from tradescreen.index.lookup import Candidate, candidates
from tradescreen.match.entity import EntityScore, Query, score_record
from tradescreen.normalize.names import name_form
from tradescreen.screen.listings import Listing, PartyInfo, group
from tradescreen.screen.relations import incoming, outgoing
from tradescreen.screen.shared import (
    attribute_hits,
    extra_positions,
    network_decision,
    with_rows,
)

Decision = Literal["match", "review", "no_match"]
DECISION_RANK = {"match": 2, "review": 1, "no_match": 0}


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
            # [screened party, role, listed party] for each list relation the hit has
            "relations": [f.value for f in self.score.evidence if f.feature == "relation"],
        }


def query_to_dict(query: Query) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": query.name,
        "schema": query.schema,
        "birth_date": query.birth_date,
        "countries": list(query.countries),
        "identifiers": list(query.identifiers),
    }
    for kind, value in query.attributes:  # only when given: audit digests stay as they were
        data.setdefault(f"{kind}es" if kind == "address" else f"{kind}s", []).append(value)
    return data


class Screener:
    """Holds a loaded index; `screen` is pure with respect to it (no I/O, no clock)."""

    def __init__(self, index: Index, thresholds: Thresholds | None = None) -> None:
        self.index = index
        self.thresholds = thresholds or Thresholds()
        self.attributes = attributes_of(index)

    def screen(self, query: Query, *, limit: int = 10, min_score: float = 0.2) -> list[PartyResult]:
        form = name_form(query.name, query.schema, query=True)
        found = candidates(self.index, form, query.identifiers)
        # Shared attributes reach listed parties whatever their names (match.attributes).
        hits = attribute_hits(self.index, self.attributes, query)
        if hits:
            named = {c.record for c in found}
            found += [Candidate(pos, (), 0.0) for pos in extra_positions(hits, named)]
        results: list[PartyResult] = []
        positions: list[int] = []
        for cand in found:
            record = self.index.records[cand.record]
            result = score_record(
                query, record, cand.name_slots or None, self.index.forms[cand.record]
            )
            rows = hits.get(cand.record)
            if rows:
                result = with_rows(result, rows)
            # A shared office, line or domain is worth a look whatever the names say.
            decision = network_decision(self.thresholds.decide(result.score), rows or [])
            if result.score >= min_score or rows:
                results.append(PartyResult(result, decision))
                positions.append(cand.record)
        self._relate(query, results, positions)
        return self._by_party(query, results, positions)[:limit]

    def _by_party(self, query: Query, results: list[PartyResult], positions: list[int]
                  ) -> list[PartyResult]:
        """One result per listed party (index.clusters), led by its strongest listing: the
        highest decision (a shared attribute or relation may raise one), then the score."""
        index = self.index

        def score_member(pos: int) -> EntityScore:
            return score_record(query, index.records[pos], None, index.forms[pos])

        by_id = {r.score.record.id: r for r in results}
        grouped = group([r.score for r in results], getattr(index, "parties", None), positions,
                        score_member)
        out: list[PartyResult] = []
        for _lead, info in grouped:
            # Every party holds at least the listing the screening reached.
            members = [by_id[li.record.id] for li in info.listings if li.record.id in by_id]
            best = max(members, key=lambda r: (DECISION_RANK[r.decision], r.score.score))
            out.append(PartyResult(best.score, best.decision, info))
        # Decision first: a party raised to review by a shared attribute outranks name-only
        # no_match candidates (for name-only results the order is the score's).
        out.sort(key=lambda r: (-DECISION_RANK[r.decision], -r.score.score,
                                    r.score.record.source,
                                r.score.record.source_id))
        return out

    def _relate(self, query: Query, results: list[PartyResult], positions: list[int]) -> None:
        """Add the list relations of matched parties and the listed parties related to the
        query (screen.relations) to `results` (and their index positions to `positions`)."""
        matched = [r.score.record for r in results if r.decision == "match"]
        related = incoming(self.attributes, self.index.records, query.name, matched)
        for i, result in enumerate(results):
            rows = list(related.pop(positions[i], ()))
            if result.decision == "match":
                rows += outgoing(query.name, result.score.record)
            if rows:
                results[i] = PartyResult(with_rows(result.score, rows),
                                         network_decision(result.decision, rows))
        for pos, rows in related.items():
            record = self.index.records[pos]
            score = score_record(query, record, None, self.index.forms[pos])
            # Director, owner, subsidiary or vessel of a listed party: review at least.
            decision = network_decision(self.thresholds.decide(score.score), rows)
            results.append(PartyResult(with_rows(score, rows), decision))
            positions.append(pos)
