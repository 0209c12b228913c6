"""Turn rows of a customer file into screening queries: header names, schemas, countries, dates."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from tradescreen.match.entity import Query
from tradescreen.values import country_code

MAX_FIELD = 1000  # longer "names" are data errors, not names; truncated with the rest kept

_SCHEMAS = {
    "person": "Person",
    "individual": "Person",
    "people": "Person",
    "natural person": "Person",
    "company": "Company",
    "business": "Company",
    "corporation": "Company",
    "entity": "LegalEntity",
    "legalentity": "LegalEntity",
    "legal entity": "LegalEntity",
    "organization": "Organization",
    "organisation": "Organization",
    "vessel": "Vessel",
    "ship": "Vessel",
    "aircraft": "Aircraft",
    "airplane": "Aircraft",
}

HEADERS = {
    "name": ("name", "full_name", "fullname", "party_name", "customer_name", "entity_name"),
    "first": ("first_name", "firstname", "given_name", "forename"),
    "middle": ("middle_name", "middlename", "middle_names"),
    "last": ("last_name", "lastname", "surname", "family_name"),
    "schema": ("schema", "type", "entity_type", "party_type"),
    "birth_date": ("birth_date", "date_of_birth", "dob", "birthdate", "incorporation_date"),
    "country": ("country", "nationality", "country_code", "citizenship", "jurisdiction"),
    "id": ("id_number", "identifier", "imo", "registration_number", "passport", "tax_id"),
}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class InputError(ValueError):
    """A query or input file that cannot be screened; the message says which field and why."""


def schema_of(value: str | None) -> str:
    if not value or not value.strip():
        return "LegalEntity"
    key = value.strip().lower()
    if key in _SCHEMAS:
        return _SCHEMAS[key]
    for schema in ("Person", "Company", "Organization", "LegalEntity", "Vessel", "Aircraft"):
        if key == schema.lower():
            return schema
    raise InputError(f"unknown schema {value!r}; use Person, Company, Organization, "
                     "LegalEntity, Vessel or Aircraft")


def clean_birth_date(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    value = value.strip()
    if not _DATE.match(value):
        raise InputError(f"birth date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return value


def clean_countries(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        for part in re.split(r"[;,|]", value):
            if not part.strip():
                continue
            code = country_code(part.strip())
            if code is None:
                raise InputError(f"unknown country {part.strip()!r}")
            out.append(code)
    return tuple(dict.fromkeys(out))


def make_query(
    name: str,
    schema: str | None = None,
    birth_date: str | None = None,
    countries: list[str] | tuple[str, ...] = (),
    identifiers: list[str] | tuple[str, ...] = (),
) -> Query:
    return Query(
        name=name.strip()[:MAX_FIELD],
        schema=schema_of(schema),
        birth_date=clean_birth_date(birth_date),
        countries=clean_countries(countries),
        identifiers=tuple(i.strip()[:MAX_FIELD] for i in identifiers if i and i.strip()),
    )


def _column(fieldnames: list[str], role: str) -> str | None:
    lowered = {f.strip().lower(): f for f in fieldnames if f}
    for header in HEADERS[role]:
        if header in lowered:
            return lowered[header]
    if role == "id" and "id" in lowered:
        return lowered["id"]
    return None


def read_queries(path: Path) -> Iterator[tuple[int, Query | InputError, dict[str, str]]]:
    """Yield (row number, query or the error that row has, the raw row) in file order."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    fields = reader.fieldnames or []
    cols = {role: _column(fields, role) for role in HEADERS}
    if not cols["name"] and not (cols["first"] or cols["last"]):
        raise InputError(
            f"{path.name}: no name column; expected one of name, full_name, or "
            f"first_name/last_name (found: {', '.join(fields) or 'no header'})"
        )
    for number, row in enumerate(reader, start=2):
        def get(role: str, row: dict[str, str] = row) -> str:
            col = cols[role]
            return (row.get(col) or "").strip() if col else ""

        name = get("name") or " ".join(p for p in (get("first"), get("middle"), get("last")) if p)
        try:
            query: Query | InputError = make_query(
                name, get("schema") or None, get("birth_date") or None,
                [get("country")] if get("country") else [],
                [get("id")] if get("id") else [],
            )
        except InputError as exc:
            query = InputError(f"row {number}: {exc}")
        yield number, query, row
