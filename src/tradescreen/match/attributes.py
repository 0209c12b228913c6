"""Shared-attribute evidence: a query's address, phone, e-mail, website or registration number
that a listed party also has, whatever the names say.

Front companies change names, not offices, phone lines or domains. A shared value is strong
evidence (an explanation row that lifts the listed party to at least `review`) unless it is
common: a free-mail domain, a value many listed parties share (registered agents, free-zone
business centres), an address that names no building. Such a value is *weak*: it is shown, with
the reason, and adds nothing to the score, so it never raises an alert by itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tradescreen.index.attributes import AttributeIndex, attribute, exact_keys, party_key
from tradescreen.index.keys import normalize_identifier, split_scheme
from tradescreen.index.records import Record
from tradescreen.match.explain import Feature
from tradescreen.normalize.addresses import (
    address_tokens,
    blocking_tokens,
    same_address,
    specificity,
)
from tradescreen.normalize.contacts import email_domain, is_free_mail
from tradescreen.normalize.phones import read_phone, same_number

# Log-odds a strong shared value adds: enough to matter in the score, the decision floor
# (`review`) is set apart from it (see screen.party).
WEIGHTS = {"address": 3.0, "phone": 3.0, "email": 3.5, "domain": 2.5, "identifier": 0.0}
COMMON = 5  # a value held by this many listed parties is a registered-agent kind of value
ADDRESS_CANDIDATES = 40  # addresses compared with rigour per query address
MAX_TOKEN_POSTINGS = 5000  # a token on more addresses than this finds nothing specific
# Identifier schemes reported as shared attributes (the identifier row itself scores them).
SHARED_SCHEMES = frozenset({"imo", "registration", "tax", "inn", "ogrn", "kpp", "lei", "duns",
                            "mmsi", "bic", "swift", "vat", "okpo"})


@dataclass(frozen=True, slots=True)
class AttributeFeature(Feature):
    """An explanation row that also names the attribute and both values at the top level."""

    def to_dict(self) -> dict[str, Any]:
        data = {"feature": self.feature, "label": self.label, "weight": round(self.weight, 3),
                "value": self.value, "detail": self.detail}
        data.update(self.value)
        return data


def _row(kind: str, query_value: str, list_value: str, weak: str | None, *,
         similarity_: float | None = None, shared_by: int | None = None) -> AttributeFeature:
    value: dict[str, Any] = {"attribute": kind, "query_value": query_value,
                             "list_value": list_value, "weak": weak is not None}
    if weak is not None:
        value["reason"] = weak
    if similarity_ is not None:
        value["similarity"] = round(similarity_, 3)
    if shared_by is not None:
        value["shared_by"] = shared_by
    weight = 0.0 if weak else WEIGHTS.get(kind, WEIGHTS["domain"])
    if kind in SHARED_SCHEMES:
        weight = WEIGHTS["identifier"]
    label = f"weak shared {kind}: {weak}" if weak else f"shared {kind}"
    detail = f"query {kind} {query_value!r} ~ listed {list_value!r}"
    if shared_by is not None and not weak:
        # How many listed parties hold the value (a party on several lists counts once).
        detail += f"; shared by {shared_by} listed part{'y' if shared_by == 1 else 'ies'}"
    return AttributeFeature("shared_attribute", label, weight, value, detail)


def is_strong(row: Feature) -> bool:
    return row.feature == "shared_attribute" and not row.value["weak"]


class AttributeMatcher:
    """Finds the listed parties sharing a query's attributes. `records(pos)` decodes one."""

    def __init__(self, attrs: AttributeIndex | None, records: Any, identifiers: Any,
                 parties: Any = None) -> None:
        """`attrs` None (an in-memory index of a book's customers): identifiers only.
        `parties`: the index's listed parties (`index.clusters.Parties`), which count a value's
        holders; without them a party is its caption's words."""
        self.attrs, self.records, self.identifiers = attrs, records, identifiers
        self.parties = parties
        self._addresses = max(1, len(attrs.addr_record)) if attrs is not None else 1

    def hits(self, attributes: tuple[tuple[str, str], ...], identifiers: tuple[str, ...],
             countries: tuple[str, ...]) -> dict[int, list[AttributeFeature]]:
        found: dict[int, list[AttributeFeature]] = {}
        seen: set[tuple[int, str, str]] = set()

        def add(pos: int, row: AttributeFeature) -> None:
            key = (pos, row.value["attribute"], row.value["list_value"])
            if key not in seen:
                seen.add(key)
                found.setdefault(pos, []).append(row)

        for kind, raw in attributes if self.attrs is not None else ():
            if kind == "address":
                for pos, row in self._address(raw):
                    add(pos, row)
            else:
                for pos, row in self._exact(kind, raw, countries):
                    add(pos, row)
        for raw in identifiers:
            for pos, row in self._identifier(raw):
                add(pos, row)
        return found

    # ---- exact keys: phones, e-mails, domains --------------------------------------------

    def _exact(self, kind: str, raw: str, countries: tuple[str, ...]):  # noqa: ANN202
        parsed = attribute(kind, raw, countries)
        if parsed is None or self.attrs is None:
            return
        key = parsed[1]
        done: set[int] = set()
        for text in exact_keys(kind, key):
            positions = self.attrs.records(text)
            shared = self._parties(positions)
            for pos in positions:
                if pos in done:
                    continue
                record: Record = self.records[pos]
                match = self._listed_value(kind, key, text, raw, countries, record)
                if match is None:
                    continue
                done.add(pos)
                list_kind, list_value = match
                weak = None
                if text.startswith("d:") and is_free_mail(text[2:]):
                    weak = f"{text[2:]} is a free-mail domain"
                elif shared >= COMMON:
                    weak = (f"shared by {shared} listed parties (a registered agent's, "
                            "a provider's or a business centre's)")
                attr = "domain" if text.startswith("d:") else kind
                yield pos, _row(attr, raw, list_value, weak, shared_by=shared)

    def _parties(self, positions: tuple[int, ...]) -> int:
        """Distinct listed parties (not list records: one party is on several lists)."""
        if len(positions) > 4 * COMMON:
            return len(positions)  # common whichever way it is counted
        if self.parties is not None:
            return len({n if (n := self.parties.cluster_number(pos)) >= 0 else -1 - pos
                        for pos in positions})
        return len({party_key(self.records[pos].caption) for pos in positions})

    @staticmethod
    def _listed_value(kind: str, key: str, text: str, raw: str, countries: tuple[str, ...],
                      record: Record) -> tuple[str, str] | None:
        if text.startswith("p:"):
            query = read_phone(raw, countries)
            for r_kind, _r_key, r_value in record.attributes:
                if r_kind == "phone" and query is not None:
                    listed = read_phone(r_value, record.countries)
                    if listed is not None and same_number(query, listed):
                        return r_kind, r_value
            return None
        if text.startswith("e:"):
            hit = next((v for k, rk, v in record.attributes if k == "email" and rk == key), None)
            return ("email", hit) if hit else None
        domain = text[2:]
        for r_kind, r_key, r_value in record.attributes:
            if (r_kind == "email" and email_domain(r_key) == domain) or (
                r_kind == "website" and r_key == domain
            ):
                return r_kind, r_value
        return None

    # ---- addresses ------------------------------------------------------------------------

    def _address(self, raw: str):  # noqa: ANN202
        tokens = address_tokens(raw)
        keys = blocking_tokens(tokens)
        if not keys or self.attrs is None:
            return
        ids: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for token in keys:
            posting = self.attrs.tokens.get(token)
            if posting is None or len(posting) > MAX_TOKEN_POSTINGS:
                continue
            ids.append(posting)
            weights.append(np.full(len(posting), math.log(self._addresses / len(posting)) + 1))
        if not ids:
            return
        uniq, inverse = np.unique(np.concatenate(ids), return_inverse=True)
        score = np.bincount(inverse, weights=np.concatenate(weights))
        order = np.argsort(-score, kind="stable")[:ADDRESS_CANDIDATES]
        query_weak = specificity(tokens)
        best: dict[int, tuple[float, str, int]] = {}
        for addr_id in uniq[order].tolist():
            pos = int(self.attrs.addr_record[addr_id])
            record: Record = self.records[pos]
            listed = record.attributes[int(self.attrs.addr_slot[addr_id])][2]
            sim = same_address(raw, listed)
            if sim is not None and sim > best.get(pos, (0.0, "", 0))[0]:
                best[pos] = (sim, listed, int(self.attrs.addr_shared[addr_id]))
        holders = self._parties(tuple(best))
        for pos, (sim, listed, shared) in best.items():
            shared = max(shared, holders)
            weak = query_weak or specificity(address_tokens(listed))
            if weak is None and shared >= COMMON:
                weak = (f"shared by {shared} listed parties (a registered agent's or a business "
                        "centre's address)")
            yield pos, _row("address", raw, listed, weak, similarity_=sim, shared_by=shared)

    # ---- registration, tax, IMO numbers -------------------------------------------------

    def _identifier(self, raw: str):  # noqa: ANN202
        _scheme, value = split_scheme(raw)
        norm = normalize_identifier(value)
        if norm is None:
            return
        positions = tuple(self.identifiers.get(norm, ()))
        shared = self._parties(positions)
        for pos in positions:
            record: Record = self.records[pos]
            for r_scheme, r_norm, r_raw in record.identifiers:
                if r_norm == norm and r_scheme in SHARED_SCHEMES:
                    weak = f"shared by {shared} listed parties" if shared >= COMMON else None
                    yield pos, _row(r_scheme, raw, r_raw, weak, shared_by=shared)
                    break


def pair_rows(query_attributes: tuple[tuple[str, str], ...], countries: tuple[str, ...],
              record: Record) -> list[AttributeFeature]:
    """The shared-attribute rows of one query against one record, without the index (a book
    alert's explanation, computed again for its case). Weakness here is what the two values
    show (free-mail domain, an address naming no building); how many parties share a value
    is known only to the index."""
    rows: list[AttributeFeature] = []
    for kind, raw in query_attributes:
        parsed = attribute(kind, raw, countries)
        if parsed is None:
            continue
        for r_kind, r_key, r_value in record.attributes:
            row = None
            if kind == r_kind == "address":
                sim = same_address(raw, r_value)
                if sim is not None:
                    weak = specificity(address_tokens(raw)) or specificity(tuple(r_key.split()))
                    row = _row("address", raw, r_value, weak, similarity_=sim)
            elif kind == r_kind == "phone":
                mine, theirs = read_phone(raw, countries), read_phone(r_value, record.countries)
                if mine is not None and theirs is not None and same_number(mine, theirs):
                    row = _row("phone", raw, r_value, None)
            elif kind == r_kind == "email" and parsed[1] == r_key:
                row = _row("email", raw, r_value, None)
            elif kind in ("email", "website") and r_kind in ("email", "website"):
                mine_d = email_domain(parsed[1]) if kind == "email" else parsed[1]
                theirs_d = email_domain(r_key) if r_kind == "email" else r_key
                if mine_d == theirs_d:
                    weak = f"{mine_d} is a free-mail domain" if is_free_mail(mine_d) else None
                    row = _row("domain", raw, r_value, weak)
            if row is not None:
                rows.append(row)
                break
    return rows
