"""Reader for OFAC's Enhanced XML (SDN_ENHANCED / CONS_ENHANCED), zipped as OFAC ships it or bare.

The richest OFAC format: names come with every script OFAC has (Cyrillic, Arabic, Chinese ...)
as translations, birth dates as date ranges with an "approximate" flag, and relationships carry
the related entity's id. Features and identity documents use the same labels as the CSV remarks,
so they go through the shared vocabulary in `ofac_remarks`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from lxml import etree

from tradescreen.model import Address, Entity, Identifier, Name, NameKind, Relation, Strength
from tradescreen.sources.base import ListRead, SourceError, sha256_file
from tradescreen.sources.limits import check_zip
from tradescreen.sources.ofac_remarks import (
    Facts,
    add_country,
    add_fact,
    entity_schema,
    parse_remarks,
    to_country,
)
from tradescreen.sources.xml_text import XmlEncodingError, is_encoding_error, stream_xml

# OFAC script names -> ISO 15924 codes, stored as the name's `lang` hint.
_SCRIPTS = {
    "arabic": "Arab", "armenian": "Armn", "chinese simplified": "Hans",
    "chinese traditional": "Hant", "cyrillic": "Cyrl", "georgian": "Geor", "greek": "Grek",
    "hangul": "Hang", "hebrew": "Hebr", "japanese": "Jpan", "korean": "Kore", "latin": "Latn",
}
# OFAC relationship types, read from the entity that carries them, -> our relation kinds.
_RELATIONS = {
    "owned or controlled by": "owner",
    "owns, controls, or operates": "subsidiary",
    "associate of": "associate",
    "family member of": "family",
    "leader or official of": "member",
    "principal executive officer": "director",
    "playing a significant role in": "member",
    "acting for or on behalf of": "linked_to",
    "providing support to": "linked_to",
    "property in the interest of": "linked_to",
}


def read(paths: Sequence[Path]) -> ListRead:
    if len(paths) != 1:
        raise SourceError(
            f"OFAC Enhanced XML is one file; got {len(paths)}: "
            + ", ".join(p.name for p in paths)
        )
    path = paths[0]
    if path.suffix.lower() == ".zip":
        published, entities, inner, codec, warnings = _read_zip(path)
    else:
        inner = path.name
        (published, entities), codec, warnings = stream_xml(
            lambda: path.open("rb"), path.name,
            lambda fh, encoding: parse(fh, path.name, source_for(path.name), encoding),
        )
    source = source_for(inner)
    title = "OFAC SDN List" if source == "us_ofac_sdn" else "OFAC Consolidated (non-SDN) List"
    return ListRead(
        source=source,
        format="ofac_enhanced_xml",
        published=published,
        files={path.name: sha256_file(path)},
        entities=entities,
        title=f"{title} (Enhanced XML)",
        warnings=warnings,
        stats={"encoding": {path.name: codec}},
    )


def source_for(name: str) -> str:
    return "us_ofac_cons" if name.upper().startswith("CONS") else "us_ofac_sdn"


def _read_zip(path: Path) -> tuple[str | None, list[Entity], str, str, list[str]]:
    try:
        with zipfile.ZipFile(path) as zf:
            members = [n for n in zf.namelist() if n.lower().endswith(".xml")]
            if len(members) != 1:
                raise SourceError(
                    f"{path.name}: expected one .xml file in the zip, found "
                    f"{', '.join(members) or 'none'}"
                )
            inner = members[0]
            label = f"{path.name}:{inner}"
            check_zip(zf, path.name, [inner])
            source = source_for(Path(inner).name)
            (published, entities), codec, warnings = stream_xml(
                lambda: zf.open(inner), label,
                lambda fh, encoding: parse(fh, label, source, encoding),
            )
    except (zipfile.BadZipFile, EOFError) as exc:
        raise SourceError(f"{path.name}: not a readable zip file ({exc})") from exc
    except zipfile.LargeZipFile as exc:  # pragma: no cover - zip64 is supported by default
        raise SourceError(f"{path.name}: {exc}") from exc
    return published, entities, Path(inner).name, codec, warnings


def parse(
    fh: IO[bytes], name: str, source: str, encoding: str | None = None
) -> tuple[str | None, list[Entity]]:
    published: str | None = None
    entities: list[Entity] = []
    try:
        for elem in _iter_elements(fh, encoding):
            tag = etree.QName(elem).localname
            if tag == "dataAsOf" and elem.text:
                published = elem.text.strip()[:10]
            elif tag == "entity":
                entities.append(_entity(elem, source, name))
                elem.clear(keep_tail=True)
            elif tag == "referenceValue":
                elem.clear(keep_tail=True)
    except etree.XMLSyntaxError as exc:
        error = XmlEncodingError if is_encoding_error(exc) and encoding is None else SourceError
        raise error(f"{name}: malformed XML ({exc})") from exc
    except (zipfile.BadZipFile, EOFError, OSError) as exc:  # a damaged zip member's stream
        raise SourceError(f"{name}: cannot read ({exc})") from exc
    return published, entities


def _iter_elements(fh: IO[bytes], encoding: str | None = None) -> Iterator[etree._Element]:
    root_seen = False
    for event, elem in etree.iterparse(
        fh, events=("start", "end"), huge_tree=True, encoding=encoding
    ):
        if event == "start":
            if not root_seen:
                root_seen = True
                if etree.QName(elem).localname != "sanctionsData":
                    raise etree.XMLSyntaxError(
                        f"root element <{etree.QName(elem).localname}> is not sanctionsData",
                        None, elem.sourceline or 0, 0,
                    )
            continue
        yield elem


def _local(elem: etree._Element) -> str:
    return etree.QName(elem).localname if isinstance(elem.tag, str) else ""


def _kids(elem: etree._Element | None, tag: str) -> list[etree._Element]:
    if elem is None:
        return []
    return [c for c in elem if _local(c) == tag]


def _kid(elem: etree._Element | None, tag: str) -> etree._Element | None:
    found = _kids(elem, tag)
    return found[0] if found else None


def _text(elem: etree._Element | None, tag: str | None = None) -> str | None:
    node = _kid(elem, tag) if tag else elem
    if node is None or node.text is None:
        return None
    return " ".join(node.text.split()) or None


def _entity(elem: etree._Element, source: str, name: str) -> Entity:
    entity_id = elem.get("id")
    if not entity_id:
        raise SourceError(f"{name}: line {elem.sourceline}: <entity> without id")
    general = _kid(elem, "generalInfo")
    entity_type = _text(general, "entityType")
    remarks = _text(general, "remarks")
    facts = Facts(craft=(entity_type or "").lower() in ("vessel", "aircraft"))
    _names(facts, _kid(elem, "names"))
    if not facts.names:
        raise SourceError(f"{name}: line {elem.sourceline}: entity {entity_id} has no name")

    for address in _kids(_kid(elem, "addresses"), "address"):
        _address(facts, address)
    for feature in _kids(_kid(elem, "features"), "feature"):
        _feature(facts, feature)
    for doc in _kids(_kid(elem, "identityDocuments"), "identityDocument"):
        _document(facts, doc)
    for rel in _kids(_kid(elem, "relationships"), "relationship"):
        _relationship(facts, rel)

    lists = _kids(_kid(elem, "sanctionsLists"), "sanctionsList")
    for item in lists:
        facts.add_prop("sanctions_lists", _text(item))
    dates = sorted(d for d in (item.get("datePublished") for item in lists) if d)
    for item in _kids(_kid(elem, "sanctionsTypes"), "sanctionsType"):
        facts.add_prop("sanctions_types", _text(item))
    for item in _kids(_kid(elem, "legalAuthorities"), "legalAuthority"):
        facts.add_prop("legal_authorities", _text(item))
    programs = [
        p for p in (_text(x) for x in _kids(_kid(elem, "sanctionsPrograms"), "sanctionsProgram"))
        if p
    ]
    # Remarks here are free text; parsing them still catches any stray labelled fact.
    parse_remarks(remarks, facts)
    return facts.build(
        source=source,
        source_id=entity_id,
        schema=entity_schema(entity_type, facts),
        programs=programs,
        listed_on=dates[0][:10] if dates else None,  # first time OFAC published it on any list
        remarks=remarks,
    )


def _names(facts: Facts, names: etree._Element | None) -> None:
    for name in _kids(names, "name"):
        is_primary = _text(name, "isPrimary") == "true"
        strength: Strength = "weak" if _text(name, "isLowQuality") == "true" else "strong"
        alias_type = (_text(name, "aliasType") or "").lower()
        kind: NameKind = "primary" if is_primary else "alias"
        if alias_type == "f.k.a." and facts.craft:
            kind = "previous"  # a craft's former name
        for tr in _kids(_kid(name, "translations"), "translation"):
            value = _text(tr, "formattedFullName")
            if not value:
                continue
            script = (_text(tr, "script") or "").lower()
            lang = _SCRIPTS.get(script)
            if _text(tr, "isPrimary") == "true":
                facts.add_name(Name(value, kind=kind, strength=strength, lang=None))
            else:
                # The same name written in its own script (Cyrillic, Arabic, ...).
                facts.add_name(Name(value, kind="original", strength=strength, lang=lang))
    # Keep the primary name first whatever order the file used.
    facts.names.sort(key=lambda n: n.kind != "primary")


def _address(facts: Facts, address: etree._Element) -> None:
    country_text = _text(address, "country")
    parts: dict[str, list[str]] = {}
    tr = next(
        (t for t in _kids(_kid(address, "translations"), "translation")
         if _text(t, "isPrimary") == "true"),
        None,
    )
    for part in _kids(_kid(tr, "addressParts"), "addressPart"):
        kind, value = (_text(part, "type") or "").upper(), _text(part, "value")
        if value:
            parts.setdefault(kind, []).append(value)
    street = ", ".join(v for k in ("ADDRESS1", "ADDRESS2", "ADDRESS3") for v in parts.get(k, []))
    city = ", ".join(parts.get("CITY", [])) or None
    region = ", ".join(parts.get("STATE/PROVINCE", []) + parts.get("REGION", [])) or None
    postal = ", ".join(parts.get("POSTAL CODE", [])) or None
    full = ", ".join(p for p in (street, city, region, postal, country_text) if p)
    if not full:
        return
    facts.addresses.append(
        Address(
            full=full,
            street=street or None,
            city=city,
            region=region,
            postal_code=postal,
            country=add_country(facts, country_text),
        )
    )


def _feature(facts: Facts, feature: etree._Element) -> None:
    label, value = _text(feature, "type"), _text(feature, "value")
    if not label or not value:
        return
    valuedate = _kid(feature, "valueDate")
    circa = _text(valuedate, "isApproximate") == "true"
    if not add_fact(facts, label, value, circa=circa):
        facts.add_prop("features", f"{label.rstrip(':')}: {value}")


def _document(facts: Facts, doc: etree._Element) -> None:
    label, number = _text(doc, "type"), _text(doc, "documentNumber")
    if not label or not number:
        return
    note_parts = []
    for tag, prefix in (("issuingAuthority", "issued by"), ("issuingLocation", "issued in"),
                        ("issueDate", "issued"), ("expirationDate", "expires")):
        if text := _text(doc, tag):
            note_parts.append(f"{prefix} {text}")
    if _text(doc, "isValid") == "false":
        note_parts.append("not valid")
    note = "; ".join(note_parts) or None
    country = _text(doc, "issuingCountry")
    if not add_fact(facts, label, number, country, note=note):
        facts.add_identifier(
            Identifier(scheme="other", value=number, country=to_country(country), note=label)
        )


def _relationship(facts: Facts, rel: etree._Element) -> None:
    related = _kid(rel, "relatedEntity")
    target = _text(related)
    if not target:
        return
    kind_text = _text(rel, "type") or ""
    facts.relations.append(
        Relation(
            kind=_RELATIONS.get(kind_text.lower(), "linked_to"),
            target_name=target,
            target_id=related.get("entityId") if related is not None else None,
            note=kind_text or None,
        )
    )
