"""Reader for OFAC's legacy CSV set: sdn.csv (+ add, alt, sdn_comments) or cons_prim.csv (+ ...).

The files have no header, use `-0- ` for empty, CRLF line ends and a closing 0x1A byte. Every
file is checked completely (column counts, numeric ids, a proper ending) before any entity is
built, so a truncated or foreign file fails as a whole with its name and line.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from tradescreen.model import Address, Entity, Identifier, Name, NameKind, Relation
from tradescreen.sources.base import ListRead, SourceError, SupplementOnly, sha256_file
from tradescreen.sources.encoding import EncodingError
from tradescreen.sources.encoding import decode as decode_text
from tradescreen.sources.ofac_remarks import (
    REMARKS_LIMIT,
    Facts,
    add_country,
    entity_schema,
    parse_remarks,
    split_programs,
    to_country,
)

log = logging.getLogger(__name__)

EMPTY = "-0-"
# Control characters never occur in OFAC text; their presence means a binary or corrupted file.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# file role -> (sdn file name, consolidated file name, columns per row)
_ROLES: dict[str, tuple[str, str, int]] = {
    "primary": ("sdn.csv", "cons_prim.csv", 12),
    "address": ("add.csv", "cons_add.csv", 6),
    "alias": ("alt.csv", "cons_alt.csv", 5),
    "comments": ("sdn_comments.csv", "cons_comments.csv", 2),
}
_ALIAS_TYPES = {"aka": "a.k.a.", "fka": "f.k.a.", "nka": "n.k.a."}
# list id -> name of its primary file
PRIMARY_FILES: dict[str, str] = {"us_ofac_sdn": "sdn.csv", "us_ofac_cons": "cons_prim.csv"}


def read(paths: Sequence[Path]) -> ListRead:
    return read_with_orphans(paths)[0]


def read_with_orphans(paths: Sequence[Path]) -> tuple[ListRead, dict[str, int]]:
    """Read the set; also count, per supplementary file name, ent_nums with no primary record.

    The counts matter when add/alt come from a newer download than the primary file: the
    importer reports them, since those rows are dropped.
    """
    files, source = _assign_roles(paths)
    # The end-of-file byte is required where OFAC always writes it; sdn_comments.csv of 2021
    # was published without one.
    read_rows = {
        role: _read_rows(path, _ROLES[role][2], eof_byte=role != "comments")
        for role, path in files.items()
    }
    rows = {role: found for role, (found, _codec) in read_rows.items()}
    encodings = {files[role].name: codec for role, (_rows, codec) in read_rows.items()}

    addresses: dict[str, list[list[str]]] = defaultdict(list)
    for row in rows.get("address", []):
        addresses[row[0]].append(row)
    aliases: dict[str, list[list[str]]] = defaultdict(list)
    for row in rows.get("alias", []):
        aliases[row[0]].append(row)
    overflow: dict[str, str] = defaultdict(str)
    for row in rows.get("comments", []):
        overflow[row[0]] += row[1] or ""

    entities = []
    seen: set[str] = set()
    for line, row in enumerate(rows["primary"], start=1):
        ent_num = row[0]
        if ent_num in seen:
            raise SourceError(f"{files['primary'].name}: line {line}: duplicate ent_num {ent_num}")
        seen.add(ent_num)
        entities.append(
            _entity(
                source, row, addresses.get(ent_num, []), aliases.get(ent_num, []),
                overflow.get(ent_num),
            )
        )

    orphans = {
        role: sum(1 for key in index if key not in seen)
        for role, index in (("address", addresses), ("alias", aliases), ("comments", overflow))
    }
    title = "OFAC SDN List" if source == "us_ofac_sdn" else "OFAC Consolidated (non-SDN) List"
    title += " (legacy CSV)"
    skipped = ", ".join(f"{n} {role}" for role, n in orphans.items() if n)
    if skipped:
        # Mixed snapshots (newer add/alt than sdn.csv) leave rows for records the primary file
        # does not have; they cannot be attached to anything, so they are reported and dropped.
        log.info("OFAC CSV: skipped rows without a primary record: %s", skipped)
        title += f"; skipped ent_nums without a primary record: {skipped}"
    read = ListRead(
        source=source,
        format="ofac_csv",
        published=None,  # the legacy CSV carries no publication date
        files={p.name: sha256_file(p) for p in files.values()},
        entities=entities,
        title=title,
        stats={"encoding": encodings},
    )
    return read, {files[role].name: n for role, n in orphans.items() if role in files}


def _assign_roles(paths: Sequence[Path]) -> tuple[dict[str, Path], str]:
    files: dict[str, Path] = {}
    kinds: set[str] = set()
    for path in paths:
        name = path.name.lower()
        for role, (sdn_name, cons_name, _) in _ROLES.items():
            if name in (sdn_name, cons_name):
                if role in files:
                    raise SourceError(
                        f"{path.name}: two {role} files given ({files[role].name} and {path.name})"
                    )
                files[role] = path
                kinds.add("sdn" if name == sdn_name else "cons")
                break
        else:
            raise SourceError(f"{path.name}: not part of an OFAC legacy CSV set")
    if len(kinds) > 1:
        raise SourceError("OFAC CSV set mixes SDN files and consolidated (cons_*) files")
    source = "us_ofac_sdn" if kinds == {"sdn"} else "us_ofac_cons"
    if "primary" not in files:
        raise SupplementOnly(
            f"OFAC CSV set without its primary file ({PRIMARY_FILES[source]}): "
            "addresses and aliases alone cannot be read",
            source=source,
            files=list(files.values()),
        )
    return files, source


def _decode(path: Path, raw: bytes, *, eof_byte: bool = True) -> tuple[str, str]:
    if not raw.strip(b"\x1a\r\n\t "):
        raise SourceError(f"{path.name}: file is empty")
    try:
        text, codec = decode_text(raw)
    except EncodingError as exc:
        raise SourceError(f"{path.name}: {exc}, not an OFAC CSV") from None
    if "\x00" in text:
        raise SourceError(f"{path.name}: holds NUL bytes: a binary file, not an OFAC CSV")
    body = text.rstrip("\r\n\t ")
    # OFAC closes each file with a DOS end-of-file byte: a file cut at a line end (a partial
    # download, a copy that stopped) parses as a shorter list, and only this byte tells.
    ended = body.endswith("\x1a")
    text = body.rstrip("\x1a") + text[len(body):] if ended else text
    if m := _CONTROL.search(text):
        line = text.count("\n", 0, m.start()) + 1
        raise SourceError(
            f"{path.name}: line {line}: control byte 0x{ord(m.group()):02x}: binary data, "
            "not an OFAC CSV"
        )
    if not text.endswith("\n"):
        raise SourceError(
            f"{path.name}: last record has no line end: the file is truncated"
        )
    if eof_byte and not ended:
        raise SourceError(
            f"{path.name}: no end-of-file byte (0x1A) after the last record: OFAC ends every "
            "file with one, so this copy is truncated (or was rewritten by another program)"
        )
    return text, codec


def _read_rows(path: Path, width: int, *, eof_byte: bool = True) -> tuple[list[list[str]], str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path.name}: cannot read ({exc})") from exc
    text, codec = _decode(path, raw, eof_byte=eof_byte)
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row in reader:
            if not row:
                continue
            if len(row) != width:
                raise SourceError(
                    f"{path.name}: line {reader.line_num}: {len(row)} columns, expected {width}"
                    " (not an OFAC file of this kind, or a damaged one)"
                )
            if not row[0].isdigit():
                raise SourceError(
                    f"{path.name}: line {reader.line_num}: ent_num {row[0][:40]!r} is not a number"
                )
            rows.append([_clean(cell) for cell in row])
    except csv.Error as exc:
        raise SourceError(f"{path.name}: line {reader.line_num}: {exc}") from exc
    return rows, codec


def _clean(cell: str) -> str:
    # Remarks are not stripped: a remark cut at the length limit may end (or its overflow row
    # begin) with the space between two words.
    return "" if cell.strip() == EMPTY else cell


def _entity(
    source: str,
    row: list[str],
    addresses: list[list[str]],
    aliases: list[list[str]],
    overflow: str | None,
) -> Entity:
    (ent_num, name, sdn_type, programs, title, call_sign, vess_type, tonnage, grt, vess_flag,
     vess_owner) = (cell.strip() for cell in row[:11])
    remarks = row[11]
    facts = Facts(craft=sdn_type.lower() in ("vessel", "aircraft"))
    facts.add_name(Name(name, kind="primary"))
    for alias in aliases:
        alias_type = _ALIAS_TYPES.get(alias[2].lower(), alias[2])
        kind: NameKind = "previous" if alias_type == "f.k.a." and facts.craft else "alias"
        facts.add_name(Name(alias[3], kind=kind))
    if title:
        facts.titles.append(title)

    # Vessel columns first, so remarks-derived facts (former flags, ...) follow the list's own.
    if call_sign:
        facts.add_identifier(Identifier(scheme="call_sign", value=call_sign, note="Call Sign"))
    facts.add_prop("vessel_type", vess_type)
    facts.add_prop("tonnage", tonnage)
    facts.add_prop("gross_registered_tonnage", grt)
    if vess_flag:
        if add_country(facts, vess_flag) is None:
            facts.add_prop("flag", vess_flag)
        else:
            facts.add_prop("flag", to_country(vess_flag))
    if vess_owner:
        facts.add_prop("vessel_owner", vess_owner)
        facts.relations.append(Relation(kind="vessel_owner", target_name=vess_owner))

    full_remarks = (remarks + (overflow or "")).strip()
    # A remark at exactly the limit with no overflow row was cut: its last segment is partial.
    truncated = len(remarks) >= REMARKS_LIMIT and not overflow
    if truncated:
        facts.add_prop("remarks_truncated", "true")
    parse_remarks(full_remarks, facts, truncated=truncated)

    for add in addresses:
        _add_address(facts, add)
    return facts.build(
        source=source,
        source_id=ent_num,
        schema=entity_schema(sdn_type, facts),
        programs=split_programs(programs),
        remarks=full_remarks or None,
    )


def _add_address(facts: Facts, row: list[str]) -> None:
    street, city, country = (cell.strip() for cell in row[2:5])
    parts = [p for p in (street, city, country) if p]
    if not parts:
        return
    code = add_country(facts, country)
    facts.addresses.append(
        Address(full=", ".join(parts), street=street or None, city=city or None, country=code)
    )
