"""Alerts: every `review` / `match` result of a screening, linked to what produced it.

An alert keeps the query (and its party key), the listed entity (source, source_id and the
entry's content hash), the list snapshot, the score, band and explanation, and the audit record
of the screening that raised it. A hit already open for the same party and entry is linked to the
existing alert instead of opening a duplicate; a hit suppressed by a cleared false positive is
kept as a `suppressed` alert, so suppressed hits stay visible (`cases list --status suppressed`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from tradescreen.cases.audit import AuditLog, iso
from tradescreen.cases.keys import query_key
from tradescreen.cases.suppression import SuppressionKey, suppressed_by
from tradescreen.events import Event
from tradescreen.store.db import Database

# Events whose results raise alerts. Their data: {"query": q, "results": [r, ...]} for one
# party, or {"screenings": [{"query": q, "results": [...], "row": n}, ...], ...} for many;
# each result as `PartyResult.to_dict()` (content_hash optional: looked up by snapshot).
ALERTING_KINDS = frozenset({"screening", "transaction", "media"})
ALERT_BANDS = ("match", "review")
PARTY_SOURCE = "party"  # the `source` of a suppression key that names a listed party
STATUSES = ("open", "decided", "final", "suppressed")

ALERT_COLUMNS = (
    "id", "created_at", "status", "query_key", "query", "source", "source_id", "content_hash",
    "snapshot", "caption", "score", "band", "explanation", "screening_seq", "suppressed_by",
    "decision_id", "hits", "last_seen_at", "book", "row_id", "kind", "party", "listings",
)


@dataclass(frozen=True)
class Alert:
    id: int
    created_at: str
    status: str
    query_key: str
    query: dict[str, Any]
    source: str
    source_id: str
    content_hash: str
    snapshot: str
    caption: str
    score: float
    band: str
    explanation: list[dict[str, Any]]
    screening_seq: int
    suppressed_by: int | None
    decision_id: int | None
    hits: int
    last_seen_at: str
    book: str  # the customer book of a `book rescreen`, else ""
    row_id: str  # the book row, file row or query key that raised it, else ""
    # "screening" (a party matched a listed entry) or "media" (a customer named in an article:
    # source "media", source_id and content_hash the article's sha256)
    kind: str = "screening"
    # A listed party on several lists: its key (source/source_id are its strongest listing,
    # content_hash the hash of all its listings) and every listing; "" and [] for one listing.
    party: str = ""
    listings: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Alert:
        values = dict(zip(ALERT_COLUMNS, row, strict=True))
        values["query"] = orjson.loads(values["query"])
        values["explanation"] = orjson.loads(values["explanation"])
        values["listings"] = orjson.loads(values["listings"] or "[]")
        return cls(**values)

    @property
    def key(self) -> SuppressionKey:
        if self.party:
            # A decision covers the party, whichever of its listings led the hit.
            return SuppressionKey(self.query_key, PARTY_SOURCE, self.party, self.content_hash)
        return SuppressionKey(self.query_key, self.source, self.source_id, self.content_hash)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ALERT_COLUMNS}


def _screenings(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if "screenings" in data:
        return list(data["screenings"])
    return [data] if "query" in data else []


def _party(result: Mapping[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The listed party of a result on several lists (key, listings), else ("", [])."""
    listings = list(result.get("listings") or ())
    if result.get("party") and len(listings) > 1:
        return str(result["party"]), listings
    return "", []


def _entry_hash(db: Database, result: Mapping[str, Any]) -> str:
    if _party(result)[0] and result.get("party_hash"):
        return str(result["party_hash"])
    if result.get("content_hash"):
        return str(result["content_hash"])
    # The store keeps each snapshot's entry hashes: the same hash the index records carry.
    row = db.fetchone(
        "SELECT entity_hash FROM snapshot_entities WHERE snapshot_id = ? AND source_id = ?",
        (result["snapshot"], result["source_id"]),
    )
    return str(row[0]) if row else ""


def _summary(result: Mapping[str, Any], chash: str) -> dict[str, Any]:
    summary = {
        "source": result["source"], "source_id": result["source_id"],
        "snapshot": result.get("snapshot"), "score": result["score"],
        "decision": result["decision"], "content_hash": chash,
    }
    party, listings = _party(result)
    if party:
        summary["party"] = party
        summary["listings"] = [f"{li['source']}:{li['source_id']}" for li in listings]
    return summary


def record_screening(log: AuditLog, event: Event) -> list[dict[str, Any]]:
    """Audit a screening and raise its alerts, all in one transaction; returns one
    `{"alert", "status", "new"}` per review/match hit."""
    db = log.db
    outcomes: list[dict[str, Any]] = []
    with db.write():
        head_seq, _ = log.lock_head()
        screening_seq = head_seq + 1  # the screening record is the next one in the chain
        now = iso(log.clock())
        screenings = []
        entries: list[dict[str, Any]] = []  # what each alert record says about its hit
        for item in _screenings(event.data):
            query = dict(item["query"] or {})
            qkey = query_key(query)
            results = []
            for result in item.get("results") or ():
                chash = _entry_hash(db, result)
                summary = _summary(result, chash)
                if result["decision"] in ALERT_BANDS:
                    origin = (str(result.get("book") or item.get("book") or ""),
                              "" if item.get("row") is None else str(item["row"]),
                              "media" if event.kind == "media" else "screening")
                    outcome = _raise(db, query, qkey, result, chash, screening_seq, now, origin)
                    outcomes.append({**outcome, "row": item.get("row")})
                    entries.append({**summary, **outcome, "query_key": qkey, "band":
                                    result["decision"], "row": item.get("row")})
                    summary.update(outcome)
                results.append(summary)
            screenings.append({"query": query, "query_key": qkey, "row": item.get("row"),
                               "results": results})
        data = {k: v for k, v in event.data.items() if k not in ("results", "screenings", "query")}
        if len(screenings) == 1 and "screenings" not in event.data:
            data.update(screenings[0])
        else:
            data["screenings"] = screenings
        record = log.append(event.kind, event.actor, event.subject, data, event.snapshots)
        assert record.seq == screening_seq
        for entry in entries:
            if entry["new"] or entry["status"] == "suppressed":
                log.append("alert", event.actor, f"alert:{entry['alert']}", {
                    **entry, "screening_seq": screening_seq,
                }, [entry["snapshot"]] if entry["snapshot"] else [])
    return outcomes


def _raise(
    db: Database, query: dict[str, Any], qkey: str, result: Mapping[str, Any], chash: str,
    screening_seq: int, now: str, origin: tuple[str, str, str] = ("", "", "screening"),
) -> dict[str, Any]:
    party, listings = _party(result)
    if party:
        key = SuppressionKey(qkey, PARTY_SOURCE, party, chash)
        where = "party = ?"
    else:
        key = SuppressionKey(qkey, str(result["source"]), str(result["source_id"]), chash)
        where = "source = ? AND source_id = ?"
    by = suppressed_by(db, key)
    if by is None:
        existing = db.fetchone(
            f"SELECT id, status FROM alerts WHERE query_key = ? AND {where} "
            "AND content_hash = ? AND status IN ('open', 'decided') ORDER BY id LIMIT 1",
            (qkey, party, chash) if party else key.as_tuple(),
        )
        if existing is not None:
            db.execute(
                "UPDATE alerts SET hits = hits + 1, last_seen_at = ? WHERE id = ?",
                (now, existing[0]),
            )
            return {"alert": int(existing[0]), "status": str(existing[1]), "new": False}
    status = "open" if by is None else "suppressed"
    new_id = db.fetchone("SELECT COALESCE(MAX(id), 0) + 1 FROM alerts")[0]
    db.execute(
        f"INSERT INTO alerts ({', '.join(ALERT_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(ALERT_COLUMNS))})",
        (
            new_id, now, status, qkey, orjson.dumps(query).decode(), str(result["source"]),
            str(result["source_id"]), chash, str(result.get("snapshot") or ""),
            str(result.get("caption") or ""),
            float(result["score"]), str(result["decision"]),
            orjson.dumps(result.get("explanation") or []).decode(), screening_seq, by, None, 1,
            now, *origin, party, orjson.dumps(_listing_summary(listings)).decode(),
        ),
    )
    return {"alert": int(new_id), "status": status, "new": True, "suppressed_by": by}


def _listing_summary(listings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keep = ("source", "source_id", "caption", "programs", "listed_on", "snapshot",
            "content_hash", "link", "score")
    return [{k: li.get(k) for k in keep} for li in listings]


def get_alert(db: Database, alert_id: int, *, lock: bool = False) -> Alert | None:
    suffix = db.for_update() if lock else ""
    row = db.fetchone(
        f"SELECT {', '.join(ALERT_COLUMNS)} FROM alerts WHERE id = ?{suffix}", (alert_id,)
    )
    return Alert.from_row(row) if row else None


@dataclass(frozen=True)
class AlertFilter:
    """Which alerts to list: every field optional; dates are ISO (a day or a moment, UTC)."""

    status: str | None = None
    book: str | None = None
    source: str | None = None
    since: str | None = None  # created at or after
    until: str | None = None  # created at or before (a bare day includes that whole day)

    def where(self) -> tuple[str, tuple[Any, ...]]:
        clauses: list[str] = []
        params: list[Any] = []
        for column, value in (("status", self.status), ("book", self.book),
                              ("source", self.source)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.since is not None:
            clauses.append("created_at >= ?")
            params.append(_moment(self.since, "since"))
        if self.until is not None:
            # Stored times are ...T..Z text: the day's last moment sorts below "<day>U".
            bound = _moment(self.until, "until")
            clauses.append("created_at <= ?")
            params.append(bound + "U" if len(bound) == 10 else bound)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)


def _moment(text: str, name: str) -> str:
    """A day (YYYY-MM-DD) or an ISO moment, as the sortable UTC text alerts store."""
    from datetime import UTC, date, datetime

    value = text.strip()
    try:
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--{name} {text!r}: use a date (2025-01-31) or an ISO time") from None
    return iso(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def list_alerts(
    db: Database, status: str | None = None, limit: int = 1000, *, offset: int = 0,
    where: AlertFilter | None = None,
) -> list[Alert]:
    """One page of alerts, oldest first; `count_alerts` gives the total the page is part of."""
    clause, params = (where or AlertFilter(status=status)).where()
    rows = db.fetchall(
        f"SELECT {', '.join(ALERT_COLUMNS)} FROM alerts{clause} ORDER BY id "
        f"LIMIT {int(limit)} OFFSET {int(offset)}",
        params,
    )
    return [Alert.from_row(r) for r in rows]


def count_alerts(db: Database, where: AlertFilter | None = None) -> int:
    clause, params = (where or AlertFilter()).where()
    return int(db.fetchone(f"SELECT COUNT(*) FROM alerts{clause}", params)[0])
