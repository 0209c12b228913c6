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

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from tradescreen.consolidate.profile import Profile

MAX_CLUSTER = 12  # one party is on a handful of lists; a bigger cluster is a chain
MAX_BLOCK = 40  # entries sharing one name key: more is a common name, compared no further
MAX_ID_SHARE = 8  # entries sharing one identifier value: more is a generic value
ADDRESS_OVERLAP = 0.6  # token Jaccard of two addresses that agree
STRENGTH = {"reference": 3, "identifier": 2, "name": 1}


@dataclass(frozen=True, slots=True)
class Link:
    a: int  # index positions, a < b
    b: int
    kind: str  # reference | identifier | name
    evidence: str  # what agreed, readable

    @property
    def strength(self) -> int:
        return STRENGTH[self.kind]

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


def _name_evidence(a: Profile, b: Profile, name: str, rare: bool = False) -> str | None:
    """The second fact that makes a shared name one party, or None."""
    if a.identifiers and b.identifiers and identifiers_conflict(a.identifiers, b.identifiers):
        return None
    if a.kind == "person":
        dates = a.dates & b.dates
        full = sorted(d for d in dates if len(d) == 10)
        if full:
            return f"name '{name}' + birth date {full[0]}"
        full_a = {d for d in a.dates if len(d) == 10}
        full_b = {d for d in b.dates if len(d) == 10}
        if full_a and full_b:
            return None  # both give the day, and the days differ: two people
        countries = (a.countries | a.programme_countries) & (b.countries | b.programme_countries)
        years = {d[:4] for d in a.dates} & {d[:4] for d in b.dates}
        # A year is shared by many: only with a country, and a fuller name or one that no
        # third listing bears.
        if years and countries and (len(name.split()) >= 3 or rare):
            return f"name '{name}' + birth year {min(years)} + country {min(countries)}"
        programmes = a.programmes & b.programmes
        if programmes and len(name.split()) >= 3:
            return f"name '{name}' + programme {min(programmes)}"
        return None
    if a.dates and b.dates and not (a.dates & b.dates):
        return None  # both give a founding date and they differ
    if programmes := a.programmes & b.programmes:
        return f"name '{name}' + programme {min(programmes)}"
    if _address_agrees(a, b):
        return f"name '{name}' + address"
    if shared := a.countries & b.countries:
        return f"name '{name}' + country {min(shared)}"
    if a.kind == "vessel":
        return None  # vessel names are reused fleet-wide: a regime's country is not enough
    a_all = a.countries | a.programme_countries
    b_all = b.countries | b.programme_countries
    if shared := a_all & b_all:
        return f"name '{name}' + programme country {min(shared)}"
    return None


def _words(p: Profile) -> list[frozenset[str]]:
    # Articles and patronymic particles ("al", "bn", "de") say little about who it is.
    return [frozenset(w for w in key.split() if len(w) > 2) for key in p.names]


def _dated_names(a: Profile, b: Profile, date: str) -> str | None:
    if a.countries and b.countries and not a.countries & b.countries:
        return None
    if a.identifiers and b.identifiers and identifiers_conflict(a.identifiers, b.identifiers):
        return None
    for x in _words(a):
        for y in _words(b):
            shared = x & y
            if len(shared) >= 2 and len(shared) >= 0.66 * min(len(x), len(y)):
                words = " ".join(sorted(shared))
                return f"name words '{words}' + birth date {date}"
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
            if profiles[i].kind == profiles[j].kind and (
                    evidence := _name_evidence(profiles[i], profiles[j], key, rare)):
                add(i, j, "name", evidence)
    for date, members in _blocks(profiles, "dates").items():
        # People born on one day whose names are written differently ("IBRAHIM, Dawood" and
        # "DAWOOD IBRAHIM KASKAR"): most words of the shorter name in the longer one.
        if len(date) != 10 or len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for i, j in combinations(members, 2):
            a, b = profiles[i], profiles[j]
            if a.kind == b.kind == "person" and (evidence := _dated_names(a, b, date)):
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


def cluster(
    links: Iterable[Link],
    list_key: dict[int, str],
    apart: Collection[tuple[frozenset[str], frozenset[str]]] = (),
    ids: dict[int, str] | None = None,
) -> dict[int, list[int]]:
    """Union-find over the links, strongest first: root position -> member positions.

    `apart` holds analysts' splits: (moved-out ids, the others): no union joins the two sides.
    Only entries that are in some cluster of two or more are returned."""
    parent: dict[int, int] = {}
    members: dict[int, list[int]] = {}

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

    for link in sorted(links, key=lambda k: (-k.strength, k.a, k.b)):
        ra, rb = find(link.a), find(link.b)
        if ra == rb:
            continue
        xs, ys = members[ra], members[rb]
        if len(xs) + len(ys) > MAX_CLUSTER:
            continue
        if {list_key[x] for x in xs} & {list_key[y] for y in ys}:
            continue
        if separated(xs, ys):
            continue
        if len(xs) < len(ys):
            ra, rb, xs, ys = rb, ra, ys, xs
        parent[rb] = ra
        xs.extend(ys)
        del members[rb]
    return {min(m): sorted(m) for m in members.values() if len(m) > 1}
