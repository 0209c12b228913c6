"""Reader for Canada's Consolidated Autonomous Sanctions List (SEMA / JVCFOA, sema-lmes.xml).

Flat `<record>`s under `<data-set>`. Two schemas are in circulation: the current one
(`<EntityOrShip>`, `<TitleOrShip>`, `<ShipIMONumber>`, `<DateOfListing>`) and the pre-2021 one
(`<Entity>`, `<Title>`, `<DateOfBirth>`, no listing date). Records carry no id of their own; the
regime (`<Country>`), schedule and item number together are unique and stable, so they form the
source_id. The file states no publication date; the newest listing date is the best evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from tradescreen.model import Entity, Identifier, Name, NameKind, PartialDate, Strength
from tradescreen.sources.base import ListRead, SourceError, sha256_file
from tradescreen.sources.duplicates import merge_repeats
from tradescreen.sources.xml_entities import expand_entities
from tradescreen.sources.xml_text import parse_xml
from tradescreen.values import has_legal_form, is_latin, parse_date

SOURCE = "ca_sema"
FORMAT = "ca_sema_xml"
TITLE = "Canada Consolidated Autonomous Sanctions List"

# Aliases are free text. Separators seen in the real file: ";", ",", " / ", " or ", newlines and
# language labels ("Belarusian: ...", "Russian: ...").
_LANG_LABEL = re.compile(
    r"\(?\b(Belarusian|Belarussian|Russian|Ukrainian|Arabic|Persian|Farsi|Hebrew|Chinese|Korean)"
    r"\s*:\s*"
)
_LANG_CODES = {
    "belarusian": "be", "belarussian": "be", "russian": "ru", "ukrainian": "uk", "arabic": "ar",
    "persian": "fa", "farsi": "fa", "hebrew": "he", "chinese": "zh", "korean": "ko",
}
_SLASH = re.compile(r"\s+/\s*|\s*/\s+")  # "A / B", "A/ B", "A /B"; never "A/S" or "GORT/ORTAS"
_OR = re.compile(r"\s+or\s+", re.I)
# A comma followed by one of these is part of the name ("Море Река Сервис, ООО"), not a separator.
_TRAILING_FORMS = {
    "ао", "ооо", "оао", "зао", "пао", "фгуп", "jsc", "llc", "ltd", "ltd.", "inc", "inc.", "fsue",
    "ojsc", "pjsc", "cjsc", "co.", "s.a.", "gmbh", "limited",
}


def _text(el: etree._Element | None) -> str | None:
    if el is None or el.text is None:
        return None
    value = " ".join(el.text.split())
    return value or None


def _unique(items: list) -> tuple:
    return tuple(dict.fromkeys(items))


def _parse(path: Path) -> tuple[etree._Element, str, list[str]]:
    root, codec, warnings = parse_xml(path)
    if root.tag != "data-set":
        raise SourceError(f"{path.name}: root element is <{root.tag}>, not a SEMA <data-set>")
    return root, codec, warnings


def _script_change(before: str, after: str) -> bool:
    prev = next((c for c in reversed(before) if c.isalpha()), "")
    nxt = next((c for c in after if c.isalpha()), "")
    return bool(prev and nxt) and is_latin(prev) != is_latin(nxt)


def _join_lines(raw: str) -> str:
    """Newlines are line wraps, except where the script changes: then they separate two names."""
    lines = raw.split("\n")
    out = lines[0]
    for line in lines[1:]:
        out += ("; " if _script_change(out, line) else " ") + line
    return out


def _split_commas(part: str) -> list[str]:
    pieces = [p.strip() for p in part.split(",")]
    # A piece starting in lower case continues a phrase ("Министерство образования, науки и
    # молодежи ..."), so the commas belong to one name.
    if any(p and p[0].islower() for p in pieces[1:]):
        return [part]
    out: list[str] = []
    for piece in pieces:
        if out and piece.lower() in _TRAILING_FORMS:
            out[-1] = f"{out[-1]}, {piece}"
        elif piece:
            out.append(piece)
    return out


def split_aliases(raw: str) -> list[tuple[str, str | None]]:
    """Split an <Aliases> cell into (name, language code or None), in the list's order."""
    out: list[tuple[str, str | None]] = []
    for chunk in _join_lines(raw).split(";"):
        # Each language label starts a new segment and tags the names that follow it.
        pieces = _LANG_LABEL.split(chunk)
        segments: list[tuple[str, str | None]] = [(pieces[0], None)]
        segments += [
            (pieces[i + 1], _LANG_CODES[pieces[i].lower()]) for i in range(1, len(pieces), 2)
        ]
        for segment, lang in segments:
            for part in _split_commas(segment):
                for name in (n for s in _SLASH.split(part) for n in _OR.split(s)):
                    name = " ".join(name.split()).strip(" ,")
                    if name.startswith("(") and name.endswith(")"):
                        name = name[1:-1].strip()
                    # Brackets orphaned by a split ("банк) (Russian: ...") are not the name's.
                    if name.endswith(")") and "(" not in name:
                        name = name[:-1].rstrip()
                    if name.startswith("(") and ")" not in name:
                        name = name[1:].lstrip()
                    if name:
                        out.append((name, lang))
    return out


def _program(regime: str) -> str:
    english = regime.split(" / ")[0].strip()
    if m := re.search(r"\(([A-Z]{3,})\)$", english):
        return f"CA-{m.group(1)}"  # e.g. the JVCFOA regulations: "CA-JVCFOR"
    return f"CA-SEMA-{english}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-")


def _record_id(regime: str, schedule: str | None, item: str | None) -> str:
    english = regime.split(" / ")[0].strip()
    m = re.search(r"\(([A-Z]{3,})\)$", english)
    parts = [_slug(m.group(1) if m else english)]
    sched = re.sub(r"[\s,]+", "", (schedule or "").lower()).replace("part", "p")
    if sched and sched != "n/a":
        parts.append(f"s{sched}")
    parts.append(_slug(item or ""))
    return "-".join(p for p in parts if p)


def _dates(raw: str | None) -> list[PartialDate]:
    if not raw:
        return []
    # "1963 or 1964", "1965-07-15 OR 1969-09-28": alternatives, each its own date.
    return [d for d in map(parse_date, _OR.split(raw)) if d]


def _entity(rec: etree._Element, path: Path, index: int) -> Entity:
    def field(*tags: str) -> str | None:
        for tag in tags:
            if (value := _text(rec.find(tag))) is not None:
                return value
        return None

    regime = field("Country")
    if not regime:
        raise SourceError(f"{path.name}: record {index} has no <Country> (regime)")
    given, last = field("GivenName"), field("LastName")
    org_name = field("EntityOrShip", "Entity")
    imo = field("ShipIMONumber")
    title = field("TitleOrShip", "Title")
    born = field("DateOfBirthOrShipBuildDate", "DateOfBirth")
    properties: dict[str, tuple[str, ...]] = {"regime": (regime,)}

    if given or last:
        schema = "Person"
        primary = " ".join(p for p in (given, last) if p)
    elif org_name:
        primary = org_name
        schema = "Vessel" if imo else "Company" if has_legal_form(org_name) else "Organization"
    else:
        raise SourceError(f"{path.name}: record {index} ({regime}) has no name")

    names = [Name(primary)]
    # The raw text, not field(): its newlines tell line wraps from name breaks.
    for value, lang in split_aliases(rec.findtext("Aliases") or ""):
        kind: NameKind = "alias" if is_latin(value) else "original"
        # A lone given name or surname is a partial alias: matchable, but weak evidence.
        strength: Strength = "weak" if schema == "Person" and " " not in value else "strong"
        names.append(Name(value, kind=kind, strength=strength, lang=lang))

    identifiers: list[Identifier] = []
    titles: list[str] = []
    birth_dates: list[PartialDate] = []
    if schema == "Vessel":
        identifiers.append(Identifier(scheme="imo", value=imo or ""))
        if title:
            properties["vessel_type"] = (title,)
        if born:
            properties["build_date"] = (born,)
    else:
        titles += [title] if title else []
        birth_dates = _dates(born)

    schedule, item = field("Schedule"), field("Item")
    for key, cell in (("schedule", schedule), ("item", item)):
        if cell:
            properties[key] = (cell,)
    return Entity(
        source=SOURCE,
        source_id=_record_id(regime, schedule, item or str(index)),
        schema=schema,
        names=_unique(names),
        birth_dates=_unique(birth_dates),
        identifiers=tuple(identifiers),
        programs=(_program(regime),),
        listed_on=field("DateOfListing"),
        titles=tuple(titles),
        properties=properties,
    )


def read(paths: Sequence[Path]) -> ListRead:
    if len(paths) != 1:
        names = ", ".join(p.name for p in paths)
        raise SourceError(
            f"a SEMA list is one XML file; got {len(paths)} ({names}); read them one at a time"
        )
    path = paths[0]
    root, codec, warnings = _parse(path)
    warnings += expand_entities(root, path.name)
    # Should the list ever repeat a regime/schedule/item, the records become one entity.
    entities, repeated = merge_repeats(
        (_entity(rec, path, index) for index, rec in enumerate(root.iter("record"), start=1)),
        path.name,
    )
    warnings += repeated
    listed = [e.listed_on for e in entities if e.listed_on]
    return ListRead(
        source=SOURCE,
        format=FORMAT,
        published=max(listed) if listed else None,
        files={path.name: sha256_file(path)},
        entities=entities,
        title=TITLE,
        warnings=warnings,
        stats={"encoding": {path.name: codec}},
    )
