"""What one list entry says that can show it is the same party as an entry of another list.

Pure: an `Entity` in, a `Profile` out. Only facts that identify are kept: explicit references
to another list's id, strong identifiers, and the names, dates, countries and addresses that
together (never a name alone) agree across lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tradescreen.index.records import Record
from tradescreen.model import Entity
from tradescreen.normalize.names import name_form
from tradescreen.values import country_code

# Identifier schemes that name one party, grouped where lists label the same number
# differently (one list's "Registration Number" is another's "Tax ID"). Phones, e-mails and
# websites are shared by related parties: they are evidence of a link, not of identity.
ID_CLASSES = {
    "imo": "imo", "mmsi": "mmsi", "passport": "doc", "national_id": "doc",
    "registration": "reg", "tax": "reg", "ogrn": "reg", "inn": "inn", "lei": "lei",
    "duns": "duns", "bic": "bic", "swift": "bic", "aircraft_serial": "aircraft",
}
# Treasury's sub-lists that the CSL copies from OFAC, entity number included.
_OFAC_SUBLISTS = ("Treasury Department",)
_UN_REF = re.compile(r"\bUN\s+Ref(?:erence)?\s*(?:No\.?|Number)?\s*:?\s*([A-Z]{2}[ie]\.\d{2,3})\b",
                     re.I)
_PAREN = re.compile(r"\(([^()]{2,40})\)")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"\w+")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
# OFAC-style programme codes ("SDGT", "IRAN-EO13902", "RUSSIA-EO14024"): the US lists copy them,
# so a shared code is a fact about the listing; prose programme names of other lists are not.
_PROGRAMME_CODE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")
MIN_NAME_KEY = 6  # characters: shorter names ("QAI", "ABC") are too generic to agree on


@dataclass(frozen=True, slots=True)
class Profile:
    pos: int  # the entry's position in the index
    id: str  # source:source_id
    source: str
    list_key: str  # one list: the source, or the CSL's sub-list (a party is on SDN and EL)
    kind: str  # person | org | vessel | aircraft: only entries of one kind are compared
    names: frozenset[str]  # sorted folded tokens of every strong name
    dates: frozenset[str]  # birth / incorporation dates as precise as given (YYYY, YYYY-MM-DD)
    countries: frozenset[str]
    programme_countries: frozenset[str]  # the country a sanctions regime is about
    programmes: frozenset[str]  # OFAC-style programme codes
    addresses: tuple[frozenset[str], ...]  # folded address tokens
    identifiers: frozenset[str]  # "class:normalised value"
    refs: frozenset[str]  # explicit cross-list ids: "ofac:16418", "un:QDI.123"
    own_refs: frozenset[str]  # the same keys naming this entry itself


def kind_of(schema: str) -> str:
    if schema == "Person":
        return "person"
    if schema in ("Vessel", "Aircraft"):
        return schema.lower()
    return "org"


def name_key(value: str, schema: str) -> str | None:
    """The name's normalised tokens in any order. `name_form` is the index's own normalisation
    (legal forms canonical, transliterated), cached: the index build has just made it."""
    toks = name_form(value, schema).tokens
    key = " ".join(sorted(toks))
    return key if len(key) - len(toks) + 1 >= MIN_NAME_KEY else None


def _list_key(entity: Entity) -> str:
    sub = entity.properties.get("sub_list")
    return f"{entity.source}/{sub[0]}" if sub else entity.source


def _refs(entity: Entity) -> tuple[set[str], set[str]]:
    refs: set[str] = set()
    own: set[str] = set()
    if entity.source in ("us_ofac_sdn", "us_ofac_cons"):
        own.add(f"ofac:{entity.source_id}")
    elif entity.source == "un_sc":
        own.add(f"un:{entity.source_id.upper()}")
    sub = entity.properties.get("sub_list", ())
    if entity.source == "us_csl" and any(s.endswith(_OFAC_SUBLISTS) for s in sub):
        for number in entity.properties.get("entity_number", ()):
            refs.add(f"ofac:{number.strip()}")
    text = "\n".join([entity.remarks or "", *(v for vs in entity.properties.values() for v in vs)])
    refs.update(f"un:{ref.upper()}" for ref in _UN_REF.findall(text))
    return refs - own, own


@lru_cache(maxsize=4096)
def _programme_countries(regimes: tuple[str, ...], programmes: tuple[str, ...]) -> frozenset[str]:
    """Canada lists by regime ("Iran", "Russia / Russie"), Australia and the UN name the
    country in the programme ("Autonomous (Iran)", "1718 (DPRK)")."""
    found: set[str] = set()
    for regime in regimes:
        if code := country_code(regime.split(" / ")[0]):
            found.add(code)
    for programme in programmes:
        for inner in _PAREN.findall(programme):
            if code := country_code(inner.strip()):
                found.add(code)
    return frozenset(found)


def _address_tokens(full: str, country_names: set[str]) -> frozenset[str] | None:
    if not _DIGIT.search(full):
        return None
    toks = frozenset(t for t in _WORD.findall(full.lower()) if t not in country_names)
    # Too little to agree on (a city alone is no address).
    if len(toks) < 3 or not any(_DIGIT.search(t) for t in toks):
        return None
    return toks


def identifier_keys(norm: str, value: str) -> set[str]:
    """The number as the index normalised it, and its digits alone: lists write one passport
    as "Jordan 654781" and "654781", or "PD472310104" and "472310104"."""
    keys = {norm}
    for word in value.upper().split():
        core = _NOT_ALNUM.sub("", word)
        digits = "".join(ch for ch in core if ch.isdigit())
        if len(digits) >= 6:
            keys.add(digits)
    return keys


def profile(entity: Entity, record: Record, pos: int) -> Profile:
    """`record` is the entity's index record (normalised identifiers, countries)."""
    names = {
        key for n in entity.names
        if n.strength == "strong" and n.value.strip()
        and (key := name_key(n.value.strip(), entity.schema))
    }
    dates = {d.iso for d in entity.birth_dates if d.iso and not d.circa}
    idents = set()
    for scheme, norm, raw in record.identifiers:
        cls = ID_CLASSES.get(scheme)
        if cls:
            idents.update(f"{cls}:{v}" for v in identifier_keys(norm, raw))
    country_words = {a.country for a in entity.addresses if a.country}
    addresses = tuple(
        toks for a in entity.addresses
        if (toks := _address_tokens(a.full, country_words)) is not None
    )
    refs, own = _refs(entity)
    return Profile(
        pos=pos, id=entity.id, source=entity.source, list_key=_list_key(entity),
        kind=kind_of(entity.schema), names=frozenset(names), dates=frozenset(dates),
        countries=frozenset(record.countries),
        programme_countries=_programme_countries(entity.properties.get("regime", ()),
                                                 entity.programs),
        programmes=frozenset(p for p in entity.programs if _PROGRAMME_CODE.match(p)),
        addresses=addresses, identifiers=frozenset(idents), refs=frozenset(refs),
        own_refs=frozenset(own),
    )
