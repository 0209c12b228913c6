"""Transaction reasons for shared attributes and list relations of one party.

`Screener.screen` already puts listed parties that share a party's address, phone, e-mail,
website or registration number, or that the party directs, owns or belongs to, in its results
(screen.shared, screen.relations); here each becomes a cited reason: `shared_attribute` (a
strong shared value: review; a weak one: info, shown but never deciding) and `relation`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from tradescreen.controls.reference import Citation
from tradescreen.index.records import Record
from tradescreen.screen.party import PartyResult, Thresholds
from tradescreen.screen.policy import Reason
from tradescreen.screen.tx_model import Party

CiteFn = Callable[[Record], Citation]


def party_attributes(p: Party, countries: tuple[str, ...] = ()) -> tuple[tuple[str, str], ...]:
    """A transaction party's address, website, phone and e-mail (the last two as extra fields
    of the party object: a string or a list of strings)."""
    from tradescreen.screen.inputs import read_attributes

    pairs: list[tuple[str, str]] = []
    if p.address:
        pairs.append(("address", p.address))
    if p.website:
        pairs.append(("website", p.website))
    for kind in ("phone", "email"):
        raw = p.extra.get(kind)
        values = raw if isinstance(raw, list) else [raw]
        pairs += [(kind, v) for v in values if isinstance(v, str) and v.strip()]
    return read_attributes(pairs, countries)[0]


def name_decision(result: PartyResult, thresholds: Thresholds) -> str:
    """The decision the result's name and identity evidence alone would give."""
    extra = sum(f.weight for f in result.score.evidence
                if f.feature in ("shared_attribute", "relation"))
    p = min(max(result.score.score, 1e-9), 1 - 1e-9)
    logit = math.log(p / (1 - p)) - extra
    return thresholds.decide(1 / (1 + math.exp(-logit)))


def network_reasons(party: Party, pointer: str, results: list[PartyResult],
                    cite: CiteFn) -> list[Reason]:
    reasons: list[Reason] = []
    for result in results:
        rec = result.score.record
        listed = {"list": rec.source, "list_id": rec.source_id, "caption": rec.caption}
        for f in result.score.evidence:
            if f.feature == "shared_attribute":
                v: dict[str, Any] = f.value
                weak = bool(v["weak"])
                text = (f"{party.role} {party.name!r} shares its {v['attribute']} "
                        f"{v['query_value']!r} with {rec.caption!r} on {rec.source} "
                        f"(listed: {v['list_value']!r})")
                if weak:
                    text += f"; weak: {v.get('reason')}"
                reasons.append(Reason(
                    "shared_attribute", "SHARED_ATTRIBUTE_WEAK" if weak else "SHARED_ATTRIBUTE",
                    text, "info" if weak else "review", cite(rec),
                    {"kind": "shared_attribute", "field": pointer, "role": party.role,
                     "name": party.name, **listed, **v},
                ))
            elif f.feature == "relation" and f.value.get("control") and result.decision != "match":
                v = f.value
                reasons.append(Reason(
                    "party", "PARTY_RELATION",
                    f"{party.role} {party.name!r}: " + " -> ".join(v["path"]) + " (list relation)",
                    "review", cite(rec),
                    {"kind": "relation", "field": pointer, "role": party.role,
                     "name": party.name, **listed, **v},
                ))
    return reasons
