"""A yente query-by-example (FtM schema + properties) read as our screening queries.

Properties the schema does not have are ignored, as yente does; an unknown or non-matchable
schema is a 400, as in yente. A value we match on that cannot be read (a malformed date, an
unknown country, a control character in a name) and a query over the size limits are refused
(`QueryInvalid`, a 422), never dropped: the answer would look complete and be wrong. Every name
(name, alias, previousName, ...) becomes one query, and the caller keeps each listed entity's
best score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tradescreen.api.inputs import InvalidValue, check_date, check_text
from tradescreen.ftm import FROM_FTM_SCHEMA, SCHEMA_PROPS
from tradescreen.match.entity import Query
from tradescreen.screen.inputs import InputError, clean_countries, read_attributes

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
# Shared-attribute alerts (match.attributes): FtM property -> our attribute kind.
ATTRIBUTE_PROPS = {"address": "address", "phone": "phone", "email": "email",
                   "website": "website"}
# Everything a query may carry: what we match on plus descriptive properties yente accepts.
_MATCHED = frozenset(NAME_PROPS + PART_PROPS + DATE_PROPS + COUNTRY_PROPS + ID_PROPS)
_ACCEPTED = frozenset(NAME_PROPS + PART_PROPS + DATE_PROPS + COUNTRY_PROPS + ID_PROPS) | {
    "address", "birthPlace", "gender", "notes", "topics", "program", "programId", "email",
    "phone", "website", "legalForm", "sector", "status", "type", "model", "manufacturer",
}
MAX_NAMES = 50  # distinct names per query, each scored (documented in the README)


class QueryError(ValueError):
    """A query yente would refuse too; the message is the 400's detail."""


class QueryInvalid(QueryError):
    """A query with a value that cannot be read or over a size limit: a 422."""


@dataclass(frozen=True)
class ParsedExample:
    schema: str  # the FtM schema as given (echoed back)
    properties: dict[str, list[str]]  # the properties kept, cleaned to lists of strings
    queries: tuple[Query, ...]  # one per distinct name (identifier-only: one nameless query)


def _values(raw: Any, prop: str, limit: int) -> list[str]:
    items = raw if isinstance(raw, list) else [raw]
    if len(items) > limit:
        raise QueryInvalid(f"properties.{prop}: {len(items)} values; the limit is {limit}")
    out: list[str] = []
    for item in items:
        # yente accepts numbers for strings ("registrationNumber": 12345); nested objects
        # (adjacent entities) carry nothing we match on.
        if isinstance(item, dict | list) and prop in _MATCHED:
            raise QueryInvalid(f"properties.{prop}: expected strings, got a nested "
                               f"{'object' if isinstance(item, dict) else 'array'}")
        if isinstance(item, bool) or item is None or isinstance(item, dict | list):
            continue
        text = str(item).strip()
        if text and text not in out:
            out.append(text)
    return out


def _date(props: dict[str, list[str]]) -> str | None:
    found = [check_date(v, f"properties.{p}") for p in DATE_PROPS for v in props.get(p, [])]
    return found[0] if found else None


def _countries(props: dict[str, list[str]]) -> tuple[str, ...]:
    found: list[str] = []
    for prop in COUNTRY_PROPS:
        for value in props.get(prop, []):
            try:
                found.extend(clean_countries([value]))
            except InputError as exc:
                raise QueryInvalid(f"properties.{prop}: {exc}") from None
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
    try:
        for prop, raw in properties.items():
            if prop in allowed and (values := _values(raw, prop, max_values)):
                props[prop] = [check_text(v, f"properties.{prop}") for v in values]
        birth = _date(props)
    except InvalidValue as exc:
        raise QueryInvalid(str(exc)) from None
    countries = _countries(props)
    names = [v for p in NAME_PROPS for v in props.get(p, [])]
    if not names:
        # yente builds a name from its parts when none is given (followthemoney combine_names).
        parts = [props[p][0] for p in PART_PROPS if p in props]
        if parts:
            names = [" ".join(parts)]
    names = list(dict.fromkeys(names))
    if len(names) > MAX_NAMES:
        raise QueryInvalid(f"{len(names)} distinct names (name, alias, previousName, ...); "
                           f"the limit is {MAX_NAMES} per query")
    idents = tuple(dict.fromkeys(v for p in ID_PROPS for v in props.get(p, [])))
    try:
        attributes, _ = read_attributes(
            [(kind, v) for p, kind in ATTRIBUTE_PROPS.items() for v in props.get(p, [])],
            countries)
    except InputError as exc:
        raise QueryInvalid(str(exc)) from None
    if not names and not idents and not attributes:
        raise QueryError("Cannot parse example entity: give a name (name, alias, firstName/"
                         "lastName, ...) or an identifier (idNumber, registrationNumber, ...)")
    queries = tuple(
        Query(name=n, schema=ours, birth_date=birth, countries=countries, identifiers=idents,
              attributes=attributes)
        for n in (names or [""])
    )
    return ParsedExample(schema, props, queries)
