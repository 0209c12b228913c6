"""Reader for OFAC's classic XML (`sdnList` schema: SDN.XML and consolidated.xml).

The same schema carries the SDN list and the consolidated non-SDN list and nothing inside says
which one a file is, so the source comes from the file name (OFAC publishes them as sdn.xml and
consolidated.xml). Entries are streamed with iterparse so the 100 MB SDN.XML stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO

from lxml import etree

from tradescreen.model import Address, Entity, Identifier, Name, NameKind, Relation, Strength
from tradescreen.sources.base import ListRead, SourceError, sha256_file
from tradescreen.sources.ofac_remarks import (
    Facts,
    add_country,
    add_fact,
    entity_schema,
    parse_remarks,
    to_country,
)
from tradescreen.sources.xml_text import XmlEncodingError, is_encoding_error, stream_xml
from tradescreen.values import parse_date


def read(paths: Sequence[Path]) -> ListRead:
    if len(paths) != 1:
        raise SourceError(
            f"OFAC XML is one file; got {len(paths)}: {', '.join(p.name for p in paths)}"
        )
    path = paths[0]
    source = source_for(path.name)
    (published, entities), codec, warnings = stream_xml(
        lambda: path.open("rb"), path.name,
        lambda fh, encoding: parse(fh, path.name, source, encoding),
    )
    title = "OFAC SDN List" if source == "us_ofac_sdn" else "OFAC Consolidated (non-SDN) List"
    return ListRead(
        source=source,
        format="ofac_xml",
        published=published,
        files={path.name: sha256_file(path)},
        entities=entities,
        title=f"{title} (XML)",
        warnings=warnings,
        stats={"encoding": {path.name: codec}},
    )


def source_for(name: str) -> str:
    return "us_ofac_cons" if "cons" in name.lower() else "us_ofac_sdn"


def parse(
    fh: IO[bytes], name: str, source: str, encoding: str | None = None
) -> tuple[str | None, list[Entity]]:
    published: str | None = None
    record_count: int | None = None
    entities: list[Entity] = []
    try:
        for elem in _iter_elements(fh, encoding):
            tag = etree.QName(elem).localname
            if tag == "Publish_Date":
                published = _us_date(elem.text, name)
            elif tag == "Record_Count" and (elem.text or "").strip().isdigit():
                record_count = int((elem.text or "").strip())
            elif tag == "sdnEntry":
                entities.append(_entry(elem, source, name))
                elem.clear(keep_tail=True)
    except etree.XMLSyntaxError as exc:
        error = XmlEncodingError if is_encoding_error(exc) and encoding is None else SourceError
        raise error(f"{name}: malformed XML ({exc})") from exc
    if record_count is not None and record_count != len(entities):
        raise SourceError(
            f"{name}: file says Record_Count {record_count} but holds {len(entities)} entries"
            " (truncated or edited file)"
        )
    return published, entities


def _iter_elements(fh: IO[bytes], encoding: str | None = None) -> Iterator[etree._Element]:
    root_seen = False
    for event, elem in etree.iterparse(
        fh, events=("start", "end"), huge_tree=True, encoding=encoding
    ):
        if event == "start":
            if not root_seen:
                root_seen = True
                if etree.QName(elem).localname != "sdnList":
                    raise etree.XMLSyntaxError(
                        f"root element <{etree.QName(elem).localname}> is not sdnList",
                        None, elem.sourceline or 0, 0,
                    )
            continue
        yield elem


def _us_date(text: str | None, name: str) -> str | None:
    if not text or not text.strip():
        return None
    try:
        return datetime.strptime(text.strip(), "%m/%d/%Y").date().isoformat()
    except ValueError as exc:
        raise SourceError(f"{name}: Publish_Date {text!r} is not MM/DD/YYYY") from exc


def _children(elem: etree._Element) -> dict[str, str]:
    """Leaf children of `elem` as local name -> stripped text."""
    out: dict[str, str] = {}
    for child in elem:
        if isinstance(child.tag, str) and len(child) == 0 and child.text and child.text.strip():
            out[etree.QName(child).localname] = " ".join(child.text.split())
    return out


def _find_all(elem: etree._Element, *path: str) -> list[etree._Element]:
    found = [elem]
    for step in path:
        found = [c for e in found for c in e if etree.QName(c).localname == step]
    return found


def _full_name(fields: dict[str, str]) -> str:
    last, first = fields.get("lastName", ""), fields.get("firstName", "")
    # The CSV writes individuals as "LAST, First": keep the same shape so both formats agree.
    return f"{last}, {first}" if last and first else last or first


def _entry(elem: etree._Element, source: str, name: str) -> Entity:
    fields = _children(elem)
    uid = fields.get("uid")
    if not uid:
        raise SourceError(f"{name}: line {elem.sourceline}: sdnEntry without uid")
    primary = _full_name(fields)
    if not primary:
        raise SourceError(f"{name}: line {elem.sourceline}: sdnEntry {uid} has no name")
    sdn_type = fields.get("sdnType", "")
    facts = Facts(craft=sdn_type.lower() in ("vessel", "aircraft"))
    facts.add_name(Name(primary))
    if "title" in fields:
        facts.titles.append(fields["title"])

    for aka in _find_all(elem, "akaList", "aka"):
        a = _children(aka)
        value = _full_name(a)
        if not value:
            continue
        strength: Strength = "weak" if a.get("category", "").lower() == "weak" else "strong"
        kind: NameKind = "alias"
        if a.get("type", "").lower() == "f.k.a." and facts.craft:
            kind = "previous"  # a craft's former name
        facts.add_name(Name(value, kind=kind, strength=strength))

    for vessel in _find_all(elem, "vesselInfo"):
        _vessel(facts, _children(vessel))

    for item in _find_all(elem, "idList", "id"):
        i = _children(item)
        if not i.get("idType") or not i.get("idNumber"):
            continue
        extra = "; ".join(
            f"{label} {i[key]}"
            for key, label in (("issueDate", "issued"), ("expirationDate", "expires"))
            if key in i
        )
        if not add_fact(facts, i["idType"], i["idNumber"], i.get("idCountry"), note=extra or None):
            facts.add_identifier(
                Identifier(
                    scheme="other",
                    value=i["idNumber"],
                    country=to_country(i.get("idCountry")),
                    note=i["idType"],
                )
            )

    for item in _find_all(elem, "dateOfBirthList", "dateOfBirthItem"):
        date = parse_date(_children(item).get("dateOfBirth"))
        if date is not None and date not in facts.birth_dates:
            facts.birth_dates.append(date)
    for item in _find_all(elem, "placeOfBirthList", "placeOfBirthItem"):
        if place := _children(item).get("placeOfBirth"):
            add_fact(facts, "POB", place)
    for item in _find_all(elem, "nationalityList", "nationality"):
        add_fact(facts, "nationality", _children(item).get("country", ""))
    for item in _find_all(elem, "citizenshipList", "citizenship"):
        add_fact(facts, "citizen", _children(item).get("country", ""))
    for item in _find_all(elem, "addressList", "address"):
        _address(facts, _children(item))

    programs = [
        " ".join(p.text.split()) for p in _find_all(elem, "programList", "program") if p.text
    ]
    remarks = fields.get("remarks")
    # Remarks hold what idList cannot: "(Linked To: X)", and older entries' free-text facts.
    parse_remarks(remarks, facts)
    return facts.build(
        source=source,
        source_id=uid,
        schema=entity_schema(sdn_type, facts),
        programs=programs,
        remarks=remarks,
    )


def _vessel(facts: Facts, v: dict[str, str]) -> None:
    if call_sign := v.get("callSign"):
        facts.add_identifier(Identifier(scheme="call_sign", value=call_sign, note="Call Sign"))
    facts.add_prop("vessel_type", v.get("vesselType"))
    facts.add_prop("tonnage", v.get("tonnage"))
    facts.add_prop("gross_registered_tonnage", v.get("grossRegisteredTonnage"))
    if flag := v.get("vesselFlag"):
        facts.add_prop("flag", add_country(facts, flag) or flag)
    if owner := v.get("vesselOwner"):
        facts.add_prop("vessel_owner", owner)
        facts.relations.append(Relation(kind="vessel_owner", target_name=owner))


def _address(facts: Facts, a: dict[str, str]) -> None:
    street = ", ".join(a[k] for k in ("address1", "address2", "address3") if k in a) or None
    parts = [street, a.get("city"), a.get("stateOrProvince"), a.get("postalCode"), a.get("country")]
    full = ", ".join(p for p in parts if p)
    if not full:
        return
    facts.addresses.append(
        Address(
            full=full,
            street=street,
            city=a.get("city"),
            region=a.get("stateOrProvince"),
            postal_code=a.get("postalCode"),
            country=add_country(facts, a.get("country")),
        )
    )

