"""Run yente-style queries on our screener and shape the results as yente does.

yente semantics kept: candidates scoring at or below `cutoff` are dropped, `match` is
`score >= threshold`, `total` counts the matches (not the results), results are sorted by
score and cut at `limit`. A query with several names scores each listed entity by its best name.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from tradescreen.api.ftm_query import ParsedExample
from tradescreen.api.state import ApiState
from tradescreen.ftm import ftm_id
from tradescreen.match.entity import Query, score_record
from tradescreen.screen.party import PartyResult, Screener

ALGORITHM = "tradescreen-v1"
# yente's algorithm names (nomenklatura's matchers): accepted so existing clients work
# unchanged, all scored by our model; `best` and the default resolve to it too.
YENTE_ALGORITHMS = (
    "logic-v2", "logic-v1", "name-based", "name-qualified", "regression-v1", "regression-v2",
    "regression-v3", "erun-v1",
)
ALGORITHM_NAMES = frozenset({ALGORITHM, "best", "default", *YENTE_ALGORITHMS})
ALL = 10**9  # "no limit" for the screener: every candidate over the cutoff is kept

# Evidence beyond the name model (match/evidence.py), described for /algorithms.
_EVIDENCE_DOCS = {
    "prior": "intercept of the name model (log-odds before any evidence)",
    "transliteration": "names compared after transliteration to Latin script",
    "name": "no comparable name (identifier-only query)",
    "schema": "query and listed entity are different kinds (person vs organisation)",
    "birth_date": "birth / incorporation dates agree or conflict (year, month, day)",
    "country": "a country (nationality, jurisdiction, address) agrees or conflicts",
    "identifier": "an identifier (IMO, registration, passport, tax number) matches or conflicts",
    "weak_alias": "matched only a weak (low-quality) alias",
    "single_token_name": "the listed person's name is a single word",
    "common_name": "only common name parts agree",
    "short_word": "a short one-word listed name matched only approximately",
    "single_word_query": "the query is one word: a distinctive surname reaches review only",
}


def feature_docs() -> dict[str, dict[str, Any]]:
    """Each feature with its description, in nomenklatura's FeatureDoc shape."""
    model = json.loads(
        resources.files("tradescreen.match").joinpath("name_model.json").read_text("utf-8")
    )
    docs: dict[str, dict[str, Any]] = {}
    for comparison in model.get("comparisons", []):
        weights = [lvl.get("weight", 0.0) for lvl in comparison.get("levels", [])]
        docs[comparison["feature"]] = {
            "description": comparison.get("description"),
            "coefficient": max(weights, key=abs) if weights else 0.0,
            "url": "",
        }
    for name, text in _EVIDENCE_DOCS.items():
        docs.setdefault(name, {"description": text, "coefficient": 0.0, "url": ""})
    return docs


@dataclass
class MatchOptions:
    limit: int = 5
    threshold: float = 0.7
    cutoff: float = 0.5
    sources: Collection[str] | None = None  # None: every active list
    exclude_sources: Collection[str] = ()
    exclude_schemata: Collection[str] = ()
    exclude_ids: Collection[str] = ()
    topics: Collection[str] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def _allowed(result: PartyResult, opts: MatchOptions) -> bool:
    return _record_allowed(result.score.record, opts)


def _record_allowed(record: Any, opts: MatchOptions) -> bool:
    if opts.sources is not None and record.source not in opts.sources:
        return False
    if record.source in opts.exclude_sources:
        return False
    ftm_schema = "Airplane" if record.schema == "Aircraft" else record.schema
    if ftm_schema in opts.exclude_schemata:
        return False
    if opts.topics and "sanction" not in opts.topics:
        return False  # every listed entity carries topic "sanction" and no other
    if opts.exclude_ids:
        return not {ftm_id(record.source, record.source_id), record.id} & set(opts.exclude_ids)
    return True


def _scoped(result: PartyResult, opts: MatchOptions) -> PartyResult:
    """A listed party seen through the datasets asked for: its listings on other lists are
    left out (yente scopes a merged entity's datasets the same way)."""
    party = result.party
    if party is None or (opts.sources is None and not opts.exclude_sources):
        return result
    keep = tuple(li for li in party.listings
                 if (opts.sources is None or li.record.source in opts.sources)
                 and li.record.source not in opts.exclude_sources)
    if keep == party.listings:
        return result
    return replace(result, party=replace(party, listings=keep))


def _led_in_scope(screener: Screener, query: Query, result: PartyResult,
                  opts: MatchOptions) -> PartyResult | None:
    """The result as the filters see it: when its strongest listing is filtered out (another
    dataset, an excluded id or schema), the party's next listing that passes leads, scored
    for the query; None when none passes."""
    if _allowed(result, opts):
        return result
    if result.party is None:
        return None
    for listing in result.party.listings:  # strongest first
        if listing.score is None or not _record_allowed(listing.record, opts):
            continue
        index = screener.index
        pos = index.record_position(listing.record.id)
        if pos is None:
            continue
        scored = score_record(query, index.records[pos], None, index.forms[pos])
        return replace(result, score=scored, decision=screener.thresholds.decide(scored.score))
    return None


def best_results(
    screener: Screener, queries: tuple[Query, ...], opts: MatchOptions
) -> list[PartyResult]:
    """Every listed entity above the cutoff, best name's score, sorted; not yet limited."""
    best: dict[str, PartyResult] = {}
    floor = max(0.0, opts.cutoff)
    for query in queries:
        for found in screener.screen(query, limit=ALL, min_score=floor):
            result = _led_in_scope(screener, query, found, opts)
            if result is None:
                continue
            # One result per listed party, whichever listing each query name reached best.
            key = result.party.key if result.party is not None else result.score.record.id
            # A party a shared attribute or a relation raised to review stays whatever its
            # name scores (screen.shared.network_decision): the cutoff is for names alone.
            if result.score.score <= opts.cutoff and result.decision == "no_match":
                continue
            if key not in best or result.score.score > best[key].score.score:
                best[key] = result
    kept = [_scoped(r, opts) for r in best.values()]
    kept.sort(key=lambda r: (-r.score.score, r.score.record.source, r.score.record.source_id))
    return kept


def _iso(value: str | None) -> str | None:
    if not value:
        return None
    value = value.rstrip("Z")
    if len(value) == 10:
        return value + "T00:00:00"
    return value if len(value) >= 19 else None


def entity_json(state: ApiState, result_record: Any) -> dict[str, Any]:
    """A listed entity in yente's EntityResponse shape (a fresh dict, safe to extend)."""
    data = dict(state.ftm(result_record))
    snap = state.snapshots.get(result_record.snapshot)
    data["target"] = True  # every entry of a sanctions list is a target
    data["first_seen"] = _iso(result_record.listed_on)
    data["last_seen"] = _iso(snap.imported_at) if snap else None
    data["last_change"] = None
    return data


def party_json(state: ApiState, lead: Any, records: Collection[Any]) -> dict[str, Any]:
    """`entity_json` of a party's leading listing, in yente's merged-entity shape when the
    party has several: the other lists' ids are referents, every list a dataset."""
    data = entity_json(state, lead)
    if len(records) > 1:
        own = data["id"]
        data["referents"] = sorted({ftm_id(r.source, r.source_id) for r in records} - {own})
        data["datasets"] = list(dict.fromkeys(r.source for r in records))
    return data


def scored_json(state: ApiState, result: PartyResult, threshold: float) -> dict[str, Any]:
    listings = result.listings
    data = party_json(state, result.score.record, [li.record for li in listings])
    features: dict[str, float] = {}
    explanations: dict[str, dict[str, Any]] = {}
    # By hand, not Feature.to_dict(): dataclasses.asdict deep-copies and this runs for every
    # feature of every result (a third of a /match request's time when it was asdict).
    rows = [{"feature": f.feature, "label": f.label, "weight": round(f.weight, 3),
             "value": round(f.value, 3) if isinstance(f.value, float) else f.value,
             "detail": f.detail} for f in result.score.features]
    for row in rows:
        name = row["feature"]
        features[name] = round(features.get(name, 0.0) + row["weight"], 3)
        text = row["label"] + (f" ({row['detail']})" if row["detail"] else "")
        if name in explanations:
            explanations[name]["score"] = features[name]
            explanations[name]["detail"] += f"; {text}"
        else:
            explanations[name] = {"score": features[name], "detail": text}
    if "name_dice" in explanations:
        explanations["name_dice"]["candidate"] = result.score.matched_name
    score = round(result.score.score, 4)
    data["score"] = score
    data["match"] = score >= threshold
    data["features"] = features
    data["explanations"] = explanations
    data["tradescreen"] = {
        "decision": result.decision,
        "source": result.score.record.source,
        "source_id": result.score.record.source_id,
        "snapshot": result.score.record.snapshot,
        "matched_name": result.score.matched_name,
        "matched_name_kind": result.score.matched_kind,
        "explanation": rows,
        "listings": [li.to_dict() for li in listings],
    }
    if result.party is not None:
        data["tradescreen"]["party"] = result.party.key
    return data


def match_example(
    state: ApiState, screener: Screener, parsed: ParsedExample, example_id: str | None,
    opts: MatchOptions,
) -> tuple[dict[str, Any], list[PartyResult]]:
    """One entry of `responses` (status, results, total = matches, query echo) and the
    results behind it, for the audit record."""
    found = best_results(screener, parsed.queries, opts)
    matches = sum(1 for r in found if round(r.score.score, 4) >= opts.threshold)
    results = [scored_json(state, r, opts.threshold) for r in found[: opts.limit]]
    return {
        "status": 200,
        "results": results,
        "total": {"value": matches, "relation": "eq"},
        "query": {"id": example_id, "schema": parsed.schema, "properties": parsed.properties},
    }, found[: opts.limit]


def audit_result(result: PartyResult) -> dict[str, Any]:
    """One result as the audit log and alerts read it (tradescreen.cases.alerts)."""
    record = result.score.record
    return {
        "source": record.source, "source_id": record.source_id, "snapshot": record.snapshot,
        "caption": record.caption, "score": round(result.score.score, 4),
        "decision": result.decision, "content_hash": record.content_hash,
        "matched_name": result.score.matched_name,
        "explanation": [{"feature": f.feature, "label": f.label, "weight": round(f.weight, 3),
                         "detail": f.detail} for f in result.score.features],
        "listings": [li.to_dict() for li in result.listings],
        **({"party": result.party.key, "party_hash": result.party.content_hash}
           if result.party is not None else {}),
    }
