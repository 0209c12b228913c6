"""A yente query-by-example (FtM schema + properties) read as our screening queries.

Lenient like yente: properties the schema does not have and values that do not parse (a
malformed date, an unknown country) are dropped, not refused; an unknown or non-matchable
schema is a 400. Several names (name, alias, previousName, ...) become one query each, and
the caller keeps each listed entity's best score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tradescreen.ftm import FROM_FTM_SCHEMA, SCHEMA_PROPS
from tradescreen.match.entity import Query
from tradescreen.screen.inputs import InputError, clean_countries

# The FtM schemata a query may use, and the FtM schemata that exist but cannot be screened
# (yente answers the latter with "Non-matchable schema").
QUERY_SCHEMAS = {**FROM_FTM_SCHEMA, "Thing": "Thing"}
NON_MATCHABLE = frozenset({
    "Address", "Sanction", "Ownership", "Directorship", "Family", "Associate", "Membership",
    "Employment", "Representation", "UnknownLink", "Identification", "Passport", "Document",
    "Article", "Event", "Position", "Occupancy", "Note", "Mention", "Payment", "Debt",
    "Security", "BankAccount", "CryptoWallet", "Asset", "RealEstate", "Vehicle", "Interval",
    "Analyzable", "Value", "Succession", "Contract", "ContractAward", "CourtCase",
    "CourtCaseParty", "Project", "ProjectParticipant", "Trip", "Image", "Video", "Audio",
    "Email", "Message", "Page", "Pages", "PlainText", "HyperText", "Folder", "Package",
    "Workbook", "Table", "Call", "License", "Assessment", "EconomicActivity", "Documentation",
}) - set(QUERY_SCHEMAS)

NAME_PROPS = ("name", "alias", "previousName", "weakAlias", "abbreviation")
PART_PROPS = ("firstName", "secondName", "middleName", "fatherName", "lastName", "nameSuffix")
DATE_PROPS = ("birthDate", "incorporationDate", "buildDate")
COUNTRY_PROPS = (
    "nationality", "citizenship", "country", "jurisdiction", "mainCountry", "flag",
)
ID_PROPS = (
    "idNumber", "registrationNumber", "imoNumber", "innCode", "ogrnCode", "taxNumber",
    "passportNumber", "socialSecurityNumber", "vatCode", "leiCode", "swiftBic", "dunsCode",
    "okpoCode", "kppCode", "bikCode", "mmsi", "callSign", "serialNumber", "icaoCode", "permId",
)
# Everything a query may carry: what we match on plus descriptive properties yente accepts.
_ACCEPTED = frozenset(NAME_PROPS + PART_PROPS + DATE_PROPS + COUNTRY_PROPS + ID_PROPS) | {
    "address", "birthPlace", "gender", "notes", "topics", "program", "programId", "email",
    "phone", "website", "legalForm", "sector", "status", "type", "model", "manufacturer",
}
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
MAX_NAMES = 10


class QueryError(ValueError):
    """A query yente would refuse too; the message is the 400's detail."""


@dataclass(frozen=True)
class ParsedExample:
    schema: str  # the FtM schema as given (echoed back)
    properties: dict[str, list[str]]  # the properties kept, cleaned to lists of strings
    queries: tuple[Query, ...]  # one per distinct name (identifier-only: one nameless query)


def _values(raw: Any, limit: int) -> list[str]:
    items = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for item in items:
        # yente accepts numbers for strings ("registrationNumber": 12345); nested objects
        # (adjacent entities) carry nothing we match on.
        if isinstance(item, bool) or item is None or isinstance(item, dict | list):
            continue
        text = str(item).strip()
        if text and text not in out:
            out.append(text)
    return out[:limit]


def _date(values: list[str]) -> str | None:
    for value in values:
        m = _DATE.match(value)
        if m and (m.group(2) is None or "01" <= m.group(2) <= "12"):
            return "-".join(g for g in m.groups() if g)
    return None


def _countries(values: list[str]) -> tuple[str, ...]:
    found: list[str] = []
    for value in values:
        try:
            found.extend(clean_countries([value]))
        except InputError:
            continue
    return tuple(dict.fromkeys(found))


def parse_example(schema: str, properties: dict[str, Any], max_values: int) -> ParsedExample:
    if schema not in QUERY_SCHEMAS:
        if schema in NON_MATCHABLE:
            raise QueryError(f"Cannot parse example entity: Non-matchable schema for query: "
                             f"{schema}")
        raise QueryError(f"Cannot parse example entity: Unknown schema: {schema!r}")
    ours = QUERY_SCHEMAS[schema]
    allowed = SCHEMA_PROPS.get(schema, SCHEMA_PROPS["LegalEntity"]) | _ACCEPTED
    props: dict[str, list[str]] = {}
    for prop, raw in properties.items():
        if prop in allowed and (values := _values(raw, max_values)):
            props[prop] = values
    names = [v for p in NAME_PROPS for v in props.get(p, [])]
    if not names:
        # yente builds a name from its parts when none is given (followthemoney combine_names).
        parts = [props[p][0] for p in PART_PROPS if p in props]
        if parts:
            names = [" ".join(parts)]
    names = list(dict.fromkeys(names))[:MAX_NAMES]
    birth = _date([v for p in DATE_PROPS for v in props.get(p, [])])
    countries = _countries([v for p in COUNTRY_PROPS for v in props.get(p, [])])
    idents = tuple(dict.fromkeys(v for p in ID_PROPS for v in props.get(p, [])))
    if not names and not idents:
        raise QueryError("Cannot parse example entity: give a name (name, alias, firstName/"
                         "lastName, ...) or an identifier (idNumber, registrationNumber, ...)")
    queries = tuple(
        Query(name=n, schema=ours, birth_date=birth, countries=countries, identifiers=idents)
        for n in (names or [""])
    )
    return ParsedExample(schema, props, queries)
