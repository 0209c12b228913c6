"""Scan one document: listed parties, book customers and domain terms, in text order.

    scanner = Scanner(screener, reference=ref, customers=customer_screener)
    scanner.scan(document)  -> {"document", "mentions", "snapshots"}

The finders are built once (gazetteers over the index, the term automaton) and reused for every
document; a scan itself is pure: no I/O, no clock.
"""

from __future__ import annotations

from typing import Any

from tradescreen.controls.reference import Reference
from tradescreen.media.documents import Document
from tradescreen.media.mentions import DocText, Mention
from tradescreen.media.parties import PartyFinder
from tradescreen.media.terms import TermFinder, _extra_terms
from tradescreen.media.words import sentences, words
from tradescreen.memory import Settler
from tradescreen.screen.party import Screener

MAX_FREEZES = 16  # garbage-collector freezes per scanner (see `Scanner.mentions`)
KINDS = ("listed_party", "customer", "programme", "place", "port", "item", "regulation")


def read_text(text: str) -> DocText:
    ws = words(text)
    sents = sentences(text)
    sentence_of: list[int] = []
    si = 0
    for w in ws:
        while si + 1 < len(sents) and w.start >= sents[si][1]:
            si += 1
        sentence_of.append(si)
    parts: list[str] = []
    starts: list[int] = []
    token_word: list[int] = []
    at = 1
    for wi, w in enumerate(ws):
        for tok in w.tokens:
            parts.append(tok)
            starts.append(at)
            token_word.append(wi)
            at += len(tok) + 1
    stream = " " + " ".join(parts) + " "
    return DocText(text, ws, sentence_of, sents, stream, starts, token_word)


class Scanner:
    def __init__(self, screener: Screener, *, reference: Reference | None = None,
                 customers: Screener | None = None, book: str | None = None) -> None:
        self.terms = TermFinder(reference) if reference is not None else None
        places = frozenset()
        if self.terms is not None:
            places = frozenset(_place_tokens(reference))  # type: ignore[arg-type]
        self.parties = PartyFinder(screener, "listed_party", places)
        self.customers = PartyFinder(customers, "customer") if customers is not None else None
        self.book = book
        self.snapshots = list(screener.index.snapshots)
        self.controls = reference.id if reference is not None else None
        self._scripts: set[str] = set()  # scripts of the documents scanned so far
        self._settler = Settler(MAX_FREEZES)

    def mentions(self, text: str) -> list[Mention]:
        full = self._settler.full_collections()
        doc = read_text(text)
        found = self._mentions(doc)
        scripts = {w.script for w in doc.words}
        # What the matcher and the normaliser load on first use (rigour's stop words and
        # name tags, wordfreq's lists, transliteration tables: ~3 M references for English
        # alone) comes mostly with a document in a script not seen before; it lives as long
        # as the process, like the index's tables (frozen when the scanner is built,
        # `media.run`), and is frozen too (`memory.Settler`).
        if self._settler.settle(full, force=not scripts <= self._scripts):
            self._scripts |= scripts
        return found

    def _mentions(self, doc: DocText) -> list[Mention]:
        found = self.parties.find(doc)
        if self.customers is not None:
            for m in self.customers.find(doc):
                m.details["book"] = self.book
                m.details["row_id"] = m.get("source_id")
                found.append(m)
        if self.terms is not None:
            found.extend(self.terms.find(doc))
        found.sort(key=lambda m: (m.start, KINDS.index(m.kind), -(m.end - m.start)))
        return found

    def scan(self, document: Document) -> dict[str, Any]:
        mentions = self.mentions(document.text)
        return {
            "document": document.to_dict(),
            "mentions": [m.to_dict() for m in mentions],
            "snapshots": self.snapshots,
            "controls": self.controls,
            "book": self.book,
        }


def _place_tokens(reference: Reference) -> set[str]:
    from tradescreen.normalize.text import tokens

    out: set[str] = set()
    for port in reference.ports:
        for key in port.keys:
            out.update(key)
    for j in (*reference.jurisdictions.values(), *reference.transshipment.values()):
        out.update(tokens(j.name.split("--")[0]))
    for entry in _extra_terms().get("place") or ():
        for term in entry["terms"]:
            out.update(tokens(term))
    return out
