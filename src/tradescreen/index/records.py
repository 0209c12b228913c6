"""The compact, picklable form of a listed entity that the index keeps in memory."""

from __future__ import annotations

import hashlib
import re
from typing import NamedTuple

import orjson

from tradescreen.index.attributes import entity_attributes
from tradescreen.index.keys import normalize_identifier
from tradescreen.model import Entity


class Record(NamedTuple):
    source: str
    source_id: str
    snapshot: str
    schema: str
    caption: str
    names: tuple[tuple[str, str, str], ...]  # (value, kind, strength)
    birth_dates: tuple[tuple[str, bool, str], ...]  # (iso prefix, circa, list's text)
    countries: tuple[str, ...]
    identifiers: tuple[tuple[str, str, str], ...]  # (scheme, normalised value, list's value)
    programs: tuple[str, ...]
    listed_on: str | None
    content_hash: str
    # Shared-attribute alerts: (kind, key, list's value), kind address / phone / email /
    # website; the key is the normalised form (see index.attributes.entity_attributes).
    attributes: tuple[tuple[str, str, str], ...] = ()
    # The list's relations: (kind, target name, target's source_id or None, share or None).
    relations: tuple[tuple[str, str, str | None, float | None], ...] = ()

    @property
    def id(self) -> str:
        return f"{self.source}:{self.source_id}"


_AKA = re.compile(r"^\s*(also known as|a\.?k\.?a\.?|formerly|f\.?k\.?a\.?)\s+", re.I)
_PAREN = re.compile(r"^(?P<base>.*\S)\s*\((?P<inner>[^()]{2,60})\)\s*$")


def _names(entity: Entity) -> tuple[tuple[str, str, str], ...]:
    """The list's names, plus the two halves of "NAME (ACRONYM)" forms: lists write
    "SHAHID BAGHERI INDUSTRIAL GROUP (SBIG)", people write either half."""
    out: list[tuple[str, str, str]] = []
    for n in entity.names:
        value = n.value.strip()
        if not value:
            continue
        out.append((value, n.kind, n.strength))
        # People's parentheses hold notes ("(deceased)"), organisations' their acronyms.
        if entity.schema != "Person" and (m := _PAREN.match(value)):
            out.append((m.group("base"), n.kind, n.strength))
            inner = _AKA.sub("", m.group("inner")).strip()
            # A bare acronym is short and generic: matched, but as a weak alias.
            weak = len(inner) <= 6 or n.strength == "weak"
            out.append((inner, "alias", "weak" if weak else "strong"))
    return tuple(dict.fromkeys(out))


def content_hash(entity: Entity) -> str:
    """`Entity.content_hash()` without `dataclasses.asdict`, a third of an index build's time:
    orjson serialises the dataclasses itself, to the same sorted-key bytes (a test checks
    both agree on every real list)."""
    # orjson keeps dataclass fields in their declared order: a round trip through a dict sorts.
    plain = orjson.loads(orjson.dumps(entity))
    return hashlib.sha256(orjson.dumps(plain, option=orjson.OPT_SORT_KEYS)).hexdigest()


def to_record(entity: Entity, snapshot: str, digest: str | None = None) -> Record:
    """`digest`: the entity's content hash when known (the store keeps it from the import)."""
    addressed = (a.country for a in entity.addresses if a.country)
    countries = dict.fromkeys([*entity.nationalities, *entity.countries, *addressed])
    identifiers = []
    for ident in entity.identifiers:
        norm = normalize_identifier(ident.value)
        if norm:
            identifiers.append((ident.scheme, norm, ident.value))
    return Record(
        source=entity.source,
        source_id=entity.source_id,
        snapshot=snapshot,
        schema=entity.schema,
        caption=entity.caption,
        names=_names(entity),
        birth_dates=tuple((d.iso, d.circa, d.text) for d in entity.birth_dates if d.iso),
        countries=tuple(c for c in countries if c),
        identifiers=tuple(identifiers),
        programs=entity.programs,
        listed_on=entity.listed_on,
        content_hash=digest or content_hash(entity),
        attributes=entity_attributes(entity, tuple(c for c in countries if c)),
        relations=tuple((r.kind, r.target_name, r.target_id, r.share) for r in entity.relations
                        if r.target_name),
    )
