"""Consolidation evidence beyond a shared name key, on real entries of the lists: names written
differently, mistyped birth days, what OFAC says instead of a nationality, legal forms,
OpenSanctions' referents, and chains that a name and a country alone must not close."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tradescreen.consolidate.agree import agreeing_words, date_slip
from tradescreen.consolidate.link import Link, cluster, find_links, link_parties
from tradescreen.consolidate.profile import profile
from tradescreen.index.clusters import Collector
from tradescreen.index.records import to_record
from tradescreen.index.write import record_forms as build_forms
from tradescreen.model import Entity, Name
from tradescreen.sources import read

LISTS = (
    "ofac/sdn_2024-05-03",
    "un/consolidated.xml",
    "australia/regulation8_consolidated.xlsx",
    "canada/sema-lmes.xml",
    "opensanctions/yente_fixtures/zala_entities.ftm.json",
)


@pytest.fixture(scope="module")
def entries(data_dir: Path) -> dict[str, Entity]:
    found: dict[str, Entity] = {}
    for path in LISTS:
        for e in read(data_dir / path).entities:
            found[e.id] = e
    return found


def links_of(*entities: Entity) -> list[Link]:
    return find_links([profile(e, to_record(e, "s"), i) for i, e in enumerate(entities)])


def test_names_written_differently_link_on_a_shared_birth_day(entries):
    # "GADDAFI, Saadi" (OFAC) and "SAADI QADHAFI" (DFAT): no shared name key, the same day.
    ofac = replace(entries["us_ofac_sdn:12629"], identifiers=())  # held out: a passport
    au = replace(entries["au_dfat:1246"], identifiers=())
    (link,) = links_of(ofac, au)
    assert link.kind == "name"
    assert "name words" in link.evidence and "birth date 1973-05-27" in link.evidence
    # The same words with another birth day are two people.
    other = replace(au, birth_dates=(replace(au.birth_dates[0], iso="1950-02-03"),))
    assert links_of(ofac, other) == []


def test_a_mistyped_birth_day_links_only_with_a_country(entries):
    # The UN and DFAT give CHU HYO'K one day apart (22 / 23 November 1986), both in the DPRK.
    un = replace(entries["un_sc:KPi.065"], identifiers=())  # held out: a passport
    au = replace(entries["au_dfat:3431"], identifiers=())
    (link,) = links_of(un, au)
    assert "1986-11-22 ~ 1986-11-23" in link.evidence and "country kp" in link.evidence
    assert date_slip("1986-11-22", "1986-11-23") == "day"
    assert date_slip("1956-02-21", "1961-02-21") == "digit"
    assert date_slip("1956-02-21", "1961-03-21") is None
    # Without a country on one side, a day apart is two birth days.
    bare = replace(au, countries=(), nationalities=(), addresses=(), programs=(),
                   properties={})
    assert links_of(un, bare) == []


def test_ofac_birth_place_and_passport_country_place_a_person(entries):
    # OFAC gives HAMDAN no nationality, only "POB Al-Mukalla, Yemen" and a Yemeni passport; with
    # the UN's 1965 and Yemen, the name and year are one man.
    ofac, un = entries["us_ofac_sdn:6941"], entries["un_sc:QDi.003"]
    p = profile(ofac, to_record(ofac, "s"), 0)
    assert "ye" in p.countries
    (link,) = links_of(replace(ofac, identifiers=()), replace(un, identifiers=()))
    assert "birth year 1965" in link.evidence and "country ye" in link.evidence


def test_an_ofac_programme_code_names_the_regime_country(entries):
    # Canada's Russia regime and OFAC's RUSSIA-EO14024 on a vessel name no third listing bears.
    ca, ofac = entries["ca_sema:russia-s1.1-82"], entries["us_ofac_sdn:47218"]  # HS Everett
    p = profile(ofac, to_record(ofac, "s"), 0)
    assert "ru" in p.programme_countries
    (link,) = links_of(replace(ca, identifiers=()), replace(ofac, identifiers=()))
    assert "programme country ru" in link.evidence
    # A one-word name with a regime's country is a brand, not a party.
    assert links_of(replace(ca, names=(Name("Everett"),), identifiers=()),
                    replace(ofac, names=(Name("EVERETT"),), identifiers=())) == []


def test_different_legal_forms_of_one_name_are_two_companies(entries):
    zala = entries["os_zala:NK-cPks3aTbes8k4aCerfBAzN"]  # ZALA AERO JSC, Moscow
    ofac = entries["us_ofac_sdn:45934"]  # LIMITED LIABILITY COMPANY ZALA AERO, RUSSIA-EO14024
    bare_zala = replace(zala, identifiers=(), birth_dates=())
    bare_ofac = replace(ofac, identifiers=())
    assert links_of(bare_zala, bare_ofac) == []
    # The same name as a joint-stock company on both lists is one company.
    jsc = replace(bare_ofac, names=(Name("JOINT STOCK COMPANY ZALA AERO"),))
    (link,) = links_of(bare_zala, jsc)
    assert "aero zala" in link.evidence


def test_opensanctions_referents_are_references(entries):
    # The zala dataset's LLC CST lists "ofac-45928" among its referents.
    zala = next(e for e in entries.values() if e.source == "os_zala"
                and "ofac-45928" in e.properties.get("referents", ()))
    ofac = entries["us_ofac_sdn:45928"]
    p = profile(zala, to_record(zala, "s"), 0)
    assert "ofac:45928" in p.refs
    kinds = {k.kind for k in links_of(zala, ofac)}
    assert kinds == {"reference"}


def test_a_name_and_country_join_a_party_of_several_only_through_two_members():
    keys = {0: "A", 1: "B", 2: "C", 3: "D"}
    strong = Link(0, 1, "name", "name 'x y' + birth date 1970-01-01")
    weak = "name 'x' + country ru"
    # One weak link from a listing to a party of two: a chain through an alias; refused.
    assert cluster([strong, Link(1, 2, "name", weak)], keys) == {0: [0, 1]}
    # Linked to both members, it joins.
    assert cluster([strong, Link(1, 2, "name", weak), Link(0, 2, "name", weak)],
                   keys) == {0: [0, 1, 2]}
    assert Link(1, 2, "name", weak).weak
    assert not strong.weak
    assert not Link(0, 1, "name", "name 'x' + birth year 1960 + country ru").weak


def test_no_chain_joins_two_registration_numbers():
    keys = {0: "A", 1: "B", 2: "C"}
    links = [Link(0, 1, "name", "name 'x y z' + programme SDGT"),
             Link(1, 2, "name", "name 'x y z' + programme SDGT")]
    numbers = {0: frozenset({"reg:111111"}), 2: frozenset({"reg:222222"})}
    assert cluster(links, keys) == {0: [0, 1, 2]}
    assert cluster(links, keys, numbers=numbers) == {0: [0, 1]}


def test_name_words_agree_across_romanisations():
    assert agreeing_words(("gaddafi", "saadi"), ("qadhafi", "saadi")) == ["saadi", "gaddafi"]
    assert agreeing_words(("khemais", "sami", "essid"),
                          ("khamis", "saleh", "sami", "elsseid")) == ["sami", "khemais"]
    assert agreeing_words(("ali", "hassan"), ("ali", "karimi")) == ["ali"]


def test_the_build_reuses_its_name_forms(entries):
    # The collector's profiles, from the tokens the index writer made, are the profiles of
    # the entries normalised afresh.
    chosen = [entries[i] for i in ("us_ofac_sdn:12629", "au_dfat:1246", "un_sc:KPi.065",
                                   "au_dfat:3431", "us_ofac_sdn:45934",
                                   "os_zala:NK-cPks3aTbes8k4aCerfBAzN")]
    records = [to_record(e, "s") for e in chosen]
    collector = Collector()
    for pos, (e, r) in enumerate(zip(chosen, records, strict=True)):
        collector.observe(e, r)
        forms = build_forms(r)
        collector.names(pos, tuple(None if f is None else (f.tokens, f.abjad, f.legal_forms)
                                   for f in forms))
    built = collector._complete()
    fresh = [profile(e, r, i) for i, (e, r) in enumerate(zip(chosen, records, strict=True))]
    assert built == fresh
    assert link_parties(built)[1] == link_parties(fresh)[1]
