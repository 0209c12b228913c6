"""Reader for the EU Financial Sanctions Files (FSF) consolidated list XML.

Layout (namespace http://eu.europa.ec/fpi/fsd/export): `<export generationDate=...>` holding
`<sanctionEntity logicalId euReferenceNumber designationDate>` records. Everything is in
attributes: `<nameAlias wholeName nameLanguage strong ...>`, `<birthdate birthdate|year circa
yearRangeFrom ...>`, `<citizenship countryIso2Code>`, `<address ...>` with `<contactInfo>`,
`<identification identificationTypeCode number ...>`, `<regulation programme publicationDate>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from tradescreen.model import Address, Entity, Identifier, Name, PartialDate
from tradescreen.sources.base import ListRead, SourceError, sha256_file
from tradescreen.sources.xml_entities import expand_entities
from tradescreen.sources.xml_text import parse_xml
from tradescreen.values import country_code, parse_date

FORMAT = "eu_fsf_xml"
SOURCE = "eu_fsf"
NS = "http://eu.europa.ec/fpi/fsd/export"

_SCHEMAS = {"person": "Person", "enterprise": "Organization"}
_ID_SCHEMES = {
    "passport": "passport",
    "id": "national_id",
    "ssn": "national_id",
    "tin": "tax",
    "fiscalcode": "tax",
    "regnumber": "registration",
    "swiftbic": "bic",
    "imo": "imo",
}
_CONTACT_SCHEMES = {"PHONE": "phone", "FAX": "phone", "EMAIL": "email", "WEB": "website"}
_ID_FLAGS = ("diplomatic", "knownExpired", "knownFalse", "reportedLost", "revokedByIssuer")
_GENDERS = {"M": "male", "F": "female"}


def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"


def _attr(el: etree._Element, name: str) -> str | None:
    value = el.get(name)
    value = " ".join(value.split()) if value else None
    return value or None


def _country(el: etree._Element) -> str | None:
    code = _attr(el, "countryIso2Code")
    if code and code != "00":  # "00" is the file's "UNKNOWN"
        return code.lower()
    description = _attr(el, "countryDescription")
    return country_code(description) if description and description != "UNKNOWN" else None


def _texts(el: etree._Element, child: str) -> list[str]:
    return [t for node in el.iterfind(_tag(child)) if (t := " ".join((node.text or "").split()))]


def _names(entry: etree._Element, is_person: bool) -> tuple[list[Name], list[str], str | None]:
    names: list[Name] = []
    titles: list[str] = []
    gender = None
    primary_done = False
    aliases = list(entry.iterfind(_tag("nameAlias")))
    # The primary name is the first strong name without a language tag (the list's own version).
    for alias in aliases:
        whole = _attr(alias, "wholeName") or " ".join(
            v for k in ("firstName", "middleName", "lastName") if (v := _attr(alias, k))
        )
        if not whole:
            continue
        remark = " ".join(_texts(alias, "remark")).lower()
        weak = alias.get("strong") == "false" or "low quality" in remark
        lang = (_attr(alias, "nameLanguage") or "").lower() or None
        if not primary_done and not weak and lang is None:
            names.insert(0, Name(whole, "primary", "strong", None))
            primary_done = True
        else:
            names.append(Name(whole, "alias", "weak" if weak else "strong", lang))
        for key in ("title", "function") if is_person else ("title",):
            if (value := _attr(alias, key)) and value not in titles:
                titles.append(value)
        gender = gender or _GENDERS.get(_attr(alias, "gender") or "")
    if names and not primary_done:
        first = names[0]
        names[0] = Name(first.value, "primary", first.strength, first.lang)
    return names, titles, gender


def _birth(el: etree._Element) -> tuple[PartialDate | None, str | None]:
    circa = el.get("circa") == "true"
    full = _attr(el, "birthdate")
    year, month, day = _attr(el, "year"), _attr(el, "monthOfYear"), _attr(el, "dayOfMonth")
    low, high = _attr(el, "yearRangeFrom"), _attr(el, "yearRangeTo")
    if full:
        text = full
    elif year:
        text = year + (f"-{int(month):02d}" if month else "") + (
            f"-{int(day):02d}" if month and day else ""
        )
    elif low and high and low != high:
        text = f"{low} to {high}"
    else:
        text = low or high or ""
    date = parse_date(f"circa {text}" if circa and text else text)
    if date is not None and circa and not date.circa:
        date = PartialDate(date.text, date.iso, True)
    parts = [_attr(el, k) for k in ("place", "city", "region")]
    description = _attr(el, "countryDescription")
    parts.append(description if description != "UNKNOWN" else None)
    place = ", ".join(p for p in parts if p)
    return date, place or None


def _address(el: etree._Element) -> tuple[Address | None, list[Identifier]]:
    street, city, region = _attr(el, "street"), _attr(el, "city"), _attr(el, "region")
    zip_code, po_box, place = _attr(el, "zipCode"), _attr(el, "poBox"), _attr(el, "place")
    description = _attr(el, "countryDescription")
    parts = [street, po_box, place, zip_code, city, region]
    parts.append(description if description != "UNKNOWN" else None)
    full = ", ".join(p for p in parts if p)
    contacts = []
    for info in el.iterfind(_tag("contactInfo")):
        scheme = _CONTACT_SCHEMES.get((_attr(info, "key") or "").upper())
        value = _attr(info, "value")
        if scheme and value:
            contacts.append(Identifier(scheme, value))
    if not full:
        return None, contacts
    return Address(full, street, city, region, zip_code, _country(el)), contacts


def _identifiers(entry: etree._Element) -> list[Identifier]:
    out = []
    for el in entry.iterfind(_tag("identification")):
        code = (_attr(el, "identificationTypeCode") or "").lower()
        scheme = _ID_SCHEMES.get(code, "other")
        notes = [_attr(el, "identificationTypeDescription"), *_texts(el, "remark")]
        # Known-false or expired documents still identify the person; say so in the note.
        notes += [flag for flag in _ID_FLAGS if el.get(flag) == "true"]
        note = "; ".join(n for n in notes if n) or None
        for number in dict.fromkeys([_attr(el, "number"), _attr(el, "latinNumber")]):
            if number:
                out.append(Identifier(scheme, number, _country(el), note))
    return out


def _entity(entry: etree._Element, where: str) -> Entity:
    logical_id = _attr(entry, "logicalId")
    if not logical_id:
        raise SourceError(f"{where}: sanctionEntity without logicalId")
    subject = entry.find(_tag("subjectType"))
    code = _attr(subject, "code") if subject is not None else None
    schema = _SCHEMAS.get(code or "", "LegalEntity")
    is_person = schema == "Person"
    names, titles, gender = _names(entry, is_person)
    if not names:
        raise SourceError(f"{where}: sanctionEntity {logical_id} has no name")

    programs: list[str] = []
    published: list[str] = []
    regulations: list[str] = []
    for reg in entry.iterfind(_tag("regulation")):
        if (programme := _attr(reg, "programme")) and programme not in programs:
            programs.append(programme)
        if date := _attr(reg, "publicationDate"):
            published.append(date)
        if (title := _attr(reg, "numberTitle")) and title not in regulations:
            regulations.append(title)

    birth_dates, birth_places, countries = [], [], []
    for el in entry.iterfind(_tag("birthdate")):
        date, place = _birth(el)
        if date:
            birth_dates.append(date)
        if place and place not in birth_places:
            birth_places.append(place)
        if country := _country(el):
            countries.append(country)
    nationalities = [c for el in entry.iterfind(_tag("citizenship")) if (c := _country(el))]
    addresses, identifiers = [], []
    for el in entry.iterfind(_tag("address")):
        address, contacts = _address(el)
        identifiers += contacts
        if address:
            addresses.append(address)
            if address.country:
                countries.append(address.country)
    identifiers = _identifiers(entry) + identifiers

    properties: dict[str, tuple[str, ...]] = {}
    for key, attr in (("eu_reference_number", "euReferenceNumber"), ("un_id", "unitedNationId"),
                      ("designation_details", "designationDetails")):
        if value := _attr(entry, attr):
            properties[key] = (value,)
    if regulations:
        properties["regulations"] = tuple(regulations)
    remarks = "\n".join(_texts(entry, "remark")) or None
    return Entity(
        source=SOURCE,
        source_id=logical_id,
        schema=schema,
        names=tuple(dict.fromkeys(names)),
        birth_dates=tuple(dict.fromkeys(birth_dates)),
        birth_places=tuple(birth_places),
        nationalities=tuple(dict.fromkeys(nationalities)),
        countries=tuple(dict.fromkeys(countries)),
        addresses=tuple(dict.fromkeys(addresses)),
        identifiers=tuple(dict.fromkeys(identifiers)),
        programs=tuple(programs),
        listed_on=_attr(entry, "designationDate") or (min(published) if published else None),
        remarks=remarks,
        gender=gender if is_person else None,
        titles=tuple(titles),
        properties=properties,
    )


def _parse(path: Path) -> tuple[etree._Element, str, list[str]]:
    root, codec, warnings = parse_xml(path, "not well-formed XML")
    if root.tag != _tag("export"):
        raise SourceError(
            f"{path.name}: root element is {root.tag!r}, expected EU FSF <export> in {NS}"
        )
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
        if stamp := _attr(root, "generationDate"):
            generated.append(stamp[:10])
        entries = list(root.iterfind(_tag("sanctionEntity")))
        if not entries:
            raise SourceError(f"{path.name}: EU FSF export holds no sanctionEntity")
        for index, entry in enumerate(entries, 1):
            entities.append(_entity(entry, f"{path.name}: entry {index}"))
    return ListRead(
        source=SOURCE,
        format=FORMAT,
        published=max(generated) if generated else None,
        files={p.name: sha256_file(p) for p in paths},
        entities=entities,
        title="EU Financial Sanctions Files (consolidated list)",
        warnings=warnings,
        stats={"encoding": encodings},
    )
