"""Screen a whole transaction: parties, ownership, goods, route, red flags -> one decision.

`TxScreener` holds what the checks read (the list index through a `Screener`, the controls
reference, the policy, an optional list-relations lookup) and is pure apart from emitting one
audit `Event` per transaction to its sink. Party screening is memoised per query: books repeat
counterparties, and the same owner appears under many parties.
"""

from __future__ import annotations

import multiprocessing as mp
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from tradescreen.controls.reference import Citation, Reference, fold
from tradescreen.events import Event, EventSink, NullSink
from tradescreen.index.records import Record
from tradescreen.match.entity import Query
from tradescreen.match.pairs import compare_names
from tradescreen.screen.goods import goods_reasons
from tradescreen.screen.ownership import RelationsFn, ownership_reasons
from tradescreen.screen.party import PartyResult, Screener
from tradescreen.screen.policy import Decision, Policy, Reason
from tradescreen.screen.redflags import red_flag_reasons
from tradescreen.screen.routes import (
    RUSSIA_BELARUS,
    exposure,
    is_export,
    leaves_partners,
    route_reasons,
)
from tradescreen.screen.tx_model import Party, Transaction, TxInputError, parse_transaction
from tradescreen.screen.tx_network import name_decision, network_reasons, party_attributes
from tradescreen.sources.fetch import TARGETS

# Authorities behind each list id, and official pages for lists `lists fetch` does not download.
_AUTHORITY = {
    "us_ofac_sdn": "U.S. Department of the Treasury, OFAC",
    "us_ofac_cons": "U.S. Department of the Treasury, OFAC",
    "un_sc": "United Nations Security Council",
    "us_csl": "U.S. Departments of Commerce, State and the Treasury",
    "ca_sema": "Global Affairs Canada",
    "au_dfat": "Australian Department of Foreign Affairs and Trade",
    "eu_fsf": "European Commission (EU Financial Sanctions Files)",
    "gb_fcdo": "UK Foreign, Commonwealth & Development Office",
}
_PAGES = {
    "eu_fsf": ("EU consolidated list of financial sanctions",
               "https://webgate.ec.europa.eu/fsd/fsf"),
    "gb_fcdo": ("The UK Sanctions List",
                "https://www.gov.uk/government/publications/the-uk-sanctions-list"),
}
DECISION_RANK = {"clear": 0, "review": 1, "block": 2}


@dataclass(frozen=True)
class TxResult:
    id: str | None
    decision: Decision
    reasons: tuple[Reason, ...]
    parties: tuple[dict[str, Any], ...]
    snapshot: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for r in self.reasons:
            counts[r.check] = counts.get(r.check, 0) + 1
        return {"id": self.id, "decision": self.decision,
                "reasons": [r.to_dict() for r in self.reasons], "parties": list(self.parties),
                "summary": counts, "snapshot": self.snapshot}


def list_citation(record: Record, titles: dict[str, str] | None = None) -> Citation:
    """Where a list hit comes from: the list's name and its official download address."""
    target = TARGETS.get(record.source)
    page_title, url = _PAGES.get(record.source, (None, target.urls[0] if target else None))
    # The fetch target's title is the list's name; a snapshot title may carry import notes.
    title = page_title or (target.title if target else (titles or {}).get(record.source)) or (
        record.source)
    return Citation(source=_AUTHORITY.get(record.source, record.source), title=title, url=url,
                    id=f"{record.source}:{record.source_id}", date=record.listed_on,
                    file=record.snapshot)


def party_query(p: Party) -> Query:
    schema = p.schema or ("Vessel" if p.role == "vessel" else "LegalEntity")
    birth = p.birth_date or (p.incorporated if schema != "Person" else None)
    countries = (p.country,) if p.country else ()
    return Query(name=p.name[:1000], schema=schema, birth_date=birth, countries=countries,
                 identifiers=tuple(v for _, v in p.identifiers if v),
                 attributes=party_attributes(p, countries))


class TxScreener:
    def __init__(self, screener: Screener, reference: Reference, policy: Policy, *,
                 relations: RelationsFn | None = None, sink: EventSink | None = None,
                 list_titles: dict[str, str] | None = None, actor: str = "library",
                 today: date | None = None, cache_size: int = 65536) -> None:
        self.screener, self.reference, self.policy = screener, reference, policy
        self.relations, self.sink = relations, sink or NullSink()
        self.titles, self.actor, self.today = list_titles or {}, actor, today
        limit = policy.params.party_limit
        self._screen = lru_cache(maxsize=cache_size)(
            lambda q: self.screener.screen(q, limit=limit))
        self._entity_cache: dict[tuple[str, str], Reason | None] = {}
        self._entity_tokens = [
            (ent, name, _tokens(name)) for ent in reference.entities for name in ent.names
        ]
        self.snapshot = {"lists": list(screener.index.snapshots), "controls": reference.id,
                         "policy": policy.name, "policy_hash": policy.hash[:16]}

    def screen_party(self, query: Query) -> list[PartyResult]:
        return self._screen(query)  # type: ignore[no-any-return]

    def cite(self, record: Record) -> Citation:
        return list_citation(record, self.titles)

    def screen(self, tx: Transaction) -> TxResult:
        exp = exposure(tx, self.reference)
        reasons: list[Reason] = []
        party_rows, party_reasons = self._parties(tx)
        reasons += party_reasons
        reasons += ownership_reasons(tx, self.screen_party, self.relations, self.policy,
                                     self.cite)
        goods = goods_reasons(tx, self.reference, self.policy, exp)
        reasons += goods
        route = route_reasons(tx, self.reference, self.policy, exp)
        reasons += route
        controlled = any(r.code.startswith(("CHPL", "UAV")) for r in goods)
        receiving = exp.receiving
        risky = bool(receiving & (set(self.reference.jurisdictions) | RUSSIA_BELARUS
                                  | set(self.reference.transshipment)))
        export = is_export(tx, exp)
        leaves = leaves_partners(tx, exp, self.policy.params.partner_countries)
        reasons += red_flag_reasons(tx, self.reference, self.policy,
                                    context=risky or (controlled and leaves), today=self.today,
                                    export=export)
        decision = self.policy.decide(reasons)
        reasons.sort(key=lambda r: (-DECISION_RANK[self.policy.outcome(r)], r.check, r.code))
        result = TxResult(tx.id, decision, tuple(reasons), tuple(party_rows), self.snapshot)
        self.sink.emit(Event(
            kind="transaction", actor=self.actor, subject=tx.id or "",
            data={"decision": decision, "reasons": [f"{r.check}:{r.code}" for r in reasons],
                  "controls": self.reference.id, "policy_hash": self.policy.hash},
            snapshots=tuple(self.screener.index.snapshots),
        ))
        return result

    def _network(self, party: Party, pointer: str,
                 results: list[PartyResult]) -> tuple[list[Reason], bool]:
        """Shared-attribute and relation reasons for one party, and whether the top result's
        decision came from them alone (then they, not a name match, are the reason)."""
        reasons = network_reasons(party, pointer, results, self.cite)
        top = results[0] if results else None
        alone = top is not None and top.decision != "no_match" and name_decision(
            top, self.screener.thresholds) == "no_match"
        return reasons, alone

    def _parties(self, tx: Transaction) -> tuple[list[dict[str, Any]], list[Reason]]:
        rows, reasons = [], []
        subjects = [(p, party_query(p), p.pointer) for p in tx.parties]
        vessel = tx.route.vessel
        if vessel and (vessel.name or vessel.imo):
            query = Query(name=(vessel.name or "")[:1000], schema="Vessel",
                          identifiers=(vessel.imo,) if vessel.imo else ())
            fake = Party(role="vessel", name=vessel.name or vessel.imo or "",
                         pointer="/route/vessel")
            subjects.append((fake, query, "/route/vessel"))
        for party, query, pointer in subjects:
            results = self.screen_party(query)
            top = results[0] if results else None
            matches = [_hit(r) for r in results if r.decision != "no_match"]
            decision = "clear"
            network, alone = self._network(party, pointer, results)
            reasons += network
            if any(r.severity == "review" for r in network):
                decision = "review"
            if top is not None and top.decision != "no_match" and alone:
                decision = "review"
            elif top is not None and top.decision != "no_match":
                decision = "block" if top.decision == "match" else "review"
                rec = top.score.record
                ident = any(f.feature == "identifier" and f.weight > 0
                            for f in top.score.evidence)
                reasons.append(Reason(
                    "party", "PARTY_MATCH" if top.decision == "match" else "PARTY_POSSIBLE_MATCH",
                    f"{party.role} {party.name!r} {'matches' if decision == 'block' else 'may be'}"
                    f" {rec.caption!r} on {rec.source} ({', '.join(rec.programs) or 'listed'}), "
                    f"score {top.score.score:.2f}" + (" by identifier" if ident else ""),
                    "block" if decision == "block" else "review", self.cite(rec),
                    {"field": pointer, "role": party.role, "name": party.name, **_hit(top),
                     "identifier_match": ident},
                ))
            entity = self._programme_entity(party)
            if entity is not None:
                reasons.append(entity)
                decision = decision if decision == "block" else "review"
            rows.append({"role": party.role, "name": party.name, "field": pointer,
                         "decision": decision, "matches": matches})
        return rows, reasons

    def _programme_entity(self, party: Party) -> Reason | None:
        """Curated UAV-programme entities (some, like Albatross, on no list yet): review."""
        schema = party.schema or ("Vessel" if party.role == "vessel" else "LegalEntity")
        key = (schema, party.name)
        if key not in self._entity_cache:
            self._entity_cache[key] = self._best_entity(schema, party.name)
        found = self._entity_cache[key]
        if found is None:
            return None
        evidence = {**found.evidence, "field": party.pointer}
        text = f"{party.role} {found.text}"
        return Reason(found.check, found.code, text, found.severity, found.citation, evidence)

    def _best_entity(self, schema: str, name: str) -> Reason | None:
        floor = self.policy.params.programme_entity_score
        tokens = _tokens(name)
        for ent, listed, listed_tokens in self._entity_tokens:
            # Scoring every curated name for every party is slow; a shared distinctive word
            # is necessary for a score above the floor anyway.
            if not tokens & listed_tokens:
                continue
            score, _ = compare_names(schema, name, listed)
            if score >= floor:
                return Reason(
                    "party", "UAV_PROGRAMME_ENTITY", f"{name!r} resembles {listed!r}: {ent.role}",
                    "review", ent.citation,
                    {"entity": ent.id, "score": round(score, 3),
                     "verification": ent.verification})
        return None

    def screen_one(self, i: int, obj: Any) -> dict[str, Any]:
        """One decoded JSON object -> its result dict, or its error (with `index` and `field`)."""
        try:
            return self.screen(parse_transaction(obj)).to_dict()
        except TxInputError as exc:
            ident = obj.get("id") if isinstance(obj, dict) else None
            return {"id": ident, "index": i, "decision": None, "error": str(exc),
                    "field": exc.pointer}

    def screen_many(self, items: Iterable[Any], *, workers: int = 1,
                    chunksize: int = 64) -> Iterator[dict[str, Any]]:
        """Results in input order; with workers > 1, forked processes share the loaded index
        copy-on-write (audit events are then emitted by the parent, after the fact)."""
        if workers <= 1 or "fork" not in mp.get_all_start_methods():
            for i, obj in enumerate(items):
                yield self.screen_one(i, obj)
            return
        global _WORKER
        _WORKER, sink = self, self.sink
        self.sink = NullSink()
        try:
            with mp.get_context("fork").Pool(workers) as pool:
                for data in pool.imap(_work, enumerate(items), chunksize=chunksize):
                    if data.get("decision"):
                        sink.emit(Event(
                            kind="transaction", actor=self.actor, subject=data["id"] or "",
                            data={"decision": data["decision"],
                                  "reasons": [f"{r['check']}:{r['code']}"
                                              for r in data["reasons"]],
                                  "controls": self.reference.id,
                                  "policy_hash": self.policy.hash},
                            snapshots=tuple(self.screener.index.snapshots)))
                    yield data
        finally:
            self.sink = sink


_WORKER: TxScreener | None = None


def _work(item: tuple[int, Any]) -> dict[str, Any]:
    assert _WORKER is not None
    return _WORKER.screen_one(*item)


_GENERIC = {"company", "limited", "llc", "ltd", "co", "inc", "jsc", "joint", "stock", "the", "and",
            "of", "industrial", "industries", "trading", "group", "services", "llp"}


def _tokens(name: str) -> set[str]:
    words = re.split(r"[^a-z0-9]+", fold(name))
    return {w for w in words if len(w) >= 3 and w not in _GENERIC}


def _hit(r: PartyResult) -> dict[str, Any]:
    rec = r.score.record
    return {"source": rec.source, "source_id": rec.source_id, "caption": rec.caption,
            "matched_name": r.score.matched_name, "score": round(r.score.score, 4),
            "match_decision": r.decision, "programs": list(rec.programs),
            "snapshot": rec.snapshot, "listings": [li.to_dict() for li in r.listings],
            **({"party": r.party.key, "party_hash": r.party.content_hash}
               if r.party is not None else {})}
