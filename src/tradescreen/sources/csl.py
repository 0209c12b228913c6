"""Reader for the US Consolidated Screening List (trade.gov consolidated.csv, plain or gzipped).

One row per listing on one of eleven US lists; the `source` column names the sub-list. Treasury
rows reuse OFAC's entity number as `_id`, so an entity on both the SDN and, say, the SSI list has
two rows with the same `_id`: those non-SDN rows get the sub-list's code appended to stay unique.
A few rows are repeated outright: merged into one entity and reported. Multi-valued cells are
"; "-separated.
"""

from __future__ import annotations

import csv
import io
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tradescreen.model import Address, Entity, Identifier, Name, PartialDate, Relation
from tradescreen.sources.base import ListRead, SourceError, sha256_file
from tradescreen.sources.duplicates import merge_repeats
from tradescreen.sources.encoding import EncodingError
from tradescreen.sources.encoding import decode as decode_text
from tradescreen.sources.limits import open_gzip
from tradescreen.values import country_code, has_legal_form, parse_date

SOURCE = "us_csl"
FORMAT = "csl_csv"
TITLE = "US Consolidated Screening List"

REQUIRED = ("_id", "source", "type", "name", "alt_names", "programs", "addresses", "ids")
_SDN = "Specially Designated Nationals"
_SUB_LIST_CODE = re.compile(r"\(([^)]+)\)")
_LINKED_TO = re.compile(r"\(Linked To: ([^)]+)\)")
_SCHEMAS = {"individual": "Person", "vessel": "Vessel", "aircraft": "Aircraft"}
_PROPERTY_COLUMNS = (
    "federal_register_notice", "end_date", "standard_order", "license_requirement",
    "license_policy", "vessel_type", "gross_tonnage", "gross_registered_tonnage", "vessel_flag",
    "source_list_url", "source_information_url",
)


# --- the `ids` column -------------------------------------------------------------------------
# Each "; "-separated item is "[country, ][dates, ]value, kind": the kind comes last. Kinds that
# name a document become identifiers; the rest (gender, sanction notes, aircraft model) are facts.
_SCHEME_KINDS: dict[str, tuple[str, ...]] = {
    "passport": (
        "passport", "diplomatic passport", "stateless person passport",
        "british national overseas passport", "travel document number",
    ),
    "national_id": (
        "national id no.", "cedula no.", "identification number", "personal id card", "d.n.i.",
        "c.u.r.p.", "citizen's card number", "turkish identification number",
        "numero de identidad", "kenyan id no.", "tazkira national id card",
        "bosnian personal id no.", "cnp (personal numerical code)", "moroccan personal id no.",
        "c.u.i.", "c.u.i.p.", "uae identification", "national foreign id number",
        "refugee id card", "stateless person id card", "electoral registry no.",
        "credencial electoral", "i.f.e.", "ssn", "residency number", "n.i.e.",
        "romanian permanent resident",
    ),
    "tax": (
        "tax id no.", "r.f.c.", "rfc", "nit #", "ruc #", "v.a.t. number", "rif #", "us fein",
        "c.u.i.t.", "c.i.f.", "italian fiscal code", "fiscal code", "romanian tax registration",
        "paraguayan tax identification number", "rsin", "rtn",
        "numero unico de identificacao tributaria (nuit)",
    ),
    "registration": (
        "registration number", "registration id", "company number", "commercial registry number",
        "business registration number", "trade license no.", "matricula mercantil no",
        "folio mercantil no.", "unified social credit code (uscc)",
        "united social credit code certificate (usccc)", "public registration number",
        "c.r. no.", "business registration document #", "license", "legal entity number",
        "chamber of commerce number", "uk company number", "enterprise number",
        "certificate of incorporation number", "branch unit number", "le number",
        "business number", "file number", "government gazette number", "romanian c.r.",
        "central registration system number", "dubai chamber of commerce membership no.",
        "istanbul chamber of comm. no.", "msb registration number", "registered charity no.",
        "tourism license no.", "afghan money service provider license number",
    ),
    "bic": ("swift/bic",),
    "imo": ("vessel registration identification",),
    "mmsi": ("mmsi",),
    "aircraft_serial": (
        "aircraft manufacturer's serial number (msn)", "aircraft serial identification",
        "aircraft construction number (also called l/n or s/n or f/n)", "serial no.",
    ),
    "aircraft_tail": ("aircraft tail number", "previous aircraft tail number"),
    "duns": ("d-u-n-s number",),
    "email": ("email address",),
    "website": ("website",),
    "phone": ("phone number",),
    "call_sign": ("other vessel call sign",),
    "other": (
        "isin", "equity ticker", "micex code", "bik (ru)", "driver's license no.",
        "pilot license number", "birth certificate number", "immigration no.", "visanumberid",
        "sre permit no.", "cartilla de servicio militar nacional",
        "seafarer's identification document", "public security and immigration no.",
        "aircraft mode s transponder code",
    ),
}
_SCHEME_OF = {kind: scheme for scheme, kinds in _SCHEME_KINDS.items() for kind in kinds}
_ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")


@dataclass
class _Ids:
    identifiers: list[Identifier] = field(default_factory=list)
    established: list[PartialDate] = field(default_factory=list)
    gender: str | None = None
    properties: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _identifier(kind: str, scheme: str, body: str) -> Identifier | None:
    parts = [p.strip() for p in body.split(", ") if p.strip()]
    country = None
    if len(parts) > 1 and len(parts[0]) == 2 and parts[0].isalpha() and parts[0].isupper():
        country = parts.pop(0).lower()
    dates = [p for p in parts if _ISO_DATE.match(p)]
    value = ", ".join(p for p in parts if p not in dates)
    if scheme == "imo":
        value = value.removeprefix("IMO").strip()
    elif scheme == "tax" and country == "ru" and kind == "tax id no.":
        scheme = "inn"  # a Russian "Tax ID No." is the INN
    if not value:
        return None
    note_parts = [kind] if scheme == "other" or kind.startswith("previous") else []
    note_parts += [f"dates {' / '.join(dates)}"] if dates else []
    return Identifier(scheme=scheme, value=value, country=country,
                      note="; ".join(note_parts) or None)


def _parse_ids(cell: str) -> _Ids:
    out = _Ids()
    for item in _split(cell):
        body, sep, label = item.rpartition(", ")
        if not sep:
            body, label = item, "other"
        label = label.strip()
        kind = label.lower()
        if kind.startswith("digital currency address"):
            scheme: str | None = "other"
        else:
            scheme = _SCHEME_OF.get(kind)
        if scheme is not None:
            if (ident := _identifier(kind, scheme, body)) is not None:
                out.identifiers.append(ident)
        elif kind == "gender":
            out.gender = body.strip().lower() or None
        elif kind == "organization established date":
            if (date := parse_date(body)) is not None:
                out.established.append(date)
        else:
            key = _slug(label.rstrip(":- ")) or "other"
            out.properties[key] = out.properties.get(key, ()) + (body.strip(),)
    return out


def _split(cell: str | None) -> list[str]:
    return [p.strip() for p in (cell or "").split(";") if p.strip()]


def _unique(items: list) -> tuple:
    return tuple(dict.fromkeys(items))


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _gzip_mtime(path: Path) -> str | None:
    """The gzip header's modification time: when trade.gov wrote this file."""
    with path.open("rb") as fh:
        head = fh.read(10)
    if len(head) < 10 or head[:2] != b"\x1f\x8b":
        return None
    stamp = int.from_bytes(head[4:8], "little")
    return datetime.fromtimestamp(stamp, UTC).date().isoformat() if stamp else None


def _text(path: Path) -> tuple[str, str]:
    """The file's text and the encoding it was read in.

    trade.gov writes UTF-8, but a copy re-saved by a spreadsheet comes back as Windows-1252 or
    UTF-16: read in the encoding the bytes show (as the OFAC CSV is), never assumed.
    """
    if path.stat().st_size == 0:
        raise SourceError(f"{path.name}: empty file")
    try:
        if _is_gzip(path):
            with open_gzip(path) as fh:
                raw = fh.read()
        else:
            raw = path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceError(f"{path.name}: unreadable or truncated gzip ({exc})") from exc
    try:
        return decode_text(raw)
    except EncodingError as exc:
        raise SourceError(f"{path.name}: {exc}, not a CSL CSV") from None


def _rows(path: Path, text: str) -> Iterator[dict[str, str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header or not any(header):
            raise SourceError(f"{path.name}: empty file, no CSV header")
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise SourceError(f"{path.name}: not a CSL CSV; header lacks {', '.join(missing)}")
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise SourceError(
                    f"{path.name}: line {reader.line_num} has {len(row)} fields, "
                    f"expected {len(header)} (truncated or malformed file)"
                )
            yield dict(zip(header, row, strict=True))
    except csv.Error as exc:
        msg = f"{path.name}: malformed CSV near line {reader.line_num} ({exc})"
        raise SourceError(msg) from exc


def _sub_list_code(sub_list: str) -> str:
    m = _SUB_LIST_CODE.search(sub_list)
    code = m.group(1) if m else sub_list
    return code.removesuffix(" List").strip().replace(" ", "-")


def _source_id(row: dict[str, str]) -> str:
    row_id = row["_id"].strip()
    sub_list = row["source"]
    # Numeric ids on non-SDN Treasury lists are OFAC entity numbers shared with the SDN row.
    if row_id.isdigit() and not sub_list.startswith(_SDN):
        return f"{row_id}-{_sub_list_code(sub_list)}"
    return row_id


def _schema(kind: str, name: str) -> str:
    kind = kind.strip().lower()
    if kind in _SCHEMAS:
        return _SCHEMAS[kind]
    if has_legal_form(name):
        return "Company"
    # Untyped rows (BIS, State lists) mix people and firms, so only the supertype is safe.
    return "Organization" if kind == "entity" else "LegalEntity"


def _address(text: str) -> Address:
    head, _, last = text.rpartition(",")
    last = last.strip()
    if len(last) == 2 and last.isupper():
        country: str | None = last.lower()
    else:
        country = country_code(last) if head else country_code(text)
    return Address(full=text, country=country)


def _entity(row: dict[str, str], path: Path) -> Entity:
    name = row["name"].strip()
    source_id = _source_id(row)
    if not source_id or not name:
        raise SourceError(f"{path.name}: row with _id={row['_id']!r} lacks an id or a name")
    schema = _schema(row["type"], name)
    names = [Name(name)] + [Name(a, kind="alias") for a in _split(row["alt_names"])]

    ids = _parse_ids(row["ids"])
    identifiers: list[Identifier] = list(ids.identifiers)
    if call_sign := row.get("call_sign", "").strip():
        identifiers.append(Identifier(scheme="call_sign", value=call_sign))

    birth_dates = [d for d in map(parse_date, _split(row.get("dates_of_birth"))) if d]
    if schema != "Person":
        birth_dates += list(ids.established)
    nationalities = [
        c for c in map(country_code, _split(row.get("citizenships")) +
                       _split(row.get("nationalities"))) if c
    ]
    addresses = [_address(a) for a in _split(row["addresses"])]
    countries = [a.country for a in addresses if a.country]
    if flag := country_code(row.get("vessel_flag")):
        countries.append(flag)

    sub_list = row["source"].strip()
    properties: dict[str, tuple[str, ...]] = {"sub_list": (sub_list,)}
    if number := row.get("entity_number", "").strip():
        properties["entity_number"] = (number,)
    if row["_id"].strip() != source_id:
        properties["csl_id"] = (row["_id"].strip(),)
    for column in _PROPERTY_COLUMNS:
        if value := row.get(column, "").strip():
            properties[column] = (value,)
    for key, values in ids.properties.items():
        properties[key] = properties.get(key, ()) + values

    start = row.get("start_date", "").strip()
    # A few rows carry impossible years ("0097-06-30"); keep them as given but not as a date.
    listed_on = start if start[:2] in ("19", "20") else None
    if start and listed_on is None:
        properties["start_date"] = (start,)

    remarks = row.get("remarks", "").strip() or None
    relations = [Relation(kind="linked_to", target_name=t.strip())
                 for t in _LINKED_TO.findall(remarks or "")]
    if owner := row.get("vessel_owner", "").strip():
        relations.append(Relation(kind="vessel_owner", target_name=owner))

    return Entity(
        source=SOURCE,
        source_id=source_id,
        schema=schema,
        names=_unique(names),
        birth_dates=_unique(birth_dates),
        birth_places=_unique(_split(row.get("places_of_birth"))),
        nationalities=_unique(nationalities),
        countries=_unique(countries),
        addresses=_unique(addresses),
        identifiers=_unique(identifiers),
        programs=_unique([sub_list, *_split(row["programs"])]),
        listed_on=listed_on,
        remarks=remarks,
        relations=_unique(relations),
        gender=ids.gender,
        titles=_unique(_split(row.get("title"))),
        properties=properties,
    )


def read(paths: Sequence[Path]) -> ListRead:
    if len(paths) != 1:
        names = ", ".join(p.name for p in paths)
        raise SourceError(f"CSL is one CSV file; got {len(paths)}: {names}")
    path = paths[0]
    text, codec = _text(path)
    # The file repeats a few rows on the same sub-list (differing only in a URL): one entity each.
    entities, repeated = merge_repeats(
        (_entity(row, path) for row in _rows(path, text)), path.name
    )
    # Unicode is told apart for certain (a valid decode, a byte order mark); an 8-bit codec is
    # the fallback for bytes that are no Unicode, so the operator is told it was assumed.
    warnings = [] if codec.startswith("utf") else [
        f"{path.name}: not UTF-8 (as trade.gov writes it) nor any Unicode text: read as {codec}"
    ]
    warnings += repeated
    if not entities:
        raise SourceError(f"{path.name}: CSV has a header but no rows")
    listed = [e.listed_on for e in entities if e.listed_on]
    published = _gzip_mtime(path) or (max(listed) if listed else None)
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
