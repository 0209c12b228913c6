"""The entity model every source reader produces and every later stage consumes.

Frozen dataclasses, no behaviour beyond (de)serialisation: readers build them, the store keeps them
as canonical JSON, the index and matcher read them. Multi-valued fields are tuples so an entity is
immutable once read; order is the order the list gives (the first name is the list's primary name).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import orjson

Schema = Literal["Person", "Company", "Organization", "LegalEntity", "Vessel", "Aircraft"]
SCHEMAS: tuple[str, ...] = (
    "Person", "Company", "Organization", "LegalEntity", "Vessel", "Aircraft"
)

# "primary" is the list's main name; "alias" an a.k.a./f.k.a.; "original" the same name written in
# its own script (lists give it separately from transliterated aliases); "previous" a former name
# (vessels are renamed to evade screening, so former names stay matchable).
NameKind = Literal["primary", "alias", "original", "previous"]
# OFAC and UN distinguish strong and weak ("low quality") a.k.a.s; weak ones are matched but
# weighted down because they are often generic nicknames.
Strength = Literal["strong", "weak"]


@dataclass(frozen=True, slots=True)
class Name:
    value: str
    kind: NameKind = "primary"
    strength: Strength = "strong"
    lang: str | None = None  # ISO 639 code or script hint when the list states it


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date as precise as the list gives it: "1965", "1965-03", "1965-03-14".

    `text` keeps the list's own wording ("circa 1958", "1958 to 1960") so nothing is lost;
    `iso` is the machine-comparable prefix (None when the text has no usable year).
    """

    text: str
    iso: str | None = None
    circa: bool = False


@dataclass(frozen=True, slots=True)
class Identifier:
    # scheme vocabulary: imo, mmsi, passport, national_id, tax, registration, ogrn, inn, kpp, bic,
    # swift, lei, duns, aircraft_serial, aircraft_tail, call_sign, email, website, phone, other
    scheme: str
    value: str
    country: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    full: str
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, lower case


# relation kinds: linked_to, owner (target owns this entity), subsidiary (this entity owns target),
# director, family, associate, vessel_owner, vessel_operator, parent, member
@dataclass(frozen=True, slots=True)
class Relation:
    kind: str
    target_name: str
    target_id: str | None = None  # the target's source_id on the same list, when known
    share: float | None = None  # ownership share in [0, 1]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    source: str  # list id, e.g. "us_ofac_sdn", "un_sc", "us_csl", "ca_sema", "au_dfat"
    source_id: str  # the list's own id: OFAC ent_num, UN reference, CSL id, ...
    schema: str
    names: tuple[Name, ...]
    birth_dates: tuple[PartialDate, ...] = ()  # or incorporation dates for legal entities
    birth_places: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()  # ISO alpha-2, lower case
    countries: tuple[str, ...] = ()  # other country links: residence, jurisdiction, flag
    addresses: tuple[Address, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    programs: tuple[str, ...] = ()
    listed_on: str | None = None  # ISO date (partial allowed)
    remarks: str | None = None
    relations: tuple[Relation, ...] = ()
    gender: str | None = None
    titles: tuple[str, ...] = ()  # "Dr.", job titles, positions
    # Anything the list gives that has no field above (vessel type, tonnage, sub-list name, ...).
    # Kept as sorted key -> values so the content hash is stable.
    properties: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.source}:{self.source_id}"

    @property
    def caption(self) -> str:
        for name in self.names:
            if name.kind == "primary":
                return name.value
        return self.names[0].value if self.names else self.source_id

    def to_dict(self) -> dict[str, Any]:
        # What dataclasses.asdict gives, built directly: asdict's generic recursion and deep
        # copies made it most of an import's time (every entity is serialised to be hashed).
        data: dict[str, Any] = {}
        for name in _ENTITY_FIELDS:
            value = getattr(self, name)
            if name in _NESTED:
                fields = _NESTED[name]
                value = tuple({f: getattr(item, f) for f in fields} for item in value)
            data[name] = value
        data["properties"] = {k: list(v) for k, v in sorted(self.properties.items())}
        return data

    def to_json(self) -> bytes:
        return orjson.dumps(self.to_dict(), option=orjson.OPT_SORT_KEYS)

    def content_hash(self) -> str:
        """Stable hash of everything the list says about this entity (drives diffs, suppression)."""
        return hashlib.sha256(self.to_json()).hexdigest()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        return cls(
            source=data["source"],
            source_id=str(data["source_id"]),
            schema=data["schema"],
            names=tuple(Name(**n) for n in data.get("names", ())),
            birth_dates=tuple(PartialDate(**d) for d in data.get("birth_dates", ())),
            birth_places=tuple(data.get("birth_places", ())),
            nationalities=tuple(data.get("nationalities", ())),
            countries=tuple(data.get("countries", ())),
            addresses=tuple(Address(**a) for a in data.get("addresses", ())),
            identifiers=tuple(Identifier(**i) for i in data.get("identifiers", ())),
            programs=tuple(data.get("programs", ())),
            listed_on=data.get("listed_on"),
            remarks=data.get("remarks"),
            relations=tuple(Relation(**r) for r in data.get("relations", ())),
            gender=data.get("gender"),
            titles=tuple(data.get("titles", ())),
            properties={k: tuple(v) for k, v in data.get("properties", {}).items()},
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> Entity:
        return cls.from_dict(orjson.loads(raw))


_ENTITY_FIELDS = tuple(f.name for f in fields(Entity))
# Entity fields holding tuples of the value dataclasses above -> those dataclasses' field names.
_NESTED = {
    name: tuple(f.name for f in fields(cls))
    for name, cls in (("names", Name), ("birth_dates", PartialDate), ("addresses", Address),
                      ("identifiers", Identifier), ("relations", Relation))
}
