"""Pairs of list entries that are one party, with the evidence, joined into clusters.

Evidence, strongest first:
  3 `reference`   an entry names another list's id for itself (the CSL's copy of an OFAC entry
                  carries its entity number; "UN Ref QDi.123" in a remark)
  2 `identifier`  the same strong identifier (IMO, passport, registration / tax number, ...),
                  when no list gives that value to two of its own entries
  1 `name`        the same name together with the same birth date, or (organisations, vessels)
                  the same country or address; a name alone never links two entries

Clusters are built by a union-find over the pairs, strongest first, refusing any union that
would put two entries of one list into one party (a list names each party once, so such a
cluster means a chain through a generic value joined different parties) or make a cluster
larger than `MAX_CLUSTER`. Pure: profiles in, links and clusters out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from tradescreen.consolidate.agree import best_agreement, nearest_slip
from tradescreen.consolidate.profile import Profile

MAX_CLUSTER = 12  # one party is on a handful of lists; a bigger cluster is a chain
MAX_BLOCK = 40  # entries sharing one name key: more is a common name, compared no further
MAX_ID_SHARE = 8  # entries sharing one identifier value: more is a generic value
ADDRESS_OVERLAP = 0.6  # token Jaccard of two addresses that agree
STRENGTH = {"reference": 3, "identifier": 2, "name": 1}
_COUNTRY_ONLY = re.compile(r" \+ (?:programme )?country [a-z-]+$")


@dataclass(frozen=True, slots=True)
class Link:
    a: int  # index positions, a < b
    b: int
    kind: str  # reference | identifier | name
    evidence: str  # what agreed, readable

    @property
    def strength(self) -> int:
        return STRENGTH[self.kind]

    @property
    def weak(self) -> bool:
        """A name with nothing but a country beside it (no date, address or programme)."""
        return self.kind == "name" and "birth" not in self.evidence and bool(
            _COUNTRY_ONLY.search(self.evidence))

    def to_list(self) -> list[object]:
        return [self.a, self.b, self.kind, self.evidence]


def _blocks(profiles: Sequence[Profile], field: str) -> dict[str, list[int]]:
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(profiles):
        for key in getattr(p, field):
            blocks[key].append(i)
    return blocks


def _address_agrees(a: Profile, b: Profile) -> bool:
    for x in a.addresses:
        for y in b.addresses:
            if len(x & y) / len(x | y) >= ADDRESS_OVERLAP:
                return True
    return False


# Identifier classes a party has one value of: two different ones are two parties, whatever
# the names say (people hold several passports, so those do not count here).
SINGLE_VALUED = ("imo", "mmsi", "reg", "inn", "lei", "duns", "bic", "aircraft")


def identifiers_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    for cls in SINGLE_VALUED:
        prefix = cls + ":"
        va = {k for k in a if k.startswith(prefix)}
        vb = {k for k in b if k.startswith(prefix)}
        if va and vb and not va & vb:
            return True
    return False


def _full(dates: frozenset[str]) -> set[str]:
    return {d for d in dates if len(d) == 10}


def _years_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both give birth years and none is within a year of the other's."""
    ya, yb = {int(d[:4]) for d in a}, {int(d[:4]) for d in b}
    return bool(ya and yb) and not any(abs(x - y) <= 1 for x in ya for y in yb)


def _person_evidence(a: Profile, b: Profile, name: str | None = None,
                     rare: bool = False) -> str | None:
    evidence = _person_facts(a, b, name, rare)
    if evidence and a.identifiers and b.identifiers and identifiers_conflict(a.identifiers,
                                                                             b.identifiers):
        return None
    return evidence


def _person_facts(a: Profile, b: Profile, name: str | None, rare: bool) -> str | None:
    """The facts that make two listed people one person, or None.

    `name`: the shared name (folded, any word order) when the pair came from one; otherwise
    the names must agree word by word (`agree.best_agreement`: transliterations, typos in long
    words). Always with a birth date or country beside the name, never on a name alone."""
    countries = (a.countries | a.programme_countries) & (b.countries | b.programme_countries)
    country_conflict = bool(a.countries and b.countries) and not a.countries & b.countries
    full_a, full_b = _full(a.dates), _full(b.dates)
    same = sorted(full_a & full_b)
    slip = None if same or not (full_a and full_b) else nearest_slip(sorted(full_a),
                                                                      sorted(full_b))
    if name is not None:
        said, n_words = f"name '{name}'", len(name.split())
    else:
        # The dates, countries and word skeletons first: they are cheap and most pairs fail
        # them. A word alike in sound on both sides for a shared birth day, two for less.
        alike = len(a.skeletons & b.skeletons)
        if not alike or not (same and not country_conflict) and not (
                alike >= 2 and countries and (slip or (
                    not (full_a and full_b) and not _years_conflict(a.dates, b.dates)
                    and {d[:4] for d in a.dates} & {d[:4] for d in b.dates}))):
            return None
        words, _shorter = best_agreement(a.words, b.words)
        if not words:
            return None
        said, n_words = f"name words '{' '.join(sorted(words))}'", len(words)
    if same:
        if name is None and country_conflict:
            return None
        return f"{said} + birth date {same[0]}"
    if full_a and full_b:
        # Both give the day and the days differ: two people, unless one date is the other
        # mistyped and a country agrees (a digit slip only with a fuller name).
        if slip is None or not countries or (slip[0] == "digit" and n_words < 3):
            return None
        return f"{said} + birth date {slip[1]} ~ {slip[2]} + country {min(countries)}"
    if _years_conflict(a.dates, b.dates):
        return None
    years = {d[:4] for d in a.dates} & {d[:4] for d in b.dates}
    # A year is shared by many: only with a country, and a fuller name or one that no
    # third listing bears.
    if years and countries and (n_words >= 3 or (name is not None and rare)):
        return f"{said} + birth year {min(years)} + country {min(countries)}"
    if name is None or n_words < 3:
        return None
    if rare and countries and not country_conflict:
        return f"{said} (on no other listing) + country {min(countries)}"
    if programmes := a.programmes & b.programmes:
        return f"{said} + programme {min(programmes)}"
    return None


def _legal_forms_differ(a: Profile, b: Profile, name: str) -> bool:
    prefix = name + "|"
    fa = {k for k in a.legal if k.startswith(prefix)}
    fb = {k for k in b.legal if k.startswith(prefix)}
    return bool(fa and fb) and not fa & fb


def _name_evidence(a: Profile, b: Profile, name: str, rare: bool = False) -> str | None:
    """The second fact that makes a shared name one party, or None."""
    if a.kind == "person":
        return _person_evidence(a, b, name, rare)
    if a.identifiers and b.identifiers and identifiers_conflict(a.identifiers, b.identifiers):
        return None
    if a.dates and b.dates and not (a.dates & b.dates):
        return None  # both give a founding date and they differ
    if _legal_forms_differ(a, b, name):
        return None  # "ZALA AERO JSC" and "LIMITED LIABILITY COMPANY ZALA AERO": two companies
    if programmes := a.programmes & b.programmes:
        return f"name '{name}' + programme {min(programmes)}"
    if _address_agrees(a, b):
        return f"name '{name}' + address"
    if shared := a.countries & b.countries:
        return f"name '{name}' + country {min(shared)}"
    # A regime is about a whole country: only with a fuller name (not a brand one word long,
    # "Sberbank", that subsidiaries share), and for vessels, whose names are reused fleet-wide,
    # only a name no third listing bears.
    if len(name.split()) < 2 or (a.kind == "vessel" and not rare):
        return None
    a_all = a.countries | a.programme_countries
    b_all = b.countries | b.programme_countries
    if shared := a_all & b_all:
        return f"name '{name}' + programme country {min(shared)}"
    return None


def find_links(profiles: Sequence[Profile]) -> list[Link]:
    """Every pair with evidence, strongest evidence per pair."""
    best: dict[tuple[int, int], Link] = {}

    def add(i: int, j: int, kind: str, evidence: str) -> None:
        a, b = profiles[i], profiles[j]
        if a.kind != b.kind or a.list_key == b.list_key:
            return
        pa, pb = sorted((a.pos, b.pos))
        link = Link(pa, pb, kind, evidence)
        prior = best.get((pa, pb))
        if prior is None or link.strength > prior.strength:
            best[(pa, pb)] = link

    own: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(profiles):
        for key in p.own_refs:
            own[key].append(i)
    for i, p in enumerate(profiles):
        for ref in p.refs:
            for j in own.get(ref, ()):
                add(i, j, "reference", f"{p.id} cites {ref}")
    for key, members in _blocks(profiles, "identifiers").items():
        if len(members) > MAX_ID_SHARE or _listed_twice(profiles, members):
            continue
        for i, j in combinations(members, 2):
            add(i, j, "identifier", f"identifier {key}")
    for key, members in _blocks(profiles, "names").items():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        rare = len(members) == 2
        for i, j in combinations(members, 2):
            a, b = profiles[i], profiles[j]
            # A pair linked already (by a reference, a number or another shared name) needs
            # no more evidence: a name link would not replace it.
            if a.kind == b.kind and a.list_key != b.list_key and (a.pos, b.pos) not in best and (
                    evidence := _name_evidence(a, b, key, rare)):
                add(i, j, "name", evidence)
    # People whose names are written differently ("GADDAFI, Saadi" and "SAADI QADHAFI",
    # "IBRAHIM, Dawood" and "DAWOOD IBRAHIM KASKAR"): compared word by word when they share a
    # word's consonant skeleton and the birth day, or two words' and the birth year.
    seen: set[tuple[int, int]] = set()
    for members in _blocks(profiles, "fuzzy_keys").values():
        if 2 <= len(members) <= MAX_BLOCK:
            for i, j in combinations(members, 2):
                a, b = profiles[i], profiles[j]
                if (a.kind != "person" or b.kind != "person" or a.list_key == b.list_key
                        or (a.pos, b.pos) in best or (i, j) in seen):
                    continue
                seen.add((i, j))
                if evidence := _person_evidence(a, b):
                    add(i, j, "name", evidence)
    return sorted(best.values(), key=lambda k: (-k.strength, k.a, k.b))


def _listed_twice(profiles: Sequence[Profile], members: Iterable[int]) -> bool:
    seen: set[str] = set()
    for i in members:
        key = profiles[i].list_key
        if key in seen:
            return True
        seen.add(key)
    return False


def _corroborated(xs: list[int], ys: list[int], linked: dict[int, set[int]]) -> bool:
    """A name and a country join a listing to a party of several only when the listing is
    linked to two of its members: one such link is how a chain through a brand or an alias
    ("Unmanned Systems", "UK RFPI") reaches a different company of the same country."""
    if len(xs) > 1 and len(ys) > 1:
        return False
    one, many = (xs[0], ys) if len(xs) == 1 else (ys[0], xs)
    return len(many) == 1 or len(linked[one] & set(many)) >= 2


def numbers_of(profiles: Sequence[Profile]) -> dict[int, frozenset[str]]:
    """Each entry's numbers of the classes a party has one of (registration, IMO, ...)."""
    out: dict[int, frozenset[str]] = {}
    for p in profiles:
        own = frozenset(k for k in p.identifiers if k.split(":", 1)[0] in SINGLE_VALUED)
        if own:
            out[p.pos] = own
    return out


def link_parties(profiles: Sequence[Profile]) -> tuple[list[Link], dict[int, list[int]]]:
    """The links of the entries and the parties they make."""
    links = find_links(profiles)
    groups = cluster(links, {p.pos: p.list_key for p in profiles}, numbers=numbers_of(profiles))
    return links, groups


def cluster(
    links: Iterable[Link],
    list_key: dict[int, str],
    apart: Collection[tuple[frozenset[str], frozenset[str]]] = (),
    ids: dict[int, str] | None = None,
    numbers: dict[int, frozenset[str]] | None = None,
) -> dict[int, list[int]]:
    """Union-find over the links, strongest first: root position -> member positions.

    `apart` holds analysts' splits: (moved-out ids, the others): no union joins the two sides.
    `numbers`: entries' single-valued numbers (`numbers_of`); no union joins two parties with
    different numbers of one class, however a chain of names reached from one to the other.
    Only entries that are in some cluster of two or more are returned."""
    parent: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    held: dict[int, frozenset[str]] = dict(numbers or {})  # root -> numbers of its members

    def find(x: int) -> int:
        parent.setdefault(x, x)
        members.setdefault(x, [x])
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def separated(xs: list[int], ys: list[int]) -> bool:
        if not apart or ids is None:
            return False
        a = {ids[x] for x in xs if x in ids}
        b = {ids[y] for y in ys if y in ids}
        return any((a & left and b & right) or (a & right and b & left) for left, right in apart)

    links = sorted(links, key=lambda k: (-k.strength, k.weak, k.a, k.b))
    linked: dict[int, set[int]] = defaultdict(set)
    for link in links:
        linked[link.a].add(link.b)
        linked[link.b].add(link.a)
    for link in links:
        ra, rb = find(link.a), find(link.b)
        if ra == rb:
            continue
        xs, ys = members[ra], members[rb]
        if len(xs) + len(ys) > MAX_CLUSTER:
            continue
        if link.weak and not _corroborated(xs, ys, linked):
            continue
        if {list_key[x] for x in xs} & {list_key[y] for y in ys}:
            continue
        if separated(xs, ys):
            continue
        na, nb = held.get(ra, frozenset()), held.get(rb, frozenset())
        if na and nb and identifiers_conflict(na, nb):
            continue
        if len(xs) < len(ys):
            ra, rb, xs, ys = rb, ra, ys, xs
        parent[rb] = ra
        if na or nb:
            held[ra] = na | nb
        xs.extend(ys)
        del members[rb]
    return {min(m): sorted(m) for m in members.values() if len(m) > 1}
