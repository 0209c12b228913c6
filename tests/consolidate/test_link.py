"""Consolidation evidence on real list entries: what links two listings, and what never does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tradescreen.consolidate.link import MAX_CLUSTER, Link, cluster, find_links
from tradescreen.consolidate.profile import profile
from tradescreen.index.records import to_record
from tradescreen.model import Address, Entity, Identifier
from tradescreen.sources import read


@pytest.fixture(scope="module")
def entries(data_dir: Path) -> dict[str, Entity]:
    found: dict[str, Entity] = {}
    for path in ("canada/sema-lmes.xml", "australia/regulation8_consolidated.xlsx"):
        for e in read(data_dir / path).entities:
            found[e.id] = e
    return found


def links_of(*entities: Entity) -> list[Link]:
    return find_links([profile(e, to_record(e, "s"), i) for i, e in enumerate(entities)])


def test_qods_on_canada_and_australia_links_on_name_and_regime_country(entries):
    ca = entries["ca_sema:iran-s1p1-168"]  # "Qods Aviation Industries", Iran regime
    au = entries["au_dfat:7747"]  # alias "Qods Aviation Industries", Tehran address
    (link,) = links_of(ca, au)
    assert link.kind == "name"
    assert "qods" in link.evidence and "programme country ir" in link.evidence


def test_never_merged_on_a_name_alone(entries):
    ca = entries["ca_sema:iran-s1p1-168"]
    au = entries["au_dfat:7747"]
    # The same two real entries without what places them: the shared name is not enough.
    bare_ca = replace(ca, programs=(), properties={})
    bare_au = replace(au, programs=(), addresses=(), countries=(), nationalities=())
    assert links_of(bare_ca, bare_au) == []
    # Two people of one name with different birth dates are two people.
    person = next(e for e in entries.values() if e.schema == "Person" and e.birth_dates
                  and e.source == "au_dfat" and len(e.birth_dates) == 1
                  and len(e.birth_dates[0].iso or "") == 10)
    other = replace(person, source="ca_sema", source_id="x-1", identifiers=(),
                    birth_dates=(replace(person.birth_dates[0], iso="1901-01-01", text="1901"),))
    assert links_of(person, other) == []
    same_day = replace(other, birth_dates=person.birth_dates)
    (link,) = links_of(person, same_day)
    assert "birth date" in link.evidence


def test_a_generic_identifier_links_nothing(entries):
    # One registration number on many entries (a registered agent's, a placeholder) is no
    # evidence of identity: shared by more than a handful, it is ignored.
    orgs = [e for e in entries.values() if e.schema != "Person"][:12]
    shared = Identifier("registration", "REG-0000042")
    tagged = [replace(e, source=f"list{i}", identifiers=(shared,)) for i, e in enumerate(orgs)]
    assert [k for k in links_of(*tagged) if k.kind == "identifier"] == []
    two = tagged[:2]
    (link,) = [k for k in links_of(*two) if k.kind == "identifier"]
    assert "0000042" in link.evidence


def test_schemas_must_agree(entries):
    person = next(e for e in entries.values() if e.schema == "Person")
    org = next(e for e in entries.values() if e.schema != "Person")
    passport = Identifier("passport", "P1234567")
    a = replace(person, identifiers=(passport,))
    b = replace(org, source="other", identifiers=(Identifier("registration", "P1234567"),),
                addresses=(Address("1 Main Street 12", country="ir"),))
    assert links_of(a, b) == []


def test_union_refuses_two_listings_of_one_list_and_oversized_chains():
    # A chain a-b-c where a and c are both on list X: c stays out of a's party.
    keys = {0: "X", 1: "Y", 2: "X"}
    links = [Link(0, 1, "identifier", "id"), Link(1, 2, "name", "name + country")]
    assert cluster(links, keys) == {0: [0, 1]}
    # The stronger link wins the contested member, whatever the order given.
    links = [Link(1, 2, "identifier", "id"), Link(0, 1, "name", "name + country")]
    assert cluster(links, keys) == {1: [1, 2]}
    # A chain over more lists than one party is ever on is cut at MAX_CLUSTER.
    n = MAX_CLUSTER + 5
    chain = [Link(i, i + 1, "identifier", "id") for i in range(n - 1)]
    groups = cluster(chain, {i: f"L{i}" for i in range(n)})
    assert max(len(m) for m in groups.values()) <= MAX_CLUSTER


def test_a_split_keeps_its_sides_apart():
    keys = {0: "A", 1: "B", 2: "C"}
    ids = {0: "a:1", 1: "b:1", 2: "c:1"}
    links = [Link(0, 1, "reference", "r"), Link(1, 2, "name", "n"), Link(0, 2, "name", "n")]
    assert cluster(links, keys) == {0: [0, 1, 2]}
    apart = [(frozenset({"c:1"}), frozenset({"a:1", "b:1"}))]
    assert cluster(links, keys, apart, ids) == {0: [0, 1]}
