"""Conversion between our Entity model and FollowTheMoney (FtM) entity JSON.

FtM is the model OpenSanctions publishes in, so exporting to it lets FtM tools (yente, nomenklatura,
aleph) consume our lists, and reading it lets us import OpenSanctions data. Pure functions: the
followthemoney package is not needed at runtime (the tests check our output against it).

FtM has no slot for some of what we keep (a name's language or "original script" kind, a date's
"circa" wording, an identifier's issuing country). So that a round trip loses nothing, `to_ftm`
stores exactly the fields the FtM properties cannot reproduce under an extra top-level key
(`EXTRA_KEY`); FtM readers keep unknown top-level keys as context and otherwise ignore them.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any, Literal

import orjson

from tradescreen.model import Address, Entity, Identifier, Name, PartialDate, Relation
from tradescreen.values import parse_date

EXTRA_KEY = "tradescreen"

# Our schema -> FtM schema, and the FtM schemata we can screen against -> ours.
TO_FTM_SCHEMA = {"Aircraft": "Airplane"}
FROM_FTM_SCHEMA = {
    "Person": "Person",
    "Company": "Company",
    "Organization": "Organization",
    "PublicBody": "Organization",
    "LegalEntity": "LegalEntity",
    "Vessel": "Vessel",
    "Airplane": "Aircraft",
}

# Properties of each FtM schema that we read or write (a subset of the real schema; a test checks
# every name here against the followthemoney package so a typo cannot produce invalid output).
_THING = frozenset({
    "name", "alias", "weakAlias", "previousName", "country", "notes", "program", "programId",
    "topics", "createdAt", "modifiedAt", "address", "addressEntity", "sourceUrl", "description",
})
_LEGAL = _THING | {
    "abbreviation", "idNumber", "taxNumber", "innCode", "ogrnCode", "registrationNumber",
    "swiftBic", "leiCode", "dunsCode", "vatCode", "okpoCode", "email", "phone", "website",
    "incorporationDate", "dissolutionDate", "jurisdiction", "mainCountry", "legalForm", "status",
    "sector", "classification",
}
_ORG = _LEGAL | {"imoNumber", "permId"}
_PERSON = _LEGAL | {
    "birthDate", "birthPlace", "deathDate", "nationality", "citizenship", "gender", "title",
    "position", "passportNumber", "socialSecurityNumber", "firstName", "lastName", "middleName",
    "fatherName", "motherName", "secondName", "nameSuffix",
}
_VEHICLE = _THING | {
    "registrationNumber", "buildDate", "type", "model", "previousName",
}
SCHEMA_PROPS: dict[str, frozenset[str]] = {
    "LegalEntity": _LEGAL,
    "Organization": _ORG,
    "PublicBody": _ORG,
    "Company": _ORG | {"kppCode", "bikCode", "isinCode"},
    "Person": _PERSON,
    "Vessel": _VEHICLE | {
        "imoNumber", "mmsi", "callSign", "flag", "pastFlags", "tonnage",
        "grossRegisteredTonnage", "deadweightTonnage",
    },
    "Airplane": _VEHICLE | {"serialNumber", "icaoCode", "manufacturer"},
}

# identifier scheme -> FtM property (export). Airplane tail numbers use registrationNumber.
_ID_EXPORT = {
    "passport": "passportNumber", "national_id": "idNumber", "tax": "taxNumber",
    "registration": "registrationNumber", "ogrn": "ogrnCode", "inn": "innCode", "kpp": "kppCode",
    "bic": "swiftBic", "swift": "swiftBic", "lei": "leiCode", "duns": "dunsCode",
    "imo": "imoNumber", "mmsi": "mmsi", "call_sign": "callSign",
    "aircraft_serial": "serialNumber", "email": "email", "website": "website", "phone": "phone",
    "vat": "vatCode", "okpo": "okpoCode",
}
_ID_IMPORT = {prop: scheme for scheme, prop in _ID_EXPORT.items() if scheme != "swift"}
_ID_IMPORT["socialSecurityNumber"] = "national_id"

# FtM properties carried over as-is into Entity.properties (descriptive, not matched on).
_KEEP = frozenset({
    "firstName", "lastName", "middleName", "fatherName", "motherName", "secondName", "nameSuffix",
    "legalForm", "status", "sector", "classification", "dissolutionDate", "deathDate", "type",
    "model", "tonnage", "grossRegisteredTonnage", "deadweightTonnage", "flag", "pastFlags",
    "manufacturer", "icaoCode", "topics", "permId",
})
# Added to every export: OpenSanctions marks listed entities this way, and it carries no
# information of ours, so reading it back does not turn it into a property.
_DEFAULT_TOPICS = ("sanction",)

_SLUG = re.compile(r"[^a-z0-9.]+")
_IMO = re.compile(r"^(?:IMO)?\s*(\d{7})$", re.I)
_GENDERS = {"m": "male", "male": "male", "f": "female", "female": "female", "other": "other"}


def slug(text: str) -> str:
    """An FtM-safe id fragment: lower case ASCII letters, digits, dots and dashes."""
    return _SLUG.sub("-", text.lower()).strip("-")


def ftm_id(source: str, source_id: str) -> str:
    return slug(f"{source}-{source_id}")


def _date_prop(ftm_schema: str) -> str:
    if ftm_schema == "Person":
        return "birthDate"
    if ftm_schema in ("Vessel", "Airplane"):
        return "buildDate"
    return "incorporationDate"


def _id_prop(ftm_schema: str, scheme: str) -> str | None:
    if ftm_schema == "Airplane":
        # On an airplane registrationNumber is the tail number, so other registrations have no slot.
        if scheme == "aircraft_tail":
            return "registrationNumber"
        if scheme == "registration":
            return None
    prop = _ID_EXPORT.get(scheme)
    return prop if prop in SCHEMA_PROPS[ftm_schema] else None


def _id_scheme(ftm_schema: str, prop: str) -> str | None:
    if ftm_schema == "Airplane" and prop == "registrationNumber":
        return "aircraft_tail"
    return _ID_IMPORT.get(prop)


def _id_value(prop: str, value: str) -> str:
    # FtM's canonical IMO form is "IMO" + 7 digits; anything else FtM would rewrite or drop.
    if prop == "imoNumber" and (m := _IMO.match(value.strip())):
        return f"IMO{m.group(1)}"
    return value


def _add(props: dict[str, list[str]], prop: str, values: Iterable[str | None]) -> None:
    bucket = props.setdefault(prop, [])
    for value in values:
        if value and value not in bucket:
            bucket.append(value)
    if not bucket:
        del props[prop]


def _ftm_properties(entity: Entity, ftm_schema: str) -> dict[str, list[str]]:
    allowed = SCHEMA_PROPS[ftm_schema]
    props: dict[str, list[str]] = {}
    for name in entity.names:
        if name.kind == "primary":
            prop = "name"
        elif name.kind == "previous":
            prop = "previousName"
        elif name.strength == "weak":
            prop = "weakAlias"
        else:
            prop = "alias"
        _add(props, prop, [name.value])
    _add(props, _date_prop(ftm_schema), [d.iso for d in entity.birth_dates])
    if ftm_schema == "Person":
        _add(props, "birthPlace", entity.birth_places)
        _add(props, "nationality", entity.nationalities)
        _add(props, "title", entity.titles)
        if entity.gender:
            _add(props, "gender", [_GENDERS.get(entity.gender.lower())])
    _add(props, "country", entity.countries)
    _add(props, "address", [a.full for a in entity.addresses])
    for ident in entity.identifiers:
        if prop := _id_prop(ftm_schema, ident.scheme):
            _add(props, prop, [_id_value(prop, ident.value)])
    _add(props, "program", entity.programs)
    _add(props, "createdAt", [entity.listed_on])
    _add(props, "notes", [entity.remarks])
    for key, values in entity.properties.items():
        if key in _KEEP and key in allowed and key not in props:
            _add(props, key, values)
    if "topics" not in props:
        props["topics"] = list(_DEFAULT_TOPICS)
    return props


def to_ftm(entity: Entity) -> dict[str, Any]:
    """Export one entity as an FtM entity dict (relations go out via `relation_entities`)."""
    ftm_schema = TO_FTM_SCHEMA.get(entity.schema, entity.schema)
    if ftm_schema not in SCHEMA_PROPS:
        raise ValueError(f"{entity.id}: schema {entity.schema!r} has no FtM equivalent")
    data: dict[str, Any] = {
        "id": ftm_id(entity.source, entity.source_id),
        "schema": ftm_schema,
        "caption": entity.caption,
        "properties": _ftm_properties(entity, ftm_schema),
        "datasets": [entity.source],
        "referents": list(entity.properties.get("referents", ())),
    }
    # Keep only what the FtM properties could not carry, so the extra block stays small.
    want = entity.to_dict()
    got = _from_properties(data, entity.source).to_dict()
    extra = {key: value for key, value in want.items() if key != "source" and value != got[key]}
    if extra:
        data[EXTRA_KEY] = orjson.loads(orjson.dumps(extra))  # plain JSON types, no tuples
    return data


def _values(props: dict[str, Any], *names: str) -> list[str]:
    out: list[str] = []
    for name in names:
        raw = props.get(name)
        if not raw:
            continue  # most properties are absent: the common case returns at once
        for value in [raw] if isinstance(raw, str) else raw:
            if isinstance(value, str):
                value = value.strip()
                if value and value not in out:
                    out.append(value)
    return out


# The properties we read names from; a person with none of them is named from its parts.
NAME_PROPS = ("name", "alias", "weakAlias", "abbreviation", "previousName")


def _names(data: dict[str, Any], props: dict[str, Any]) -> tuple[Name, ...]:
    primaries = _values(props, "name")
    caption = data.get("caption")
    if isinstance(caption, str) and caption in primaries:
        # The caption is the entity's display name: keep it first so it stays our primary.
        primaries.remove(caption)
        primaries.insert(0, caption)
    names = [Name(v) for v in primaries]
    names += [Name(v, kind="alias") for v in _values(props, "alias")]
    names += [Name(v, kind="alias", strength="weak") for v in _values(props, "weakAlias")]
    names += [Name(v, kind="alias", strength="weak") for v in _values(props, "abbreviation")]
    names += [Name(v, kind="previous") for v in _values(props, "previousName")]
    if not names and data.get("schema") == "Person":
        names = [Name(v, kind="alias") for v in names_from_parts(props)]
    seen: set[str] = set()
    unique = []
    for name in names:
        if name.value not in seen:
            seen.add(name.value)
            unique.append(name)
    return tuple(unique)


def names_come_from(data: dict[str, Any]) -> Literal["properties", "parts"] | None:
    """Where `from_ftm` takes an FtM entity's names from: its name properties, its name parts
    (a person given only as parts), or nowhere (None: nothing to screen against)."""
    props = data.get("properties") or {}
    if not isinstance(props, dict):
        return None
    if _values(props, *NAME_PROPS):
        return "properties"
    if data.get("schema") == "Person" and names_from_parts(props):
        return "parts"
    return None


# The order followthemoney's `helpers.combine_names` joins a person's name parts in.
NAME_PARTS = ("firstName", "secondName", "middleName", "fatherName", "motherName", "lastName")


def names_from_parts(props: dict[str, Any]) -> list[str]:
    """Full names of a person given only as parts, built as followthemoney's `combine_names`.

    Every combination of one value per part present, joined in given-name-first order; with no
    combination (no part at all) nothing. Lists such as OpenSanctions' UA/RU crawlers publish
    some people this way, with no `name`, and without this they could not be screened.
    """
    columns = [values for part in NAME_PARTS if (values := _values(props, part))]
    full = [" ".join(" ".join(combo).split()) for combo in itertools.product(*columns)]
    return list(dict.fromkeys(name for name in full if name)) if columns else []


def _dates(values: list[str]) -> tuple[PartialDate, ...]:
    return tuple(d for d in (parse_date(v) for v in values) if d is not None)


def _from_properties(data: dict[str, Any], source: str) -> Entity:
    ftm_schema = data.get("schema")
    schema = FROM_FTM_SCHEMA.get(ftm_schema) if isinstance(ftm_schema, str) else None
    if schema is None:
        raise ValueError(f"FtM schema {ftm_schema!r} is not a matchable entity type")
    entity_id = data.get("id")
    if not isinstance(entity_id, str) or not entity_id:
        raise ValueError("FtM entity has no id")
    props = data.get("properties") or {}
    if not isinstance(props, dict):
        raise ValueError(f"{entity_id}: properties is not an object")
    # Our own exports prefix the id with the source; strip it so plain ids come back unchanged.
    prefix = slug(source) + "-"
    source_id = entity_id[len(prefix):] if entity_id.startswith(prefix) else entity_id

    is_person = ftm_schema == "Person"
    identifiers = []
    for prop in props:  # in the file's order, which is the order we exported them in
        scheme = _id_scheme(ftm_schema, prop) if prop in SCHEMA_PROPS[ftm_schema] else None
        if scheme is not None:
            identifiers += [Identifier(scheme, v) for v in _values(props, prop)]
    created = sorted(_values(props, "createdAt"))
    notes = _values(props, "notes")
    gender = _values(props, "gender") if is_person else []
    extra = {k: tuple(v) for k in sorted(_KEEP & props.keys()) if (v := _values(props, k))}
    if extra.get("topics") == _DEFAULT_TOPICS:
        del extra["topics"]
    # OpenSanctions' ids of the same party on other lists ("ofac-16418"): cross-references.
    referents = data.get("referents")
    if isinstance(referents, list) and referents:
        extra["referents"] = tuple(str(r) for r in referents if r)
    countries = [c.lower() for c in _values(props, "country", "jurisdiction", "mainCountry")]
    if ftm_schema == "Vessel":
        countries += [c.lower() for c in _values(props, "flag")]
    nationalities = (
        [c.lower() for c in _values(props, "nationality", "citizenship")] if is_person else []
    )
    return Entity(
        source=source,
        source_id=source_id,
        schema=schema,
        names=_names(data, props),
        birth_dates=_dates(_values(props, _date_prop(ftm_schema))),
        birth_places=tuple(_values(props, "birthPlace")) if is_person else (),
        nationalities=tuple(dict.fromkeys(nationalities)),
        countries=tuple(dict.fromkeys(countries)),
        addresses=tuple(Address(full=a) for a in _values(props, "address")),
        identifiers=tuple(identifiers),
        programs=tuple(_values(props, "program", "programId")),
        listed_on=created[0] if created else None,
        remarks="\n".join(notes) if notes else None,
        gender=gender[0] if gender else None,
        titles=tuple(_values(props, "title", "position")) if is_person else (),
        properties=extra,
    )


def from_ftm(data: dict[str, Any], source: str) -> Entity:
    """Read one FtM entity dict (ours or OpenSanctions') into an Entity of list `source`.

    Raises ValueError for non-matchable schemata (Address, Ownership, ...) or a malformed dict.
    """
    entity = _from_properties(data, source)
    extra = data.get(EXTRA_KEY)
    if not isinstance(extra, dict) or not extra:
        return entity
    merged = entity.to_dict()
    merged.update({k: v for k, v in extra.items() if k in merged and k != "source"})
    return Entity.from_dict(merged)


def _relation_id(entity: Entity, rel: Relation) -> str:
    key = "\x1f".join([entity.source, entity.source_id, rel.kind, rel.target_id or ""])
    return f"{slug(entity.source)}-rel-{hashlib.sha1(key.encode()).hexdigest()[:20]}"


def relation_entities(entity: Entity) -> list[dict[str, Any]]:
    """FtM link entities for the relations whose target is on the same list.

    Ownership kinds become `Ownership` (with the share as a percentage); anything else becomes
    `UnknownLink` with our kind as its role. Relations to unnamed-on-list targets are skipped:
    FtM links must point at entity ids.
    """
    this = ftm_id(entity.source, entity.source_id)
    out = []
    for rel in entity.relations:
        if not rel.target_id:
            continue
        target = ftm_id(entity.source, rel.target_id)
        props: dict[str, list[str]] = {}
        if rel.kind in ("owner", "vessel_owner", "subsidiary"):
            schema = "Ownership"
            owner, asset = (this, target) if rel.kind == "subsidiary" else (target, this)
            props = {"owner": [owner], "asset": [asset]}
            if rel.share is not None:
                props["percentage"] = [f"{rel.share * 100:g}"]
            _add(props, "role", [rel.note])
        else:
            schema = "UnknownLink"
            props = {"subject": [this], "object": [target], "role": [rel.kind]}
            _add(props, "description", [rel.note])
        out.append({
            "id": _relation_id(entity, rel),
            "schema": schema,
            "properties": props,
            "datasets": [entity.source],
            "referents": [],
        })
    return out


def iter_ftm(entities: Iterable[Entity]) -> Iterator[dict[str, Any]]:
    """Every entity followed by its link entities, ready to serialise."""
    for entity in entities:
        yield to_ftm(entity)
        yield from relation_entities(entity)


def write_ftm_lines(entities: Iterable[Entity], fh: IO[str] | IO[bytes]) -> int:
    """Write entities as FtM JSON lines (text or binary handle); returns the lines written."""
    count = 0
    for data in iter_ftm(entities):
        line = orjson.dumps(data) + b"\n"
        if isinstance(fh, io.TextIOBase):
            fh.write(line.decode("utf-8"))
        else:
            fh.write(line)  # type: ignore[arg-type]
        count += 1
    return count
