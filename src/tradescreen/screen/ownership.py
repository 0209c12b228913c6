"""Ownership check: the OFAC 50 Percent Rule with aggregation through layers. Pure.

OFAC's revised guidance of 13 Aug 2014 (79 FR 47726): an entity owned 50 % or more, directly or
indirectly, individually or in the aggregate, by blocked persons is itself blocked. So shares of
different listed owners add up (30 % + 25 % = 55 % -> blocked), and an unlisted owner that is
itself >= 50 % owned by blocked persons is blocked and its share counts in full.

Owners come from the transaction (`owners`, nested for layers) and from the lists: when a party
or owner is found on a list, that entry's `owner` relations (with shares) add owners, and a
matched owner's `subsidiary` relations can name the party itself. Listed owners below 50 % (or
owners that only possibly match) call for review: OFAC advises caution with such entities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tradescreen.controls.reference import Citation
from tradescreen.index.records import Record
from tradescreen.match.entity import Query
from tradescreen.match.pairs import compare_names
from tradescreen.model import Relation
from tradescreen.screen.party import PartyResult
from tradescreen.screen.policy import Policy, Reason
from tradescreen.screen.tx_model import Owner, Party, Transaction

ScreenFn = Callable[[Query], list[PartyResult]]
RelationsFn = Callable[[Record], tuple[Relation, ...]]
CiteFn = Callable[[Record], Citation]
RULE = "OFAC 50 Percent Rule (revised guidance of 13 Aug 2014, 79 FR 47726)"
_MAX_DEPTH = 10


@dataclass
class Holding:
    """What one ownership layer adds up to."""

    blocked: float = 0.0  # share held by blocked persons (listed, or blocked by this rule)
    possible: float = 0.0  # share held by owners that possibly match a list entry
    chain: list[dict[str, Any]] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    maybe: list[Record] = field(default_factory=list)  # list entries owners possibly are


def _query(name: str, schema: str | None, country: str | None,
           identifiers: tuple[str, ...]) -> Query:
    return Query(name=name[:1000], schema=schema or "LegalEntity",
                 countries=(country,) if country else (), identifiers=identifiers)


class _Assess:
    def __init__(self, screen: ScreenFn, relations: RelationsFn | None, threshold: float) -> None:
        self.screen, self.relations, self.threshold = screen, relations, threshold

    def holders(self, owners: tuple[Owner, ...], depth: int, path: str) -> Holding:
        total = Holding()
        for owner in owners:
            self.add(total, owner.name, owner.share, owner.schema, owner.country,
                     owner.identifiers, owner.owners, depth, f"{path} <- {owner.name}",
                     owner.pointer)
        return total

    def add(self, total: Holding, name: str, share: float, schema: str | None,
            country: str | None, identifiers: tuple[str, ...], owners: tuple[Owner, ...],
            depth: int, path: str, pointer: str) -> None:
        results = self.screen(_query(name, schema, country, identifiers))
        top = results[0] if results else None
        entry: dict[str, Any] = {"owner": name, "share": round(share, 4), "path": path,
                                 "field": pointer}
        if top is not None and top.decision == "match":
            rec = top.score.record
            total.blocked += share
            total.records.append(rec)
            entry.update(status="listed", list=rec.source, list_id=rec.source_id,
                         caption=rec.caption, score=round(top.score.score, 3))
            total.chain.append(entry)
            return
        sub = self.holders(owners, depth + 1, path) if depth < _MAX_DEPTH else Holding()
        if top is not None and self.relations is not None:
            for rel in self.relations(top.score.record):
                if rel.kind == "owner" and rel.share:
                    self.add(sub, rel.target_name, rel.share, None, None, (), (), depth + 1,
                             f"{path} <- {rel.target_name} (list relation)", pointer)
        total.chain += sub.chain
        total.records += sub.records
        total.maybe += sub.maybe
        if sub.blocked >= self.threshold:
            total.blocked += share
            entry.update(status="blocked_by_ownership", owned_by_blocked=round(sub.blocked, 4))
        elif top is not None and top.decision == "review" or sub.blocked or sub.possible:
            total.possible += share
            entry.update(status="possibly_listed")
            if top is not None:
                rec = top.score.record
                total.maybe.append(rec)
                entry.update(list=rec.source, list_id=rec.source_id, caption=rec.caption,
                             score=round(top.score.score, 3))
        else:
            return
        total.chain.append(entry)


def _subsidiary_of_listed(party: Party, holding: Holding, relations: RelationsFn | None,
                          threshold: float) -> list[dict[str, Any]]:
    """List entries of the party's listed owners that name the party as a >= 50 % subsidiary."""
    if relations is None:
        return []
    found = []
    for rec in holding.records:
        for rel in relations(rec):
            if rel.kind != "subsidiary" or (rel.share or 0) < threshold:
                continue
            schema = party.schema or "LegalEntity"
            if compare_names(schema, party.name, rel.target_name)[0] >= 0.8:
                found.append({"owner": rec.caption, "list": rec.source, "list_id": rec.source_id,
                              "share": rel.share, "status": "list_relation"})
    return found


def ownership_reasons(tx: Transaction, screen: ScreenFn, relations: RelationsFn | None,
                      policy: Policy, cite: CiteFn) -> list[Reason]:
    threshold = policy.params.ownership_block_share
    assess = _Assess(screen, relations, threshold)
    reasons = []
    for party in tx.parties:
        holding = assess.holders(party.owners, 0, party.name)
        if not party.owners and relations is not None:
            results = screen(_query(party.name, party.schema, party.country,
                                    tuple(v for _, v in party.identifiers)))
            if results and results[0].decision != "no_match":
                for rel in relations(results[0].score.record):
                    if rel.kind == "owner" and rel.share:
                        assess.add(holding, rel.target_name, rel.share, None, None, (), (), 1,
                                   f"{party.name} <- {rel.target_name} (list relation)",
                                   party.pointer)
        via_list = _subsidiary_of_listed(party, holding, relations, threshold)
        if not holding.chain and not via_list:
            continue
        cited = (holding.records or holding.maybe or [None])[0]
        citation = cite(cited) if cited is not None else None
        evidence = {"party": party.name, "role": party.role, "field": f"{party.pointer}/owners",
                    "blocked_share": round(holding.blocked, 4),
                    "possible_share": round(holding.possible, 4), "rule": RULE,
                    "owners": holding.chain + via_list}
        if holding.blocked >= threshold or via_list:
            reasons.append(Reason(
                "ownership", "OWNERSHIP_50_PERCENT",
                f"{party.role} {party.name!r} is {holding.blocked:.0%} owned, in the aggregate, "
                f"by blocked persons: blocked under the {RULE}"
                if not via_list else f"{party.role} {party.name!r} is listed as a >= 50 % "
                "subsidiary of a blocked owner", "block", citation, evidence))
        elif holding.blocked > 0:
            reasons.append(Reason(
                "ownership", "OWNERSHIP_LISTED_MINORITY",
                f"{party.role} {party.name!r}: listed owners hold {holding.blocked:.0%} (below "
                f"{threshold:.0%}); OFAC advises caution with significant listed interests",
                "review", citation, evidence))
        elif holding.possible > 0:
            reasons.append(Reason(
                "ownership", "OWNERSHIP_POSSIBLE_LISTED",
                f"{party.role} {party.name!r}: owners holding {holding.possible:.0%} possibly "
                "match listed persons", "review",
                citation, evidence))
    return reasons
