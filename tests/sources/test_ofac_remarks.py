"""OFAC remarks parsing, on remark strings as they appear in the real list files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tradescreen.model import Identifier, Name, PartialDate, Relation
from tradescreen.sources.ofac_remarks import (
    Facts,
    add_fact,
    entity_schema,
    is_inn,
    is_ogrn,
    parse_remarks,
    split_programs,
    split_remarks,
)


def _remarks(data_dir: Path, folder: str, ent_num: str) -> str:
    text = (data_dir / "ofac" / folder / "sdn.csv").read_bytes().decode("cp1252")
    for row in csv.reader(io.StringIO(text.rstrip("\x1a"), newline="")):
        if row and row[0] == ent_num:
            return row[11]
    raise AssertionError(f"ent_num {ent_num} not in {folder}")


def test_alabuga_company_ids_from_the_real_file(data_dir: Path) -> None:
    facts, unparsed = parse_remarks(_remarks(data_dir, "sdn_2024-05-03", "45708"))
    assert unparsed == []
    assert facts.birth_dates == [PartialDate("24 Jul 2006", "2006-07-24")]
    ids = {(i.scheme, i.value, i.country) for i in facts.identifiers}
    # Russian numbers are recognised by their check digits even where OFAC gives no country.
    assert ("inn", "1646019914", "ru") in ids
    assert ("ogrn", "1061674037259", None) in ids
    assert ("registration", "95427882", "ru") in ids
    assert any("section 11 of Executive Order 14024" in v
               for v in facts.properties["sanctions_info"])


def test_linked_to_and_iranian_ids(data_dir: Path) -> None:
    facts, _ = parse_remarks(_remarks(data_dir, "sdn_2024-05-03", "45696"))
    assert facts.relations == [Relation(kind="linked_to", target_name="QODS AVIATION INDUSTRIES")]
    assert Identifier("national_id", "10260371950", "ir", "Identification Number") in (
        facts.identifiers
    )
    assert facts.birth_dates[0].iso == "2000-07-08"


def test_individual_dob_pob_passport_gender(data_dir: Path) -> None:
    facts, unparsed = parse_remarks(_remarks(data_dir, "sdn_2024-05-03", "45710"))
    assert unparsed == []
    assert facts.birth_dates == [PartialDate("28 Jan 1978", "1978-01-28")]
    assert facts.birth_places == ["Kazan, Russia"]
    assert facts.nationalities == ["ru"]
    assert facts.gender == "male"
    passport = next(i for i in facts.identifiers if i.scheme == "passport")
    assert (passport.value, passport.country) == ("753129173", "ru")
    assert passport.note is not None and "expires 29 Apr 2026" in passport.note
    assert facts.relations[0].target_name.endswith("INDUSTRIAL PRODUCTION ALABUGA")


def test_circa_dates_keep_their_wording() -> None:
    facts, _ = parse_remarks(
        "DOB 1955; alt. DOB circa 1952; POB Kaunayan, Patikul, Jolo Island, the Philippines; "
        "nationality Philippines; a.k.a. 'SAJIRUN, Radulan'; a.k.a. 'COMMANDER PUTOL'."
    )
    assert facts.birth_dates == [
        PartialDate("1955", "1955", False), PartialDate("circa 1952", "1952", True)
    ]
    assert facts.nationalities == ["ph"]


def test_remarks_akas_are_weak_aliases() -> None:
    facts, _ = parse_remarks("a.k.a. 'BNC'.")
    assert facts.names == [Name("BNC", kind="alias", strength="weak")]


def test_alias_quotes_and_apostrophes() -> None:
    facts, _ = parse_remarks(
        "a.k.a. ''FOOPIE''; a.k.a. 'ABU 'ABD AL-'AZIZ'; a.k.a. 'AL-WARD, 'Abd'; f.k.a. 'OLD NAME'."
    )
    assert [n.value for n in facts.names] == [
        "FOOPIE", "ABU 'ABD AL-'AZIZ", "AL-WARD, 'Abd", "OLD NAME"
    ]
    assert {n.strength for n in facts.names} == {"weak"}


def test_vessel_remarks() -> None:
    facts, _ = parse_remarks(
        "Additional Sanctions Information - Subject to Secondary Sanctions; Vessel Registration "
        "Identification IMO 9184691; MMSI 572469210; Former Vessel Flag Tanzania; Linked To: "
        "ISLAMIC REPUBLIC OF IRAN SHIPPING LINES."
    )
    schemes = {(i.scheme, i.value) for i in facts.identifiers}
    assert {("imo", "9184691"), ("mmsi", "572469210")} <= schemes
    assert facts.properties["former_flag"] == ["tz"]
    assert facts.relations[0].target_name == "ISLAMIC REPUBLIC OF IRAN SHIPPING LINES"
    assert facts.properties["sanctions_info"] == [
        "Additional Sanctions Information - Subject to Secondary Sanctions"
    ]


def test_contacts_and_bank_codes() -> None:
    facts, unparsed = parse_remarks(
        "SWIFT/BIC SABRRUMM; Website www.sberbank.ru; alt. Email Address a@b.com; "
        "Phone Number 982188526300; Organization Type: Passenger air transport; "
        "Digital Currency Address - XBT 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h."
    )
    assert unparsed == []
    by_scheme = {i.scheme: i for i in facts.identifiers}
    assert by_scheme["bic"].value == "SABRRUMM"
    assert by_scheme["website"].value == "www.sberbank.ru"
    assert by_scheme["email"].value == "a@b.com"
    assert by_scheme["phone"].value == "982188526300"
    assert by_scheme["other"].note == "Digital Currency Address - XBT"
    assert facts.properties["organization_type"] == ["Passenger air transport"]


def test_value_with_place_country_and_dates() -> None:
    facts, _ = parse_remarks(
        "Registration Number HRA 738077 (Stuttgart) (Germany); "
        "Passport K754050 issued 26 May 1999 expires 25 May 2004"
    )
    reg, passport = facts.identifiers
    assert (reg.value, reg.country) == ("HRA 738077 (Stuttgart)", "de")
    assert passport.value == "K754050"
    assert passport.note == "Passport; issued 26 May 1999; expires 25 May 2004"


def test_free_text_is_left_unparsed() -> None:
    facts, unparsed = parse_remarks(
        "Member of the State Duma of the Federal Assembly of the Russian Federation; Gender Male."
    )
    assert unparsed == [
        "Member of the State Duma of the Federal Assembly of the Russian Federation"
    ]
    assert facts.gender == "male"


def test_truncated_remark_drops_the_partial_last_segment() -> None:
    facts, unparsed = parse_remarks(
        "a.k.a. 'tianyinyin0404'; a.k.a. 'snowsjo", truncated=True
    )
    assert [n.value for n in facts.names] == ["tianyinyin0404"]
    assert unparsed == ["a.k.a. 'snowsjo"]


def test_split_keeps_parenthesised_semicolons_and_abbreviated_endings() -> None:
    assert split_remarks("(Following data: Alt. DOB: 1969; Alt. POB: Keren); Gender Male.") == [
        "Following data: Alt. DOB: 1969; Alt. POB: Keren", "Gender Male"
    ]
    assert split_remarks("Linked To: KPD S.A.") == ["Linked To: KPD S.A."]
    assert split_remarks("(Linked To: HAMAS)") == ["Linked To: HAMAS"]


@pytest.mark.parametrize(
    ("value", "inn", "ogrn"),
    [("1646019914", True, False), ("7704001959", True, False), ("1061674037259", False, True),
     ("1027739109133", False, True), ("1234567890", False, False), ("95427882", False, False)],
)
def test_russian_checksums(value: str, inn: bool, ogrn: bool) -> None:
    assert is_inn(value) is inn
    assert is_ogrn(value) is ogrn


def test_add_fact_rejects_unknown_labels() -> None:
    facts = Facts()
    assert add_fact(facts, "Tax ID No.", "7704001959", "Russia") is True
    assert add_fact(facts, "Favourite Colour", "blue") is False
    assert facts.identifiers == [Identifier("inn", "7704001959", "ru", "Tax ID No.")]


def test_schema_rule() -> None:
    company = Facts(names=[Name("ALBATROS OOO")])
    assert entity_schema("-0-", company) == "Company"
    ministry = Facts(names=[Name("MINISTRY OF DEFENSE AND ARMED FORCES LOGISTICS")])
    assert entity_schema("", ministry) == "Organization"
    assert entity_schema("individual", ministry) == "Person"
    assert entity_schema("vessel", ministry) == "Vessel"
    assert entity_schema("aircraft", ministry) == "Aircraft"


def test_split_programs() -> None:
    assert split_programs("NPWMD] [IFSR] [RUSSIA-EO14024") == ["NPWMD", "IFSR", "RUSSIA-EO14024"]
    assert split_programs("CUBA") == ["CUBA"]
    assert split_programs("") == []
