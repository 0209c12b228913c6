"""What one list entry says that can show it is the same party as an entry of another list.

Pure: an `Entity` in, a `Profile` out. Only facts that identify are kept: explicit references
to another list's id, strong identifiers, and the names, dates, countries and addresses that
together (never a name alone) agree across lists.
"""

from __future__ import annotations

import dataclasses
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from tradescreen.index.records import Record
from tradescreen.model import Entity
from tradescreen.normalize.names import name_form
from tradescreen.normalize.phonetic import skeleton
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
# OpenSanctions ids that carry the list's own number: "ofac-16418", "au-dfat-7468-llc-cst".
_REFERENT = re.compile(r"^(ofac|au-dfat)-(\d+)(?:-|$)")
_REF_WORD = re.compile(r"ref", re.I)
_PAREN = re.compile(r"\(([^()]{2,40})\)")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"\w+")
_NOT_DIGIT = re.compile(r"\D")
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
    legal: frozenset[str]  # "name key|legal-form class" (an LLC and a JSC of one name are two)
    words: tuple[tuple[str, ...], ...]  # people with a birth date: each name's identity words
    skeletons: frozenset[str]  # people: "consonant skeleton of a longer name word|birth year"
    fuzzy_keys: frozenset[str]  # people: "skeleton|birth day", "two skeletons|year" (blocking)
    dates: frozenset[str]  # birth / incorporation dates as precise as given (YYYY, YYYY-MM-DD)
    countries: frozenset[str]
    programme_countries: frozenset[str]  # the country a sanctions regime is about
    programmes: frozenset[str]  # OFAC-style programme codes
    addresses: tuple[frozenset[str], ...]  # folded address tokens
    identifiers: frozenset[str]  # "class:normalised value"
    refs: frozenset[str]  # explicit cross-list ids: "ofac:16418", "un:QDI.123"
    own_refs: frozenset[str]  # the same keys naming this entry itself

    def __reduce__(self) -> tuple[type[Profile], tuple]:
        # A large build's workers pickle every profile and the linking process reads them:
        # the fields as one tuple (the dataclass's own state looks its fields up per object).
        return (Profile, _profile_values(self))


_profile_values = operator.attrgetter(*(f.name for f in dataclasses.fields(Profile)))


def kind_of(schema: str) -> str:
    if schema == "Person":
        return "person"
    if schema in ("Vessel", "Aircraft"):
        return schema.lower()
    return "org"


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
    elif entity.source == "au_dfat":
        own.add(f"au:{entity.source_id}")
    sub = entity.properties.get("sub_list", ())
    if entity.source == "us_csl" and any(s.endswith(_OFAC_SUBLISTS) for s in sub):
        for number in entity.properties.get("entity_number", ()):
            refs.add(f"ofac:{number.strip()}")
    for referent in entity.properties.get("referents", ()):
        if m := _REFERENT.match(referent):
            refs.add(f"{m.group(1).split('-')[0]}:{m.group(2)}")
    texts = [entity.remarks] if entity.remarks else []
    for key, values in entity.properties.items():
        if key != "referents":
            texts.extend(values)
    for text in texts:
        if _REF_WORD.search(text):
            refs.update(f"un:{ref.upper()}" for ref in _UN_REF.findall(text))
    return refs - own, own


@lru_cache(maxsize=4096)
def _programme_countries(regimes: tuple[str, ...], programmes: tuple[str, ...]) -> frozenset[str]:
    """Canada lists by regime ("Iran", "Russia / Russie"), Australia and the UN name the
    country in the programme ("Autonomous (Iran)", "1718 (DPRK)"), OFAC in the code's first
    part ("RUSSIA-EO14024", "LIBYA2", "DPRK4"; two-letter parts are too ambiguous to read)."""
    found: set[str] = set()
    for regime in regimes:
        if code := country_code(regime.split(" / ")[0]):
            found.add(code)
    for programme in programmes:
        for inner in _PAREN.findall(programme):
            if code := country_code(inner.strip()):
                found.add(code)
        if _PROGRAMME_CODE.match(programme):
            head = programme.split("-", 1)[0].rstrip("0123456789")
            if len(head) >= 3 and (code := country_code(head)):
                found.add(code)
    return frozenset(found)


@lru_cache(maxsize=4096)
def _country_named(text: str) -> str | None:
    return country_code(text)


def _place_country(place: str) -> str | None:
    """The country a birth place names last ("Al-Mukalla, Yemen")."""
    return _country_named(place.rsplit(",", 1)[-1].strip())


def _countries(entity: Entity, record: Record) -> frozenset[str]:
    """Where the party belongs: the record's nationalities and addresses, and for people what
    OFAC gives instead (the country of the birth place, the issuer of a passport)."""
    found = set(record.countries)
    found.update(c for place in entity.birth_places if (c := _place_country(place)))
    if entity.schema == "Person":  # a company's registry country is often not where it is
        found.update(i.country for i in entity.identifiers if i.country and len(i.country) == 2)
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
        digits = _NOT_DIGIT.sub("", word)
        if len(digits) >= 6:
            keys.add(digits)
    return keys


Tokens = tuple[str, ...]


def strong_slots(record: Record) -> tuple[int, ...]:
    """The positions in `record.names` of the names that can show identity (not weak aliases)."""
    return tuple(i for i, (_v, _k, strength) in enumerate(record.names) if strength == "strong")


NameFacts = tuple[frozenset[str], tuple[Tokens, ...], frozenset[str], frozenset[str],
                  frozenset[str]]


def name_facts(person: bool, forms: Iterable[tuple[Tokens, Tokens]],
               dates: Iterable[str]) -> NameFacts:
    """From the normalised (tokens, legal-form classes) of each strong name: the name keys
    (tokens in any order), "key|legal form" of the names that have one, each name's identity
    words, and (people) the blocking keys "word skeleton|birth year"."""
    names: set[str] = set()
    legal: set[str] = set()
    words: dict[Tokens, None] = {}
    for toks, forms_of in forms:
        key = " ".join(sorted(toks))
        if len(key) - len(toks) + 1 >= MIN_NAME_KEY:
            names.add(key)
            if forms_of:
                legal.update(f"{key}|{form}" for form in forms_of)
        # Articles and patronymic particles ("al", "bn", "de") say little about who it is.
        # Only people with a birth date are compared word by word.
        if person and dates and (content := tuple(sorted({t for t in toks if len(t) > 2}))):
            words[content] = None
    blocks: set[str] = set()
    keys: set[str] = set()
    if words:
        years = {d[:4] for d in dates}
        days = [d for d in dates if len(d) == 10]
        for ws in words:
            sounds = sorted({skeleton(w) for w in ws if len(w) >= 4})
            blocks.update(f"{k}|{y}" for k in sounds for y in years)
            # Blocking keys: one word and the birth day, or two words of a name and the year.
            keys.update(f"{k}|{d}" for k in sounds for d in days)
            keys.update(f"{k} {m}|{y}" for k, m in combinations(sounds, 2) for y in years)
    return (frozenset(names), tuple(words), frozenset(blocks), frozenset(keys),
            frozenset(legal))


@dataclass(frozen=True, slots=True)
class Facts:
    """What an entry says besides its names (which the index build normalises meanwhile)."""
    id: str
    source: str
    list_key: str
    kind: str
    dates: frozenset[str]
    countries: frozenset[str]
    programme_countries: frozenset[str]
    programmes: frozenset[str]
    addresses: tuple[frozenset[str], ...]
    identifiers: frozenset[str]
    refs: frozenset[str]
    own_refs: frozenset[str]


def entry_facts(entity: Entity, record: Record) -> Facts:
    """`record` is the entity's index record (normalised identifiers, countries)."""
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
    return Facts(
        id=entity.id, source=entity.source, list_key=_list_key(entity),
        kind=kind_of(entity.schema),
        dates=frozenset(d.iso for d in entity.birth_dates if d.iso and not d.circa),
        countries=_countries(entity, record),
        programme_countries=_programme_countries(entity.properties.get("regime", ()),
                                                 entity.programs),
        programmes=_codes(entity.programs), addresses=addresses,
        identifiers=frozenset(idents), refs=frozenset(refs), own_refs=frozenset(own),
    )


@lru_cache(maxsize=4096)
def _codes(programmes: tuple[str, ...]) -> frozenset[str]:
    return frozenset(p for p in programmes if _PROGRAMME_CODE.match(p))


def make_profile(pos: int, f: Facts, forms: Iterable[tuple[Tokens, Tokens]]) -> Profile:
    """The profile of entry `pos` from its facts and the (tokens, legal forms) of its strong
    names."""
    names, words, blocks, keys, legal = name_facts(f.kind == "person", forms, f.dates)
    return Profile(
        pos=pos, id=f.id, source=f.source, list_key=f.list_key, kind=f.kind, names=names,
        legal=legal, words=words, skeletons=blocks, fuzzy_keys=keys, dates=f.dates,
        countries=f.countries, programme_countries=f.programme_countries,
        programmes=f.programmes, addresses=f.addresses, identifiers=f.identifiers,
        refs=f.refs, own_refs=f.own_refs,
    )


def record_forms(record: Record) -> list[tuple[Tokens, Tokens]]:
    """(tokens, legal forms) of a record's strong names, normalised here."""
    return [(f.tokens, f.legal_forms) for i in strong_slots(record)
            if (f := name_form(record.names[i][0], record.schema)).tokens]


def profile(entity: Entity, record: Record, pos: int) -> Profile:
    """One entry's profile, its names normalised here (the index build reuses its own forms:
    `entry_facts` + `make_profile`)."""
    return make_profile(pos, entry_facts(entity, record), record_forms(record))
