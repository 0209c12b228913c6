"""yente's `/search` filters and facets, over screened hits or over the whole collection.

Without a query, `/search` lists entries: on an index on disk the filters and facet counts run
in numpy over its record columns (`index.columns`) and only the returned page is decoded; an
in-memory index (a book's, a test's) is walked record by record. Both give the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tradescreen.index.records import Record


@dataclass(frozen=True)
class Filters:
    scope: frozenset[str] | None  # sources the dataset covers (None: every one)
    exclude_dataset: frozenset[str]
    kinds: frozenset[str] | None  # our schemas the FtM schema covers (None: every one)
    exclude_schema: frozenset[str]
    countries: frozenset[str]  # lower case
    topics: frozenset[str]
    datasets: frozenset[str]

    def source_ok(self, source: str) -> bool:
        if (self.scope is not None and source not in self.scope) or source in self.exclude_dataset:
            return False
        if self.topics and "sanction" not in self.topics:
            return False
        return not (self.datasets and source not in self.datasets)

    def schema_ok(self, schema: str) -> bool:
        ftm_schema = "Airplane" if schema == "Aircraft" else schema
        if self.kinds is not None and schema not in self.kinds:
            return False
        return ftm_schema not in self.exclude_schema

    def keep(self, rec: Record) -> bool:
        if not (self.source_ok(rec.source) and self.schema_ok(rec.schema)):
            return False
        return not self.countries or bool(self.countries & set(rec.countries))


@dataclass
class Listing:
    total: int
    page: list[Record]
    facets: dict[str, Any]


def facets(by_source: dict[str, int], by_country: dict[str, int], total: int) -> dict[str, Any]:
    def values(counts: dict[str, int]) -> list[dict[str, Any]]:
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:50]
        return [{"name": k, "label": k, "count": n} for k, n in top]

    return {
        "datasets": {"label": "Data sources", "values": values(by_source)},
        "countries": {"label": "Countries", "values": values(by_country)},
        "topics": {"label": "Topics", "values": values({"sanction": total}) if total else []},
    }


def filter_records(records: Iterable[Record], filters: Filters, offset: int, limit: int
                   ) -> Listing:
    """The record-by-record walk: screened hits, or every record of an in-memory index."""
    kept = [rec for rec in records if filters.keep(rec)]
    by_source: dict[str, int] = {}
    by_country: dict[str, int] = {}
    for rec in kept:
        by_source[rec.source] = by_source.get(rec.source, 0) + 1
        for c in rec.countries:
            by_country[c] = by_country.get(c, 0) + 1
    return Listing(len(kept), kept[offset: offset + limit],
                   facets(by_source, by_country, len(kept)))


def list_all(index: Any, filters: Filters, offset: int, limit: int) -> Listing:
    """Every record of the index that passes the filters: columns when the index has them."""
    cols = getattr(index, "columns", None)
    if cols is None:
        return filter_records(index.records, filters, offset, limit)
    source_ok = np.array([filters.source_ok(s) for s in cols.sources] + [False])
    schema_ok = np.array([filters.schema_ok(s) for s in cols.schemas] + [False])
    mask = source_ok[cols.source] & schema_ok[cols.schema]
    per_record = np.diff(cols.country_off)
    if filters.countries:
        wanted = np.array([c in filters.countries for c in cols.countries] + [False])
        hits = np.concatenate(([0], np.cumsum(wanted[cols.country], dtype=np.int64)))
        mask &= (hits[cols.country_off[1:]] - hits[cols.country_off[:-1]]) > 0
    kept = np.flatnonzero(mask)
    by_source = np.bincount(cols.source[kept], minlength=len(cols.sources))
    by_country = np.bincount(cols.country[np.repeat(mask, per_record)],
                             minlength=len(cols.countries))
    total = len(kept)
    page = [index.records[int(pos)] for pos in kept[offset: offset + limit]]
    return Listing(
        total, page,
        facets({s: int(n) for s, n in zip(cols.sources, by_source, strict=True) if n},
               {c: int(n) for c, n in zip(cols.countries, by_country, strict=True) if n}, total),
    )
