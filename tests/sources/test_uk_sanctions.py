"""UK Sanctions List (FCDO) XML reader, on a sample in the published layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradescreen.sources import detect, read, uk_sanctions
from tradescreen.sources.base import SourceError

SAMPLE = Path(__file__).parent.parent / "fixtures" / "uk" / "uk_sanctions_sample.xml"


@pytest.fixture(scope="module")
def entities() -> dict:
    return {e.source_id: e for e in uk_sanctions.read([SAMPLE]).entities}


def test_read_end_to_end() -> None:
    assert detect([SAMPLE]) == "uk_sanctions_xml"
    result = read(SAMPLE)
    assert (result.source, result.format, result.published) == (
        "gb_fcdo", "uk_sanctions_xml", "2025-08-20"
    )
    assert [e.source_id for e in result.entities] == [
        "AFG0006", "AFG0001", "DPR0075", "RUS9001", "RUS9002", "RUS9003"
    ]
    assert {e.schema for e in result.entities} == {"Person", "Organization", "Vessel"}


def test_individual(entities: dict) -> None:
    akhund = entities["AFG0006"]
    assert akhund.schema == "Person"
    assert [(n.value, n.kind, n.strength) for n in akhund.names] == [
        ("MOHAMMAD HASSAN AKHUND", "primary", "strong"),
        ("Mohammad Hassan Akhund", "alias", "strong"),
        ("Haji Mohammad Hassan", "alias", "strong"),
        ("محمد حسن آخوند", "original", "strong"),
    ]
    assert akhund.names[3].lang == "ps"
    # Masked days/months keep only the known precision.
    assert [(d.text, d.iso) for d in akhund.birth_dates] == [
        ("dd/mm/1945", "1945"), ("dd/mm/1946", "1946"), ("01/03/1958", "1958-03-01")
    ]
    assert akhund.nationalities == ("af",)
    assert akhund.birth_places == ("Kandahar, Afghanistan",)
    assert akhund.titles[:2] == ("Mullah", "Haji")
    assert akhund.gender == "male"
    assert akhund.listed_on == "2001-01-25"
    assert akhund.programs == ("The Afghanistan (Sanctions) (EU Exit) Regulations 2020",)
    assert akhund.properties["un_reference_number"] == ("TAi.002",)
    assert akhund.properties["sanctions_imposed"] == ("Asset freeze", "Travel Ban")
    assert akhund.remarks == "A close associate of Mullah Mohammed Omar."


def test_entity_weak_alias_addresses_relations(entities: dict) -> None:
    exchange = entities["AFG0001"]
    assert exchange.schema == "Organization"
    assert ("Haji Hakim Hawala", "weak") in {(n.value, n.strength) for n in exchange.names}
    assert [a.country for a in exchange.addresses] == ["af", "pk"]
    assert exchange.countries == ("af", "pk")
    company = entities["RUS9002"]
    assert {(r.kind, r.target_name) for r in company.relations} == {
        ("parent", "Volga Aero Holding LLC"),
        ("subsidiary", "Volga Drone Components Service LLC"),
    }
    schemes = {(i.scheme, i.value) for i in company.identifiers}
    assert {("registration", "1161690123456"), ("phone", "+7 843 555 01 02"),
            ("website", "www.volga-drone.example")} <= schemes
    assert ("АО «Волжские компоненты БПЛА»", "original", "ru") in {
        (n.value, n.kind, n.lang) for n in company.names
    }


def test_person_identifiers_and_partial_dob(entities: dict) -> None:
    person = entities["RUS9001"]
    assert [(d.text, d.iso) for d in person.birth_dates] == [("dd/05/1968", "1968-05")]
    assert {(i.scheme, i.value) for i in person.identifiers} == {
        ("passport", "721234567"), ("national_id", "165012345678"),
        ("email", "p.kolobov@example.ru"),
    }
    assert person.names[-1].value == "Павел Сергеевич КОЛОБОВ"


def test_ships_imo_flag_owner(entities: dict) -> None:
    petrel, star = entities["DPR0075"], entities["RUS9003"]
    assert petrel.schema == star.schema == "Vessel"
    assert [(i.scheme, i.value) for i in petrel.identifiers] == [("imo", "9562233")]
    assert [(i.scheme, i.value) for i in star.identifiers] == [("imo", "9187629")]
    assert petrel.countries == ("km",)
    assert star.countries == ("cm",)
    assert star.properties["previous_flags"] == ("Liberia",)
    assert star.properties["vessel_type"] == ("Crude Oil Tanker",)
    assert [(r.kind, r.target_name) for r in star.relations] == [
        ("vessel_owner", "Nordic Star Maritime Ltd")
    ]


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda x: x[: len(x) // 2], "not well-formed"),
        (lambda x: x.replace("Designations>", "Designationz>"), "expected <Designations>"),
        (lambda x: "<ArrayOfFinancialSanctionsTarget/>", "OFSI"),
        (lambda x: "garbage, not xml at all", "not well-formed"),
        (lambda x: x.replace("<UniqueID>AFG0001</UniqueID>", ""), "without UniqueID"),
        (lambda x: x.replace(">Ship<", ">Aircraft<", 1), "unknown IndividualEntityShip"),
    ],
)
def test_malformed_files(tmp_path: Path, mutate, message: str) -> None:
    path = tmp_path / "uk.xml"
    path.write_text(mutate(SAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(SourceError, match=message):
        uk_sanctions.read([path])
