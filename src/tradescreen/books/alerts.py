"""Book alerts: every match/review result of a row (no top-K cut), and how two alert sets differ.

Pure logic: no storage, no clock. An alert is keyed by (row_id, source, source_id); its other
fields (score, decision, the entity's content hash, the snapshot) may change while the key stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any

from tradescreen.books.blocking import BookIndex, pair_candidates
from tradescreen.index.attributes import attributes_of
from tradescreen.match.entity import Query, score_record
from tradescreen.normalize.names import name_form
from tradescreen.screen.party import Thresholds
from tradescreen.screen.relations import incoming
from tradescreen.screen.shared import attribute_hits, extra_positions, network_decision, with_rows

AlertKey = tuple[str, str, str]  # (row_id, source, source_id)


@dataclass(frozen=True, slots=True)
class Alert:
    row_id: str
    source: str
    source_id: str
    decision: str  # match | review
    score: float
    caption: str
    matched_name: str
    entity_hash: str  # content hash of the listed entry that raised it
    snapshot: str

    @property
    def key(self) -> AlertKey:
        return (self.row_id, self.source, self.source_id)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def same_finding(self, other: Alert) -> bool:
        """Same decision on the same entity content (the snapshot id may differ)."""
        return (self.decision, self.score, self.entity_hash) == (
            other.decision, other.score, other.entity_hash
        )


def screen_row(
    bidx: BookIndex, row_id: str, query: Query, thresholds: Thresholds
) -> list[Alert]:
    """All alerts of one row against an index: a function of the row and each entry alone."""
    index = bidx.index
    form = name_form(query.name, query.schema)
    alerts: list[Alert] = []
    cands = pair_candidates(bidx, form, query.identifiers)
    # Shared addresses, phones, e-mails and relations reach listed parties whatever the names
    # say (screen.shared, screen.relations), as in `Screener.screen`.
    attrs = attributes_of(index)
    hits = attribute_hits(index, attrs, query)
    cands = {**cands, **{pos: () for pos in extra_positions(hits, set(cands))}}
    matched = []
    for pos, slots in cands.items():
        record = index.records[pos]
        scored = score_record(query, record, slots or None, index.forms[pos])
        rows = hits.get(pos)
        if rows:
            scored = with_rows(scored, rows)
        # Rounded as reported, so that a stored alert compares equal to a recomputed one.
        score = round(scored.score, 4)
        decision = network_decision(thresholds.decide(score), rows or [])
        if decision == "match":
            matched.append(record)
        if decision == "no_match":
            continue
        alerts.append(Alert(
            row_id, record.source, record.source_id, decision, score, record.caption,
            scored.matched_name, record.content_hash, record.snapshot,
        ))
    seen = {(a.source, a.source_id) for a in alerts}
    for pos, rows in incoming(attrs, index.records, query.name, matched).items():
        record = index.records[pos]
        if (record.source, record.source_id) in seen:
            continue
        scored = score_record(query, record, None, index.forms[pos])
        score = round(scored.score, 4)
        decision = network_decision(thresholds.decide(score), rows)
        if decision != "no_match":
            alerts.append(Alert(
                row_id, record.source, record.source_id, decision, score, record.caption,
                scored.matched_name, record.content_hash, record.snapshot,
            ))
    alerts.sort(key=lambda a: (-a.score, a.source, a.source_id))
    return alerts


@dataclass
class AlertChanges:
    new: list[Alert]
    removed: list[Alert]
    updated: list[Alert]  # same key, another decision, score or entity content (new values)
    unchanged: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "new": [a.to_dict() for a in self.new],
            "removed": [a.to_dict() for a in self.removed],
            "updated": [a.to_dict() for a in self.updated],
            "unchanged": self.unchanged,
        }


def _order(alerts: Iterable[Alert]) -> list[Alert]:
    return sorted(alerts, key=lambda a: a.key)


def compare(before: Iterable[Alert], after: Iterable[Alert]) -> AlertChanges:
    old = {a.key: a for a in before}
    new = {a.key: a for a in after}
    both = old.keys() & new.keys()
    updated = [new[k] for k in both if not new[k].same_finding(old[k])]
    return AlertChanges(
        new=_order(new[k] for k in new.keys() - old.keys()),
        removed=_order(old[k] for k in old.keys() - new.keys()),
        updated=_order(updated),
        unchanged=len(both) - len(updated),
    )


def carry_over(
    previous: Iterable[Alert],
    *,
    rows_rescreened: set[str],
    entities_rescreened: set[tuple[str, str]],
    snapshot_of: dict[str, str],
) -> list[Alert]:
    """The previous alerts a delta re-screen keeps as they are.

    Dropped: alerts of rows screened again in full, and alerts on entries that were removed,
    changed or added (those are screened again against the delta index). Sources no longer
    screened are dropped. Kept alerts point at the new snapshot of their source: the entry's
    content is identical there, which is what makes the result equal a full re-screen.
    """
    kept: list[Alert] = []
    for alert in previous:
        if alert.row_id in rows_rescreened:
            continue
        if (alert.source, alert.source_id) in entities_rescreened:
            continue
        snapshot = snapshot_of.get(alert.source)
        if snapshot is None:
            continue
        kept.append(replace(alert, snapshot=snapshot))
    return kept
