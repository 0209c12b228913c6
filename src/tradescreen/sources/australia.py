"""Reader for Australia's DFAT Consolidated List (regulation8_consolidated.xlsx).

One spreadsheet row per *name*: a listing's primary name has a numeric reference ("7306") and each
further name a letter suffix ("7306a", "7306b", "1276c1"). Rows are grouped by that numeric base
into one entity whose source_id is the base. Cells are hand-typed, so types, name types and
committees carry stray case and whitespace, and dates come as Excel dates, bare years or text
("Approximately 1955- 1958", "a) 1 Jan. 1985 b) 1981").
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from tradescreen.model import Address, Entity, Identifier, Name, NameKind, PartialDate
from tradescreen.sources.base import ListRead, SourceError, sha256_file
from tradescreen.sources.limits import check_zip
from tradescreen.values import country_code, has_legal_form, parse_date

SOURCE = "au_dfat"
FORMAT = "au_dfat_xlsx"
TITLE = "Australia DFAT Consolidated List"
SHEET = "Sheet1"

REF, NAME, TYPE, NAME_TYPE = "Reference", "Name of Individual or Entity", "Type", "Name Type"
DOB, POB, CITIZENSHIP, ADDRESS = "Date of Birth", "Place of Birth", "Citizenship", "Address"
INFO, LISTING, COMMITTEES, CONTROL = (
    "Additional Information", "Listing Information", "Committees", "Control Date"
)
REQUIRED = (REF, NAME, TYPE, NAME_TYPE, COMMITTEES)

_BASE_REF = re.compile(r"^(\d+)")
_NAME_KINDS: dict[str, NameKind] = {
    "primary name": "primary",
    "aka": "alias",
    "original script": "original",
    "formerly known as": "previous",
    "previously listed as": "previous",
}
# Enumerations inside one cell: "a) ... b) ...", "; ", ">>" (DOBs), newlines.
_ENUM = re.compile(r"\s*(?:\b[a-z]\)|;|>>|\n|\balt DOB:)\s*")
_OR = re.compile(r"\s+or\s+", re.I)
_NONE = {"", "na", "n/a", "-", "unknown", "none"}
_IMO = re.compile(
    r"\bIMO\)?(?:\s+(?:Ship|Identification))?(?:\s+(?:[Nn]umber|[Nn]o\.?))?\s*:?\s*(\d{6,7})\b"
)
_PASSPORT = re.compile(r"[Pp]assport\b[^\d]{0,40}?\b([A-Z]{0,3}[-/]?\d[\dA-Z/-]{4,})")


def _clean(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _unique(items: list) -> tuple:
    return tuple(dict.fromkeys(items))


def _load(path: Path) -> tuple[list[str], list[tuple[Any, ...]]]:
    if path.stat().st_size == 0:
        raise SourceError(f"{path.name}: empty file")
    try:
        with zipfile.ZipFile(path) as zf:
            check_zip(zf, path.name)  # before openpyxl inflates any part
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
            first = next(sheet.iter_rows(max_row=1, values_only=True), ())
            header = [_clean(c) for c in first]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise SourceError(
                    f"{path.name}: sheet {sheet.title!r} is not the DFAT list; "
                    f"header lacks {', '.join(missing)}"
                )
            width = max(header.index(c) for c in header if c) + 1
            # Bounding the columns matters: the sheet declares ~250 mostly empty ones.
            data = list(sheet.iter_rows(min_row=2, max_col=width, values_only=True))
        finally:
            book.close()
    except (zipfile.BadZipFile, InvalidFileException) as exc:
        raise SourceError(f"{path.name}: not an xlsx workbook ({exc})") from exc
    except (KeyError, ValueError, OSError, EOFError, ParseError) as exc:
        # openpyxl's errors for a damaged workbook: missing parts, bad XML, truncated zip.
        raise SourceError(f"{path.name}: damaged xlsx workbook ({exc!r})") from exc
    return header[:width], data


def _cell_date(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return None


def _birth_dates(value: Any) -> list[PartialDate]:
    if value is None:
        return []
    if iso := _cell_date(value):
        return [PartialDate(text=iso, iso=iso)]
    if isinstance(value, int | float):
        year = str(int(value))
        return [PartialDate(text=year, iso=year)]
    out: list[PartialDate] = []
    for part in _ENUM.split(str(value)):
        for alt in _OR.split(part):
            alt = alt.strip(" ,.\u00a0")
            if alt.lower() not in _NONE and (parsed := parse_date(alt)) is not None:
                out.append(parsed)
    return out


def _parts(value: Any) -> list[str]:
    text = str(value) if value is not None else ""
    parts = (" ".join(p.split()).strip(" ,") for p in _ENUM.split(text))
    return [p for p in parts if p.lower() not in _NONE]


def _countries(value: Any) -> tuple[list[str], list[str]]:
    """ISO codes for a Citizenship cell, and the wording that named no country."""
    whole = _clean(value)
    if not whole or whole.lower() in _NONE:
        return [], []
    if code := country_code(whole):
        return [code], []
    codes, unknown = [], []
    for part in _parts(value):
        for piece in re.split(r"\s*(?:,|\band\b)\s*", part):
            if not piece:
                continue
            if code := country_code(piece):
                codes.append(code)
            else:
                unknown.append(piece)
    return codes, unknown


def _address(text: str) -> Address:
    # A trailing note ("Tripoli, Libya (as at Feb. 2014)") is not part of the country.
    bare = re.sub(r"\s*\([^()]*\)?$", "", text)
    country = country_code(bare.rsplit(",", 1)[-1])
    words = bare.replace(",", " ").split()
    # Some addresses have no commas ("... Udmurt Republic 426033 Russia"): try the last words.
    for n in (3, 2, 1):
        if country is None and len(words) > n:
            country = country_code(" ".join(words[-n:]))
    return Address(full=text, country=country or country_code(bare))


def _identifiers(info: str) -> list[Identifier]:
    note = "from Additional Information"
    found = [Identifier(scheme="imo", value=m, note=note) for m in _IMO.findall(info)]
    found += [Identifier(scheme="passport", value=m, note=note) for m in _PASSPORT.findall(info)]
    return found


def _schema(kind: str, primary: str) -> str:
    if kind == "individual":
        return "Person"
    if kind in {"vessel", "ship"}:
        return "Vessel"
    if kind == "entity":
        return "Company" if has_legal_form(primary) else "Organization"
    return "LegalEntity"


def _group(header: list[str], data: list[tuple[Any, ...]], path: Path) -> Iterator[
    tuple[str, list[dict[str, Any]]]
]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for number, row in enumerate(data, start=2):
        if all(v is None or _clean(v) == "" for v in row):
            continue  # the sheet ends in blank rows
        record = dict(zip(header, row, strict=False))
        ref = _clean(record.get(REF))
        m = _BASE_REF.match(ref)
        if not m:
            raise SourceError(f"{path.name}: row {number} has no numeric Reference ({ref!r})")
        if not _clean(record.get(NAME)):
            raise SourceError(f"{path.name}: row {number} (reference {ref}) has no name")
        groups.setdefault(m.group(1), []).append(record)
    yield from groups.items()


def _entity(base: str, rows: list[dict[str, Any]]) -> Entity:
    names: list[Name] = []
    for row in rows:
        label = _clean(row.get(NAME_TYPE)).lower()
        names.append(Name(_clean(row[NAME]), kind=_NAME_KINDS.get(label, "alias")))
    # The primary name leads even if a sheet were ever sorted differently.
    names.sort(key=lambda n: n.kind != "primary")
    if names[0].kind != "primary":
        names[0] = Name(names[0].value)

    kinds = [_clean(r.get(TYPE)).lower() for r in rows]
    kind = next((k for k in kinds if k), "")

    birth_dates: list[PartialDate] = []
    birth_places: list[str] = []
    nationalities: list[str] = []
    unknown_citizenship: list[str] = []
    addresses: list[Address] = []
    programs: list[str] = []
    remarks: list[str] = []
    listing: list[str] = []
    control: list[str] = []
    for row in rows:
        birth_dates += _birth_dates(row.get(DOB))
        birth_places += _parts(row.get(POB))
        codes, unknown = _countries(row.get(CITIZENSHIP))
        nationalities += codes
        unknown_citizenship += unknown
        addresses += [_address(a) for a in _parts(row.get(ADDRESS))]
        if committee := _clean(row.get(COMMITTEES)):
            programs.append(committee)
        if info := str(row.get(INFO) or "").strip():
            remarks.append(info)
        if value := row.get(LISTING):
            listing.append(_cell_date(value) or str(value).strip())
        if day := _cell_date(row.get(CONTROL)):
            control.append(day)

    listed_on = None
    for text in listing:
        parsed = parse_date(text)
        if parsed is not None and parsed.iso:
            listed_on = parsed.iso
            break

    properties: dict[str, tuple[str, ...]] = {
        "references": _unique([_clean(r[REF]) for r in rows]),
    }
    if listing:
        properties["listing_information"] = _unique(listing)
    if control:
        properties["control_date"] = (max(control),)
    if unknown_citizenship:
        properties["citizenship_text"] = _unique(unknown_citizenship)

    remark_text = "\n\n".join(_unique(remarks)) or None
    return Entity(
        source=SOURCE,
        source_id=base,
        schema=_schema(kind, names[0].value),
        names=_unique(names),
        birth_dates=_unique(birth_dates),
        birth_places=_unique(birth_places),
        nationalities=_unique(nationalities),
        countries=_unique([a.country for a in addresses if a.country]),
        addresses=_unique(addresses),
        identifiers=_unique(_identifiers(remark_text or "")),
        programs=_unique(programs),
        listed_on=listed_on,
        remarks=remark_text,
        properties=properties,
    )


def read(paths: Sequence[Path]) -> ListRead:
    if len(paths) != 1:
        names = ", ".join(p.name for p in paths)
        raise SourceError(f"the DFAT list is one xlsx file; got {len(paths)}: {names}")
    path = paths[0]
    header, data = _load(path)
    entities = [_entity(base, rows) for base, rows in _group(header, data, path)]
    control = [d for e in entities for d in e.properties.get("control_date", ())]
    return ListRead(
        source=SOURCE,
        format=FORMAT,
        published=max(control) if control else None,
        files={path.name: sha256_file(path)},
        entities=entities,
        title=TITLE,
    )
