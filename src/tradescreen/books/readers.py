"""Read a customer book (CSV or Parquet) into rows keyed by the book's own `id` column.

Columns are those of `screen-file`, except that `id` is the row's key here; the party's official
identifier goes in `identifier` (or id_number, imo, registration_number, passport, tax_id).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from tradescreen.match.entity import Query
from tradescreen.screen.csvinput import read_csv
from tradescreen.screen.inputs import (
    HEADERS,
    InputError,
    day_first_of,
    read_query,
    row_attributes,
    row_name,
)

# The screen-file columns, except that a bare `id` is the row's own key here (issue 7), so the
# official identifier comes only from the explicit identifier headers.
_HEADERS = {
    "row_id": ("id", "row_id", "customer_id", "key"),
    **{role: names for role, names in HEADERS.items() if role != "id"},
    "identifier": ("identifier", *(n for n in HEADERS["id"] if n != "identifier")),
}


@dataclass(frozen=True)
class BookRow:
    row_id: str
    query: Query | None  # None when the row cannot be screened (see `error`)
    # Why the row cannot be screened (query None), or, for a screened row, the fields left out
    # ("unknown country 'Narnia' (left out)"; warnings joined by "; ").
    error: str | None
    data: dict[str, str]  # the row as read, every column

    @property
    def content_hash(self) -> str:
        """What screening depends on: the query (or the error). Other columns do not count."""
        if self.query is None:
            payload: Any = {"error": self.error}
        else:
            q = self.query
            payload = [q.name, q.schema, q.birth_date, list(q.countries), list(q.identifiers)]
            if q.attributes:  # rows without them keep the hashes they had
                payload.append([list(a) for a in q.attributes])
        return hashlib.sha256(orjson.dumps(payload)).hexdigest()


def query_to_json(query: Query) -> bytes:
    fields: list[Any] = [query.name, query.schema, query.birth_date, query.countries,
                         query.identifiers]
    if query.attributes:
        fields.append(query.attributes)
    return orjson.dumps(fields)


def query_from_json(data: bytes | str) -> Query:
    name, schema, birth_date, countries, identifiers, *rest = orjson.loads(data)
    attributes = tuple((k, v) for k, v in rest[0]) if rest else ()
    return Query(name, schema, birth_date, tuple(countries), tuple(identifiers), attributes)


def _columns(fields: Iterable[str]) -> dict[str, str | None]:
    lowered = {f.strip().lower(): f for f in fields if f}
    return {
        role: next((lowered[h] for h in headers if h in lowered), None)
        for role, headers in _HEADERS.items()
    }


def rows_from_records(
    records: Iterable[Mapping[str, Any]], fields: list[str], label: str
) -> Iterator[BookRow]:
    """Book rows from dict records (one per input row) whose column names are `fields`."""
    cols = _columns(fields)
    if cols["row_id"] is None:
        raise InputError(f"{label}: no id column; a book needs an `id` column as the row key")
    if not cols["name"] and not (cols["first"] or cols["last"]):
        raise InputError(f"{label}: no name column; expected name, full_name or "
                         f"first_name/last_name (found: {', '.join(fields) or 'no header'})")
    seen: set[str] = set()
    records = list(records)
    day_first = None
    if cols["birth_date"]:
        day_first = day_first_of(str(r.get(cols["birth_date"]) or "") for r in records)
    for number, record in enumerate(records, start=2):
        data = {k: "" if v is None else str(v).strip() for k, v in record.items() if k}
        get = {role: data.get(col, "") if col else "" for role, col in cols.items()}
        row_id = get["row_id"]
        if not row_id:
            raise InputError(f"{label}: row {number}: empty id")
        if row_id in seen:
            raise InputError(f"{label}: row {number}: duplicate id {row_id!r}")
        seen.add(row_id)
        # A field that cannot be read is left out with a warning; the name is screened anyway.
        try:
            query, warnings = read_query(
                row_name(get), get["schema"] or None, get["birth_date"] or None,
                [get["country"]], [get["identifier"]], day_first=day_first,
                attributes=row_attributes(get),
            )
        except InputError as exc:
            yield BookRow(row_id, None, str(exc), data)
            continue
        yield BookRow(row_id, query, "; ".join(warnings) or None, data)


def _read_csv(path: Path) -> list[BookRow]:
    table = read_csv(path)
    return list(rows_from_records(table.rows, table.fields, path.name))


def _read_parquet(path: Path) -> list[BookRow]:
    import pyarrow.parquet as pq  # only books in Parquet need it loaded

    table = pq.read_table(path)
    return list(rows_from_records(table.to_pylist(), table.column_names, path.name))


def read_book(path: Path) -> list[BookRow]:
    """Rows of a CSV or Parquet book (Parquet recognised by its magic bytes or extension)."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic == b"PAR1" or path.suffix.lower() in (".parquet", ".pq"):
        return _read_parquet(path)
    return _read_csv(path)
