"""Reader for FollowTheMoney JSON lines: OpenSanctions entity exports and their delta files.

An export is a graph: a sanctioned company is one line, its owners, directors, sanction
designations, addresses and passports are other lines pointing at it by id. We keep the entities
that can be screened (people, companies, vessels, ...) and fold the rest into them: links become
Relations, Sanction entities give programs and listing dates, Address and Passport entities give
addresses and identifiers.

Delta files hold `{"op": "ADD"|"MOD"|"DEL", "entity": {...}}` lines; ops are applied in order.
"""

from __future__ import annotations

import dataclasses
import gzip
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from tradescreen.ftm import EXTRA_KEY, FROM_FTM_SCHEMA, NAME_PROPS, from_ftm
from tradescreen.model import Address, Entity, Identifier, Relation
from tradescreen.sources.base import ListRead, SourceError, sha256_file
from tradescreen.values import parse_date

FORMAT = "ftm_json"

# link schema -> (property naming one end, property naming the other end,
#                 our relation kind seen from the first end, seen from the second end)
_LINKS: dict[str, tuple[str, str, str, str]] = {
    "Ownership": ("owner", "asset", "subsidiary", "owner"),
    "Directorship": ("director", "organization", "linked_to", "director"),
    "Family": ("person", "relative", "family", "family"),
    "Associate": ("person", "associate", "associate", "associate"),
    "UnknownLink": ("subject", "object", "linked_to", "linked_to"),
    "Membership": ("member", "organization", "member", "linked_to"),
    "Employment": ("employee", "employer", "linked_to", "linked_to"),
    "Representation": ("agent", "client", "linked_to", "linked_to"),
    "Succession": ("predecessor", "successor", "linked_to", "linked_to"),
}
_NOTE_PROPS = ("role", "relationship", "description", "summary")
_STEM_NOISE = re.compile(r"(^|_)(entities|\d{8,14})(?=_|$)")


def _open(path: Path) -> Iterator[bytes]:
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            yield from fh
    except (OSError, EOFError) as exc:
        raise SourceError(f"{path.name}: cannot read ({exc})") from exc


def _parse_lines(path: Path, records: dict[str, dict[str, Any]]) -> int:
    """Apply one file's lines to `records` (id -> FtM dict); returns how many lines it held."""
    lines = 0
    for lineno, raw in enumerate(_open(path), 1):
        if not raw.strip():
            continue
        lines += 1
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise SourceError(f"{path.name}: line {lineno}: not valid JSON ({exc})") from exc
        if not isinstance(obj, dict):
            raise SourceError(f"{path.name}: line {lineno}: expected a JSON object")
        op = "ADD"
        if "op" in obj:
            op = str(obj["op"]).upper()
            obj = obj.get("entity")
            if op not in ("ADD", "MOD", "DEL") or not isinstance(obj, dict):
                raise SourceError(f"{path.name}: line {lineno}: malformed delta operation")
        entity_id = obj.get("id")
        if not isinstance(entity_id, str) or not entity_id:
            raise SourceError(f"{path.name}: line {lineno}: FtM entity without an id")
        if op == "DEL":
            # A deletion of an entity not in this read refers to the base export; nothing to do.
            records.pop(entity_id, None)
            continue
        if not isinstance(obj.get("schema"), str):
            raise SourceError(f"{path.name}: line {lineno}: FtM entity {entity_id} has no schema")
        if not isinstance(obj.get("properties", {}), dict):
            raise SourceError(f"{path.name}: line {lineno}: properties of {entity_id} malformed")
        records[entity_id] = obj
    if lines == 0:
        raise SourceError(f"{path.name}: empty file, no FtM entities")
    return lines


def _prop(data: dict[str, Any], name: str) -> list[str]:
    values = (data.get("properties") or {}).get(name) or []
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _first(data: dict[str, Any], *names: str) -> str | None:
    for name in names:
        if values := _prop(data, name):
            return values[0]
    return None


def _source_name(paths: Sequence[Path], records: dict[str, dict[str, Any]]) -> str:
    datasets = {tuple(d.get("datasets") or ()) for d in records.values()}
    if len(datasets) == 1:
        (only,) = datasets
        if len(only) == 1 and isinstance(only[0], str):
            return f"os_{only[0]}"
    first = paths[0]
    stem = first.name.split(".")[0]
    stem = _STEM_NOISE.sub("", stem).strip("_") or first.parent.name
    return "os_" + (re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_") or "ftm")


def _published(records: dict[str, dict[str, Any]]) -> str | None:
    stamps = [
        value[:10]
        for data in records.values()
        for key in ("last_change", "last_seen", "first_seen")
        if isinstance(value := data.get(key), str) and value
    ]
    return max(stamps) if stamps else None


def _address(data: dict[str, Any]) -> Address | None:
    parts = {
        key: _first(data, key)
        for key in ("full", "street", "city", "region", "postalCode", "country")
    }
    full = parts["full"] or ", ".join(
        v for k, v in parts.items() if v and k not in ("full", "country")
    )
    if not full:
        return None
    country = parts["country"]
    return Address(
        full=full,
        street=parts["street"],
        city=parts["city"],
        region=parts["region"],
        postal_code=parts["postalCode"],
        country=country.lower() if country else None,
    )


def _share(data: dict[str, Any]) -> float | None:
    for raw in _prop(data, "percentage"):
        try:
            value = float(raw.rstrip("%").replace(",", "."))
        except ValueError:
            continue
        if 0 <= value <= 100:
            return value / 100
    return None


@dataclasses.dataclass
class _Extras:
    """What other lines of the graph add to one screenable entity."""

    addresses: list[Address] = dataclasses.field(default_factory=list)
    identifiers: list[Identifier] = dataclasses.field(default_factory=list)
    relations: list[Relation] = dataclasses.field(default_factory=list)
    programs: list[str] = dataclasses.field(default_factory=list)
    listing_dates: list[str] = dataclasses.field(default_factory=list)


def _collect(records: dict[str, dict[str, Any]], targets: set[str]) -> dict[str, _Extras]:
    extras = {entity_id: _Extras() for entity_id in targets}
    captions = {k: str(v.get("caption") or _first(v, "name") or k) for k, v in records.items()}
    addresses = {
        k: addr for k, v in records.items() if v["schema"] == "Address" and (addr := _address(v))
    }
    # Merged OpenSanctions entities list the ids they absorbed; links may still use those.
    for k in list(addresses):
        for ref in records[k].get("referents") or ():
            addresses.setdefault(ref, addresses[k])
    for entity_id, data in records.items():
        schema = data["schema"]
        if entity_id in targets:
            for ref in _prop(data, "addressEntity"):
                if ref in addresses:
                    extras[entity_id].addresses.append(addresses[ref])
        elif schema == "Sanction":
            for ref in _prop(data, "entity"):
                if ref in extras:
                    extras[ref].programs += _prop(data, "programId") or _prop(data, "program")
                    extras[ref].listing_dates += _prop(data, "listingDate")
                    extras[ref].listing_dates += _prop(data, "startDate")
        elif schema in ("Passport", "Identification"):
            number = _first(data, "number", "passportNumber")
            if not number:
                continue
            kind = (_first(data, "type") or "").lower()
            scheme = "passport" if schema == "Passport" or "passport" in kind else "national_id"
            country = (_first(data, "country") or "").lower() or None
            ident = Identifier(scheme, number, country, kind or None)
            for ref in _prop(data, "holder"):
                if ref in extras:
                    extras[ref].identifiers.append(ident)
        elif schema in _LINKS:
            a_prop, b_prop, a_kind, b_kind = _LINKS[schema]
            note = _first(data, *_NOTE_PROPS)
            share = _share(data) if schema == "Ownership" else None
            for a in _prop(data, a_prop):
                for b in _prop(data, b_prop):
                    if a in extras:
                        rel = Relation(a_kind, captions.get(b, b), b, share, note)
                        extras[a].relations.append(rel)
                    if b in extras:
                        rel = Relation(b_kind, captions.get(a, a), a, share, note)
                        extras[b].relations.append(rel)
    return extras


def _merge(entity: Entity, extra: _Extras, own_relations: bool) -> Entity:
    addresses = list(entity.addresses)
    for address in extra.addresses:
        # An address entity usually restates an `address` string in detail: replace, not add.
        addresses = [a for a in addresses if a.full != address.full] + [address]
    identifiers = list(dict.fromkeys([*entity.identifiers, *extra.identifiers]))
    dates = [d for d in [entity.listed_on, *extra.listing_dates] if d and parse_date(d)]
    return dataclasses.replace(
        entity,
        addresses=tuple(addresses),
        identifiers=tuple(identifiers),
        relations=entity.relations if own_relations else tuple(dict.fromkeys(extra.relations)),
        programs=tuple(dict.fromkeys([*entity.programs, *extra.programs])),
        listed_on=min(dates) if dates else None,
    )


# Records whose content `_collect` folds into the screenable entities they point at.
FOLDED = frozenset({"Address", "Sanction", "Passport", "Identification", *_LINKS})
NO_NAME = "no name: neither a name property nor name parts"
NOT_SCREENED = "not an entity type tradescreen screens"
MAX_IDS = 20  # ids listed per drop reason; the count is always complete


def _stats(
    kept: Counter[str], named: int, folded: Counter[str], dropped: dict[tuple[str, str], list[str]]
) -> dict[str, Any]:
    return {
        "kept": dict(kept.most_common()),
        "named_from_parts": named,
        "folded": dict(folded.most_common()),
        "dropped": [
            {"schema": schema, "reason": reason, "count": len(ids), "ids": ids[:MAX_IDS]}
            for (schema, reason), ids in sorted(dropped.items())
        ],
    }


def read(paths: Sequence[Path]) -> ListRead:
    records: dict[str, dict[str, Any]] = {}
    for path in paths:
        _parse_lines(path, records)
    source = _source_name(paths, records)
    targets = {k for k, v in records.items() if v["schema"] in FROM_FTM_SCHEMA}
    extras = _collect(records, targets)
    entities = []
    kept: Counter[str] = Counter()
    folded: Counter[str] = Counter()
    dropped: dict[tuple[str, str], list[str]] = {}
    named = 0
    for entity_id, data in records.items():
        schema = data["schema"]
        if entity_id not in targets:
            if schema in FOLDED:
                folded[schema] += 1
            else:
                dropped.setdefault((schema, NOT_SCREENED), []).append(entity_id)
            continue
        try:
            entity = from_ftm(data, source)
        except (ValueError, TypeError, KeyError) as exc:
            raise SourceError(f"FtM entity {entity_id}: {exc}") from exc
        if not entity.names:
            dropped.setdefault((schema, NO_NAME), []).append(entity_id)
            continue
        if not any(_prop(data, prop) for prop in NAME_PROPS):
            named += 1  # every name of it was built from its parts
        kept[schema] += 1
        # Our own exports carry their relations in the extra block; don't add them twice.
        own = isinstance(data.get(EXTRA_KEY), dict) and "relations" in data[EXTRA_KEY]
        entities.append(_merge(entity, extras[entity_id], own))
    return ListRead(
        source=source,
        format=FORMAT,
        published=_published(records),
        files={p.name: sha256_file(p) for p in paths},
        entities=entities,
        title=f"FollowTheMoney entities ({source})",
        stats=_stats(kept, named, folded, dropped),
    )
