"""Reader for the UK Sanctions List XML published by the FCDO (UK_Sanctions_List.xml).

Layout: `<Designations><DateGenerated>dd/mm/yyyy</DateGenerated><Designation>...` with element
text throughout: `<UniqueID>` (e.g. RUS0001), `<IndividualEntityShip>`, `<Names><Name>` with
`<Name1>`..`<Name6>` (Name6 is the surname or the whole entity name), `<NameType>` and
`<AliasStrength>`, `<NonLatinNames>`, `<RegimeName>`, `<DateDesignated>`, `<Addresses>`, and
type-specific `<IndividualDetails>` / `<EntityDetails>` / `<ShipDetails>` blocks.

The OFSI consolidated list (`ArrayOfFinancialSanctionsTarget`, one row per name) is a different
layout; it was superseded by this list and is refused with a clear message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from tradescreen.model import Address, Entity, Identifier, Name, PartialDate, Relation
from tradescreen.sources.base import ListRead, SourceError, sha256_file
from tradescreen.sources.xml_entities import expand_entities
from tradescreen.sources.xml_text import parse_xml
from tradescreen.values import country_code, parse_date

FORMAT = "uk_sanctions_xml"
SOURCE = "gb_fcdo"

_SCHEMAS = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
# NonLatinScriptLanguage values seen in the list -> ISO 639-1.
_LANGS = {
    "arabic": "ar", "belarusian": "be", "chinese": "zh", "farsi": "fa", "georgian": "ka",
    "korean": "ko", "pashto": "ps", "persian": "fa", "russian": "ru", "ukrainian": "uk",
    "burmese": "my", "hebrew": "he", "japanese": "ja",
}
# dd/mm/yyyy where day and month may be masked as "dd" / "mm" when unknown.
_DMY = re.compile(r"^(\d{1,2}|dd)/(\d{1,2}|mm)/(\d{4})$", re.I)
_IMO = re.compile(r"(\d{7})")


def _text(el: etree._Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path)
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None


def _all(el: etree._Element, path: str) -> list[str]:
    out: list[str] = []
    for node in el.iterfind(path):
        value = " ".join((node.text or "").split())
        if value and value not in out:
            out.append(value)
    return out


def _date(raw: str | None) -> PartialDate | None:
    if not raw:
        return None
    if m := _DMY.match(raw.strip()):
        day, month, year = m.groups()
        iso = year
        if month.isdigit():
            iso += f"-{int(month):02d}"
            if day.isdigit():
                iso += f"-{int(day):02d}"
        return PartialDate(text=raw.strip(), iso=iso)
    return parse_date(raw, day_first=True)


def _iso(raw: str | None) -> str | None:
    date = _date(raw)
    return date.iso if date else None


def _names(designation: etree._Element) -> list[Name]:
    names: list[Name] = []
    primary_seen = False
    for el in designation.iterfind("Names/Name"):
        parts = [_text(el, f"Name{i}") for i in range(1, 7)]
        whole = " ".join(p for p in parts if p)
        if not whole:
            continue
        name_type = (_text(el, "NameType") or "").lower()
        strength = "weak" if "low" in (_text(el, "AliasStrength") or "").lower() else "strong"
        if name_type == "primary name" and not primary_seen:
            names.insert(0, Name(whole, "primary", strength))
            primary_seen = True
        elif "previous" in name_type or "former" in name_type:
            names.append(Name(whole, "previous", strength))
        else:
            # Primary name variations are spellings of the primary name: strong aliases.
            names.append(Name(whole, "alias", strength))
    if names and not primary_seen:
        names[0] = Name(names[0].value, "primary", names[0].strength)
    for el in designation.iterfind("NonLatinNames/NonLatinName"):
        if value := _text(el, "NameNonLatinScript"):
            lang = _LANGS.get((_text(el, "NonLatinScriptLanguage") or "").lower())
            names.append(Name(value, "original", "strong", lang))
    return list(dict.fromkeys(names))


def _addresses(designation: etree._Element) -> list[Address]:
    out = []
    for el in designation.iterfind("Addresses/Address"):
        lines = [_text(el, f"AddressLine{i}") for i in range(1, 7)]
        postal, country = _text(el, "AddressPostalCode"), _text(el, "AddressCountry")
        full = ", ".join(p for p in [*lines, postal, country] if p)
        if not full:
            continue
        street = ", ".join(p for p in lines[:3] if p) or None
        out.append(Address(
            full=full,
            street=street,
            city=lines[5] or lines[3],
            region=lines[4],
            postal_code=postal,
            country=country_code(country),
        ))
    return out


def _contacts(designation: etree._Element) -> list[Identifier]:
    out = [Identifier("phone", v) for v in _all(designation, "PhoneNumbers/PhoneNumber")]
    for raw in _all(designation, "EmailAddresses/EmailAddress"):
        out += [Identifier("email", v) for v in re.split(r"[;\s]+", raw) if v]
    out += [Identifier("website", v) for v in _all(designation, "Websites/Website")]
    return out


def _designation(el: etree._Element, where: str) -> Entity:
    unique_id = _text(el, "UniqueID")
    if not unique_id:
        raise SourceError(f"{where}: Designation without UniqueID")
    kind = (_text(el, "IndividualEntityShip") or "").lower()
    schema = _SCHEMAS.get(kind)
    if schema is None:
        raise SourceError(f"{where}: {unique_id}: unknown IndividualEntityShip {kind!r}")
    names = _names(el)
    if not names:
        raise SourceError(f"{where}: {unique_id} has no name")

    birth_dates: list[PartialDate] = []
    birth_places: list[str] = []
    nationalities: list[str] = []
    countries: list[str] = []
    titles: list[str] = []
    genders: list[str] = []
    identifiers: list[Identifier] = []
    relations: list[Relation] = []
    properties: dict[str, tuple[str, ...]] = {}
    for person in el.iterfind("IndividualDetails/Individual"):
        birth_dates += [d for raw in _all(person, "DOBs/DOB") if (d := _date(raw))]
        for loc in person.iterfind("BirthDetails/Location"):
            place = ", ".join(p for p in (_text(loc, "TownOfBirth"), _text(loc, "CountryOfBirth"))
                              if p)
            if place:
                birth_places.append(place)
        nationalities += [c for n in _all(person, "Nationalities/Nationality")
                          if (c := country_code(n))]
        titles += _all(person, ".//Title") + _all(person, "Positions/Position")
        genders += _all(person, "Genders/Gender")
        for doc in person.iterfind("PassportDetails/Passport"):
            if number := _text(doc, "PassportNumber"):
                note = _text(doc, "PassportAdditionalInformation")
                identifiers.append(Identifier("passport", number, None, note))
        for doc in person.iterfind("NationalIdentifierDetails/NationalIdentifier"):
            if number := _text(doc, "NationalIdentifierNumber"):
                note = _text(doc, "NationalIdentifierAdditionalInformation")
                identifiers.append(Identifier("national_id", number, None, note))
    titles += [t for t in _all(el, "Titles/Title") if t not in titles]
    for entity in el.iterfind("EntityDetails/Entity"):
        identifiers += [
            Identifier("registration", v)
            for v in _all(entity, "BusinessRegistrationNumbers/BusinessRegistrationNumber")
        ]
        relations += [Relation("parent", v) for v in _all(entity, "ParentCompanies/ParentCompany")]
        relations += [Relation("subsidiary", v) for v in _all(entity, "Subsidiaries/Subsidiary")]
        if types := _all(entity, "TypeOfEntities/TypeOfEntity"):
            properties["entity_type"] = tuple(types)
    for ship in el.iterfind("ShipDetails/Ship"):
        for raw in _all(ship, "IMONumbers/IMONumber"):
            # Keep the 7 digits only: the list writes "9562233", "IMO9562233" or "IMO 9562233".
            m = _IMO.search(raw)
            identifiers.append(Identifier("imo", m.group(1) if m else raw))
        relations += [
            Relation("vessel_owner", v)
            for v in _all(ship, "CurrentOwnerOperators/CurrentOwnerOperator")
        ]
        flags = _all(ship, "CurrentBelievedFlagOfShips/CurrentBelievedFlagOfShip")
        countries += [c for f in flags if (c := country_code(f))]
        for key, path in (
            ("current_flag", "CurrentBelievedFlagOfShips/CurrentBelievedFlagOfShip"),
            ("previous_flags", "PreviousFlags/PreviousFlag"),
            ("vessel_type", "TypeOfShipDetails/TypeOfShip"),
            ("tonnage", "TonnageOfShipDetails/TonnageOfShip"),
            ("year_built", "YearsBuilt/YearBuilt"),
        ):
            if values := _all(ship, path):
                properties[key] = tuple(values)
    addresses = _addresses(el)
    countries += [a.country for a in addresses if a.country]
    identifiers += _contacts(el)

    for key, tag in (
        ("ofsi_group_id", "OFSIGroupID"),
        ("un_reference_number", "UNReferenceNumber"),
        ("designation_source", "DesignationSource"),
        ("statement_of_reasons", "UKStatementofReasons"),
    ):
        if value := _text(el, tag):
            properties[key] = (value,)
    if imposed := _text(el, "SanctionsImposed"):
        properties["sanctions_imposed"] = tuple(p.strip() for p in imposed.split("|") if p.strip())
    if updated := _iso(_text(el, "LastUpdated")):
        properties["last_updated"] = (updated,)

    return Entity(
        source=SOURCE,
        source_id=unique_id,
        schema=schema,
        names=tuple(names),
        birth_dates=tuple(dict.fromkeys(birth_dates)),
        birth_places=tuple(dict.fromkeys(birth_places)),
        nationalities=tuple(dict.fromkeys(nationalities)),
        countries=tuple(dict.fromkeys(countries)),
        addresses=tuple(dict.fromkeys(addresses)),
        identifiers=tuple(dict.fromkeys(identifiers)),
        programs=tuple(_all(el, "RegimeName")),
        listed_on=_iso(_text(el, "DateDesignated")),
        remarks="\n".join(_all(el, "OtherInformation")) or None,
        relations=tuple(dict.fromkeys(relations)),
        gender=genders[0].lower() if genders else None,
        titles=tuple(dict.fromkeys(titles)),
        properties=properties,
    )


def _parse(path: Path) -> tuple[etree._Element, str, list[str]]:
    root, codec, warnings = parse_xml(path, "not well-formed XML")
    tag = etree.QName(root).localname
    if tag == "ArrayOfFinancialSanctionsTarget":
        raise SourceError(
            f"{path.name}: OFSI consolidated list layout is not supported; "
            "use the FCDO UK Sanctions List XML (UK_Sanctions_List.xml)"
        )
    if tag != "Designations":
        raise SourceError(f"{path.name}: root element is <{tag}>, expected <Designations>")
    return root, codec, warnings


def read(paths: Sequence[Path]) -> ListRead:
    entities: list[Entity] = []
    generated: list[str] = []
    warnings: list[str] = []
    encodings: dict[str, str] = {}
    for path in paths:
        root, codec, read_warnings = _parse(path)
        encodings[path.name] = codec
        warnings += read_warnings + expand_entities(root, path.name)
        if stamp := _iso(_text(root, "DateGenerated")):
            generated.append(stamp)
        designations = list(root.iterfind("Designation"))
        if not designations:
            raise SourceError(f"{path.name}: UK Sanctions List holds no Designation")
        for index, el in enumerate(designations, 1):
            entities.append(_designation(el, f"{path.name}: designation {index}"))
    return ListRead(
        source=SOURCE,
        format=FORMAT,
        published=max(generated) if generated else None,
        files={p.name: sha256_file(p) for p in paths},
        entities=entities,
        title="UK Sanctions List (FCDO)",
        warnings=warnings,
        stats={"encoding": encodings},
    )
