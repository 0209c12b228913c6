"""A book customer named in an article becomes a case alert of kind `media`.

The alert is keyed like any other: the party is the customer's row (its normalised query), the
"entry" is the article (source `media`, id and content hash = the sha256 of its extracted text),
so the same article scanned again adds a hit to the open alert instead of opening another, and a
cleared false positive stays cleared until the article or the customer changes.
"""

from __future__ import annotations

from typing import Any

from tradescreen.events import Event
from tradescreen.media.documents import Document

MEDIA_SOURCE = "media"


def customer_event(document: Document, result: dict[str, Any], *, actor: str,
                   book: str) -> Event | None:
    """One `media` event holding, per customer mentioned, the article as a hit; None if the
    article names no customer at review or above."""
    screenings = []
    by_row: dict[str, list[dict[str, Any]]] = {}
    for m in result["mentions"]:
        if m["kind"] == "customer" and m.get("decision") in ("match", "review"):
            by_row.setdefault(str(m["row_id"]), []).append(m)
    for row_id, mentions in sorted(by_row.items()):
        best = max(mentions, key=lambda m: m["score"])
        query = {"name": best["caption"], "schema": best.get("schema") or "LegalEntity",
                 "birth_date": None, "countries": [], "identifiers": [],
                 "kind": "media", "book": book, "row_id": row_id}
        explanation = [{
            "feature": "media_mention", "label": f"named in \"{document.title or document.name}\"",
            "weight": 0.0, "detail": m["sentence"][:500],
            "text": m["text"], "start": m["start"], "end": m["end"], "score": m["score"],
        } for m in mentions] + list(best.get("explanation") or ())
        screenings.append({"query": query, "row": row_id, "results": [{
            "source": MEDIA_SOURCE, "source_id": document.sha256, "content_hash": document.sha256,
            "snapshot": "", "caption": document.title or document.name, "score": best["score"],
            "decision": best["decision"], "explanation": explanation,
        }]})
    if not screenings:
        return None
    data = {"screenings": screenings, "kind": "media", "book": book,
            "article": {"name": document.name, "title": document.title,
                        "sha256": document.sha256, "format": document.format}}
    return Event("media", actor, f"media:{document.sha256[:16]}", data, ())


def scan_event(document: Document, result: dict[str, Any], *, actor: str) -> Event:
    """The record of one scanned article (every scan, whatever it found): a screening path
    that leaves no trace could not be shown to an auditor. Party and customer mentions at
    review or above are kept in full; terms are counted by kind."""
    parties = [
        {key: m.get(key) for key in ("kind", "text", "start", "end", "source", "source_id",
                                     "caption", "score", "decision", "row_id")
         if m.get(key) is not None}
        for m in result["mentions"]
        if m["kind"] in ("listed_party", "customer") and m.get("decision") in ("match", "review")
    ]
    counts: dict[str, int] = {}
    for m in result["mentions"]:
        counts[m["kind"]] = counts.get(m["kind"], 0) + 1
    data = {"article": {"name": document.name, "title": document.title,
                        "sha256": document.sha256, "format": document.format},
            "book": result.get("book"), "mentions": counts, "parties": parties}
    return Event("media_scan", actor, f"media:{document.sha256[:16]}", data,
                 tuple(result["snapshots"]))
