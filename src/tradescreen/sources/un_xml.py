"""Reader for the UN Security Council Consolidated List (scsanctions.un.org consolidated.xml).

One `<INDIVIDUAL>` or `<ENTITY>` per listing; the REFERENCE_NUMBER ("IRe.066") is the UN's own,
permanent id, so it is the source_id. The file carries its generation time as an attribute of the
root, which is the list's publication date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from tradescreen.model import Address, Entity, Identifier, Name, NameKind, PartialDate, Strength
from tradescreen.sources.base import ListRead, SourceError, sha256_file
from tradescreen.sources.xml_entities import expand_entities
from tradescreen.sources.xml_text import parse_xml
from tradescreen.values import country_code, has_legal_form, parse_date

SOURCE = "un_sc"
FORMAT = "un_xml"
TITLE = "UN Security Council Consolidated List"

# QUALITY of an alias: "Low" marks the UN's own low-quality a.k.a.s (often bare nicknames).
_WEAK_QUALITY = {"low"}
_PREVIOUS_QUALITY = {"f.k.a."}
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_REF_PREFIX = re.compile(r"^([A-Z]{2})[a-z]\.")


def _text(el: etree._Element | None) -> str | None:
    if el is None or el.text is None:
        return None
    value = el.text.strip()
    return value or None


def _child(el: etree._Element, tag: str) -> str | None:
    return _text(el.find(tag))


def _values(el: etree._Element, tag: str) -> list[str]:
    """Texts of <TAG><VALUE>..</VALUE></TAG> blocks, which the UN uses for repeated fields."""
    out: list[str] = []
    for block in el.findall(tag):
        out.extend(v for v in (_text(x) for x in block.findall("VALUE")) if v)
    return out


def _unique(items: list) -> tuple:
    return tuple(dict.fromkeys(items))


def _parse(path: Path) -> tuple[etree._Element, str, list[str]]:
    root, codec, warnings = parse_xml(path)
    if root.tag != "CONSOLIDATED_LIST":
        raise SourceError(
            f"{path.name}: root element is <{root.tag}>, not a UN <CONSOLIDATED_LIST>"
        )
    return root, codec, warnings


def _birth_date(el: etree._Element) -> PartialDate | None:
    kind = (_child(el, "TYPE_OF_DATE") or "").upper()
    date, year = _child(el, "DATE"), _child(el, "YEAR")
    start, end = _child(el, "FROM_YEAR"), _child(el, "TO_YEAR")
    note = _child(el, "NOTE")
    if kind == "BETWEEN" and start and end:
        # A range keeps its wording; iso is the earliest year and circa tells the matcher the
        # year is not exact.
        text = f"between {start} and {end}"
        return PartialDate(text=f"{text} ({note})" if note else text, iso=start, circa=True)
    value = date or year
    if value:
        circa = kind == "APPROXIMATELY"
        text = f"circa {value}" if circa else value
        parsed = parse_date(value)
        return PartialDate(
            text=f"{text} ({note})" if note else text,
            iso=parsed.iso if parsed else None,
            circa=circa,
        )
    if note:
        parsed = parse_date(note)
        if parsed is not None and kind == "APPROXIMATELY":
            return PartialDate(text=parsed.text, iso=parsed.iso, circa=True)
        return parsed
    return None


def _address(el: etree._Element) -> Address | None:
    street, city = _child(el, "STREET"), _child(el, "CITY")
    region, postal = _child(el, "STATE_PROVINCE"), _child(el, "ZIP_CODE")
    country = _child(el, "COUNTRY")
    parts = [p for p in (street, city, region, postal, country) if p]
    if not parts:
        return None
    return Address(
        full=", ".join(parts),
        street=street,
        city=city,
        region=region,
        postal_code=postal,
        country=country_code(country),
    )


def _document(el: etree._Element) -> Identifier | None:
    number = _child(el, "NUMBER")
    if not number:
        return None
    kind = " ".join(filter(None, (_child(el, "TYPE_OF_DOCUMENT"), _child(el, "TYPE_OF_DOCUMENT2"))))
    low = kind.lower()
    if "passport" in low or "pasaporte" in low:
        scheme = "passport"
    elif "ident" in low or " id" in f" {low}":
        scheme = "national_id"
    else:
        scheme = "other"
    issued = _child(el, "ISSUING_COUNTRY") or _child(el, "COUNTRY_OF_ISSUE")
    details = [
        " ".join(kind.split()) or None,
        f"issued {d}" if (d := _child(el, "DATE_OF_ISSUE")) else None,
        _child(el, "CITY_OF_ISSUE"),
        _child(el, "NOTE"),
    ]
    note = "; ".join(d for d in details if d)
    return Identifier(
        scheme=scheme, value=number, country=country_code(issued), note=note or None
    )


def _names(el: etree._Element, alias_tag: str) -> tuple[Name, ...]:
    names: list[Name] = []
    primary = " ".join(p for p in (_child(el, t) for t in _NAME_PARTS) if p)
    if primary:
        names.append(Name(primary))
    original = _child(el, "NAME_ORIGINAL_SCRIPT")
    if original:
        names.append(Name(original, kind="original"))
    for alias in el.findall(alias_tag):
        value = _child(alias, "ALIAS_NAME")
        if not value:
            continue
        quality = (_child(alias, "QUALITY") or "").lower()
        kind: NameKind = "previous" if quality in _PREVIOUS_QUALITY else "alias"
        strength: Strength = "weak" if quality in _WEAK_QUALITY else "strong"
        names.append(Name(value, kind=kind, strength=strength))
    return _unique(names)


def _entity(el: etree._Element, path: Path) -> Entity:
    person = el.tag == "INDIVIDUAL"
    ref = _child(el, "REFERENCE_NUMBER")
    if not ref:
        dataid = _child(el, "DATAID")
        raise SourceError(f"{path.name}: <{el.tag}> DATAID={dataid} has no REFERENCE_NUMBER")
    names = _names(el, "INDIVIDUAL_ALIAS" if person else "ENTITY_ALIAS")
    if not names:
        raise SourceError(f"{path.name}: {ref} has no name")
    schema = "Organization"
    if person:
        schema = "Person"
    elif has_legal_form(names[0].value):
        schema = "Company"

    prefix = "INDIVIDUAL" if person else "ENTITY"
    birth_dates = [d for d in map(_birth_date, el.findall(f"{prefix}_DATE_OF_BIRTH")) if d]
    birth_places: list[str] = []
    for pob in el.findall(f"{prefix}_PLACE_OF_BIRTH"):
        tags = ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY")
        place = ", ".join(p for p in (_child(pob, t) for t in tags) if p)
        if place:
            birth_places.append(place)
    # Alias blocks may carry the date and place of birth used under that alias.
    for alias in el.findall(f"{prefix}_ALIAS"):
        if (parsed := parse_date(_child(alias, "DATE_OF_BIRTH"))) is not None:
            birth_dates.append(parsed)
        alias_tags = ("CITY_OF_BIRTH", "COUNTRY_OF_BIRTH")
        place = ", ".join(p for p in (_child(alias, t) for t in alias_tags) if p)
        if place:
            birth_places.append(place)

    nationality_text = _values(el, "NATIONALITY")
    nationalities = [c for c in map(country_code, nationality_text) if c]
    addresses = [a for a in map(_address, el.findall(f"{prefix}_ADDRESS")) if a]
    identifiers = [i for i in map(_document, el.findall(f"{prefix}_DOCUMENT")) if i]

    programs: list[str] = []
    if list_type := _child(el, "UN_LIST_TYPE"):
        programs.append(list_type)
    if m := _REF_PREFIX.match(ref):
        programs.append(m.group(1))

    properties: dict[str, tuple[str, ...]] = {}
    if dataid := _child(el, "DATAID"):
        properties["dataid"] = (dataid,)
    if updated := _values(el, "LAST_DAY_UPDATED"):
        properties["last_updated"] = tuple(updated)
    unresolved = [n for n in nationality_text if country_code(n) is None]
    if unresolved:
        properties["nationality_text"] = tuple(unresolved)

    gender = _child(el, "GENDER")
    return Entity(
        source=SOURCE,
        source_id=ref,
        schema=schema,
        names=names,
        birth_dates=_unique(birth_dates),
        birth_places=_unique(birth_places),
        nationalities=_unique(nationalities),
        countries=_unique([a.country for a in addresses if a.country]),
        addresses=_unique(addresses),
        identifiers=_unique(identifiers),
        programs=_unique(programs),
        listed_on=_child(el, "LISTED_ON"),
        remarks=_child(el, "COMMENTS1"),
        gender=gender.lower() if gender else None,
        titles=_unique(_values(el, "TITLE") + _values(el, "DESIGNATION")),
        properties=properties,
    )


def read(paths: Sequence[Path]) -> ListRead:
    if len(paths) != 1:
        names = ", ".join(p.name for p in paths)
        raise SourceError(f"UN consolidated list is one XML file; got {len(paths)}: {names}")
    path = paths[0]
    root, codec, warnings = _parse(path)
    warnings += expand_entities(root, path.name)
    generated = root.get("dateGenerated") or ""
    published = generated[:10] if re.match(r"\d{4}-\d\d-\d\d", generated) else None
    entities = [_entity(el, path) for el in root.iter("INDIVIDUAL", "ENTITY")]
    return ListRead(
        source=SOURCE,
        format=FORMAT,
        published=published,
        files={path.name: sha256_file(path)},
        entities=entities,
        title=TITLE,
        warnings=warnings,
        stats={"encoding": {path.name: codec}},
    )
