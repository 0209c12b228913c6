"""Screen one party (a name with optional birth date, countries, identifiers) against the index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from tradescreen.index.attributes import attributes_of
from tradescreen.index.build import Index
from tradescreen.index.clusters import authority
from tradescreen.index.lookup import Candidate, candidates
from tradescreen.match.bound import RecordBound
from tradescreen.match.entity import EntityScore, Query, score_record
from tradescreen.memory import Settler
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
# Candidates (best blocking share first) scored without a bound: on the 1.5 M synthetic
# collection the first five are mostly scored all the same, and a bound costs most of a score.
SCORED_FIRST = 5


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

    def __init__(self, index: Index, thresholds: Thresholds | None = None,
                 prune: bool = True) -> None:
        self.index = index
        self.thresholds = thresholds or Thresholds()
        # False: every candidate scored (the reference the pruned screening must equal).
        self.prune = prune
        self.attributes = attributes_of(index)
        self._settler = Settler()

    def screen(self, query: Query, *, limit: int = 10, min_score: float = 0.2) -> list[PartyResult]:
        full = self._settler.full_collections()
        try:
            return self._screen(query, limit, min_score)
        finally:
            # A full collection walked what this process loaded on first use (rigour's tagger,
            # the caches); freezing it keeps the next ones short (`memory.Settler`).
            self._settler.settle(full)

    def _screen(self, query: Query, limit: int, min_score: float) -> list[PartyResult]:
        form = name_form(query.name, query.schema, query=True)
        found = candidates(self.index, form, query.identifiers)
        # Shared attributes reach listed parties whatever their names (match.attributes).
        hits = attribute_hits(self.index, self.attributes, query)
        if hits:
            named = {c.record for c in found}
            found += [Candidate(pos, (), 0.0) for pos in extra_positions(hits, named)]
        scored, skipped = self._score_candidates(query, found, hits, limit, min_score)
        # The matched parties (in the candidates' order) draw in the parties related to them.
        matched = []
        for cand in found:
            s = scored.get(cand.record)
            if s is not None and self.thresholds.decide(s.score) == "match" and (
                    s.score >= min_score or hits.get(cand.record)):
                matched.append(s.record)
        related = incoming(self.attributes, self.index.records, query.name, matched)
        if skipped:
            self._complete(query, scored, skipped, related, hits, min_score)
        results: list[PartyResult] = []
        positions: list[int] = []
        for cand in found:
            result = scored.get(cand.record)
            if result is None:
                continue
            rows = hits.get(cand.record)
            # A shared office, line or domain is worth a look whatever the names say.
            decision = network_decision(self.thresholds.decide(result.score), rows or [])
            if result.score >= min_score or rows:
                results.append(PartyResult(result, decision))
                positions.append(cand.record)
        self._relate(query, results, positions, related)
        return self._by_party(query, results, positions, limit)

    def _score_one(self, query: Query, cand: Candidate,
                   hits: dict[int, list[Any]]) -> EntityScore:
        result = score_record(query, self.index.records[cand.record], cand.name_slots or None,
                              self.index.forms[cand.record])
        rows = hits.get(cand.record)
        return with_rows(result, rows) if rows else result

    def _score_candidates(self, query: Query, found: list[Candidate],
                          hits: dict[int, list[Any]], limit: int, min_score: float
                          ) -> tuple[dict[int, EntityScore], dict[int, Candidate]]:
        """Every candidate's score, except those certain to change nothing: scored best bound
        first (`screen.bound`), the rest are skipped once each of them is below `min_score`, or
        below the `limit` parties already found, and none can be a match (a match draws in the
        parties related to it). Returns (position -> score, position -> skipped candidate)."""
        scored: dict[int, EntityScore] = {}
        if not self.prune:
            for cand in found:
                scored[cand.record] = self._score_one(query, cand, hits)
            return scored, {}
        # A shared attribute's rows count whatever the name: those are always scored, and so
        # are the first few by blocking share, which would be scored all the same (bounding
        # one costs most of scoring it).
        rest = []
        blind = SCORED_FIRST
        for cand in found:
            if cand.record in hits or blind > 0:
                scored[cand.record] = self._score_one(query, cand, hits)
                blind -= cand.record not in hits
            else:
                rest.append(cand)
        if not rest:
            return scored, {}
        bounds = self._bounds(query)
        index = self.index
        order = sorted(
            ((bounds.quick(index.records[c.record], c.name_slots, index.forms[c.record]), i, c)
             for i, c in enumerate(rest)),
            key=lambda item: (-item[0], item[1]))
        party_of = self._party_of
        # The best score of each party holding a kept result (a lower bound of its rank).
        best: dict[int, float] = {}
        for pos, s in scored.items():
            if s.score >= min_score or hits.get(pos):
                key = party_of(pos)
                best[key] = max(best.get(key, s.score), s.score)
        match = self.thresholds.match
        for at, (most, _i, cand) in enumerate(order):
            if most < match and (most < min_score or (
                    limit >= 1 and sum(1 for v in best.values() if v > most) >= limit)):
                return scored, {c.record: c for _m, _i, c in order[at:]}
            result = scored[cand.record] = self._score_one(query, cand, hits)
            if result.score >= min_score:
                key = party_of(cand.record)
                best[key] = max(best.get(key, result.score), result.score)
        return scored, {}

    def _complete(self, query: Query, scored: dict[int, EntityScore],
                  skipped: dict[int, Candidate], related: dict[int, list[Any]],
                  hits: dict[int, list[Any]], min_score: float) -> None:
        """Score the skipped candidates the answer still reads: a listed party related to
        the query (its rows join the candidate's own score), and another listing of a party
        the answer holds (every listing of a party shown is listed with its score)."""
        need = [pos for pos in related if pos in skipped]
        parties = getattr(self.index, "parties", None)
        if parties is not None:
            held = {self._party_of(pos) for pos, s in scored.items()
                    if s.score >= min_score or hits.get(pos)}
            held.update(self._party_of(pos) for pos in related)
            need += [pos for pos in skipped if self._party_of(pos) in held]
        for pos in need:
            if pos not in scored:
                scored[pos] = self._score_one(query, skipped[pos], hits)

    def _party_of(self, pos: int) -> int:
        """A key of the listed party of `pos` (the same for all its listings)."""
        parties = getattr(self.index, "parties", None)
        if parties is None:
            return pos
        number = parties.cluster_number(pos)
        return pos if number < 0 else -1 - number

    def _bounds(self, query: Query) -> RecordBound:
        return RecordBound(query)

    def _by_party(self, query: Query, results: list[PartyResult], positions: list[int],
                  limit: int | None = None) -> list[PartyResult]:
        """One result per listed party (index.clusters), led by its strongest listing: the
        highest decision (a shared attribute or relation may raise one), then the score; the
        first `limit` parties (all when None)."""
        index = self.index
        parties = getattr(index, "parties", None)

        def score_member(pos: int) -> EntityScore:
            return score_record(query, index.records[pos], None, index.forms[pos])

        # A party's rank is its lead's, which only the listings reached decide: the parties
        # shown are chosen first, and only their other listings are scored.
        reached: dict[int, list[int]] = {}
        lead: dict[int, tuple[int, float, int, str, str]] = {}
        for i, (result, pos) in enumerate(zip(results, positions, strict=True)):
            anchor = self._party_of(pos)
            reached.setdefault(anchor, []).append(i)
            record = result.score.record
            # `group` lists a party's listings by score, then authority: of two leads alike,
            # the first listed leads.
            key = (-DECISION_RANK[result.decision], -result.score.score,
                   authority(record.source), record.source, record.source_id)
            if anchor not in lead or key < lead[anchor]:
                lead[anchor] = key
        # Decision first: a party raised to review by a shared attribute outranks name-only
        # no_match candidates (for name-only results the order is the score's).
        shown = sorted(lead, key=lambda a: (lead[a][:2], lead[a][3:]))
        by_id = {r.score.record.id: r for r in results}
        out: list[PartyResult] = []
        for anchor in shown[:limit]:
            at = reached[anchor]
            ((_lead, info),) = group([results[i].score for i in at], parties,
                                     [positions[i] for i in at], score_member)
            # Every party holds at least the listing the screening reached.
            members = [by_id[li.record.id] for li in info.listings if li.record.id in by_id]
            best = max(members, key=lambda r: (DECISION_RANK[r.decision], r.score.score))
            out.append(PartyResult(best.score, best.decision, info))
        return out

    def _relate(self, query: Query, results: list[PartyResult], positions: list[int],
                related: dict[int, list[Any]]) -> None:
        """Add the list relations of matched parties and the listed parties related to the
        query (`related`: screen.relations.incoming) to `results` (and their index positions
        to `positions`)."""
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
