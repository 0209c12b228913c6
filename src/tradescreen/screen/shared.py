"""Shared attributes and relations folded into one party's screening results.

`Screener.screen` asks `Network` for the listed parties a query shares an attribute with or is
related to; their rows join the name evidence, and a strong one sets the decision to at least
`review`. Pure with respect to the index.
"""

from __future__ import annotations

import math
from dataclasses import replace

from tradescreen.index.attributes import AttributeIndex
from tradescreen.match.attributes import AttributeFeature, AttributeMatcher, is_strong
from tradescreen.match.entity import EntityScore, Query
from tradescreen.match.explain import Feature
from tradescreen.match.model import logistic

WEAK_EXTRA = 3  # weak-only listed parties shown per query (so that the weakness is visible)


def with_rows(score: EntityScore, rows: list[AttributeFeature] | list[Feature]) -> EntityScore:
    """The score with the rows' evidence added to its log-odds and its explanation."""
    p = min(max(score.score, 1e-9), 1 - 1e-9)
    logit = math.log(p / (1 - p)) + sum(r.weight for r in rows)
    return replace(score, score=logistic(logit), evidence=score.evidence + tuple(rows))


def attribute_hits(index: object, attrs: AttributeIndex | None,
                   query: Query) -> dict[int, list[AttributeFeature]]:
    if not (query.attributes or query.identifiers):
        return {}
    matcher = AttributeMatcher(attrs, index.records, index.identifiers,  # type: ignore[attr-defined]
                               getattr(index, "parties", None))
    return matcher.hits(query.attributes, query.identifiers, query.countries)


def extra_positions(hits: dict[int, list[AttributeFeature]], named: set[int]) -> list[int]:
    """Listed parties to score beyond the name candidates: every strong hit, a few weak ones."""
    strong = [pos for pos, rows in hits.items() if pos not in named and any(map(is_strong, rows))]
    weak = [pos for pos in hits if pos not in named and pos not in strong]
    return strong + weak[:WEAK_EXTRA]


def network_decision(decision: str, rows: list[Feature] | list[AttributeFeature]) -> str:
    """A strong shared value or a control relation makes a no_match at least `review`."""
    from tradescreen.screen.relations import is_control

    if decision == "no_match" and any(is_strong(r) or is_control(r) for r in rows):
        return "review"
    return decision
