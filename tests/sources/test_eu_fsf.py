"""EU Financial Sanctions Files XML reader, on a sample in the published layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradescreen.sources import detect, eu_fsf, read
from tradescreen.sources.base import SourceError

SAMPLE = Path(__file__).parent.parent / "fixtures" / "eu" / "eu_fsf_sample.xml"


@pytest.fixture(scope="module")
def entities() -> dict:
    return {e.source_id: e for e in eu_fsf.read([SAMPLE]).entities}


def test_read_end_to_end() -> None:
    assert detect([SAMPLE]) == "eu_fsf_xml"
    result = read(SAMPLE)
    assert (result.source, result.format, result.published) == (
        "eu_fsf", "eu_fsf_xml", "2024-12-11"
    )
    assert len(result.entities) == 6
    assert set(result.files) == {"eu_fsf_sample.xml"}


def test_person_with_aliases_in_several_scripts(entities: dict) -> None:
    saddam = entities["13"]
    assert saddam.schema == "Person"
    assert [(n.value, n.kind, n.strength, n.lang) for n in saddam.names] == [
        ("Saddam Hussein Al-Tikriti", "primary", "strong", None),
        ("Abu Ali", "alias", "strong", None),
        ("Abou Ali", "alias", "strong", "fr"),
        ("صدام حسين التكريتي", "alias", "strong", "ar"),
    ]
    assert saddam.properties["eu_reference_number"] == ("EU.27.28",)
    assert [d.iso for d in saddam.birth_dates] == ["1937-04-28"]
    assert saddam.nationalities == ("iq",)
    assert saddam.programs == ("IRQ",)
    assert saddam.listed_on == "2003-07-08"
    assert saddam.remarks == "UNSC RESOLUTION 1483"
    assert saddam.gender == "male"


def test_enterprise_with_multilingual_names(entities: dict) -> None:
    front = entities["207"]
    assert front.schema == "Organization"
    assert front.caption == "İslami Büyük Doğu Akıncılar Cephesi"
    langs = {n.lang for n in front.names}
    assert {"bg", "el", "fr"} <= langs
    assert front.programs == ("TERR",)


def test_weak_alias_circa_date_and_identifiers(entities: dict) -> None:
    person = entities["900001"]
    assert ("Vanya", "weak") in {(n.value, n.strength) for n in person.names}
    (born,) = person.birth_dates
    assert (born.iso, born.circa, born.text) == ("1971", True, "circa 1971")
    assert person.birth_places == ("Izhevsk, Udmurt Republic, RUSSIAN FEDERATION",)
    assert {(i.scheme, i.value, i.country) for i in person.identifiers} == {
        ("passport", "753912468", "ru"), ("tax", "183112345678", "ru"),
    }
    assert person.titles == ("General Director of OOO Severny Potok",)
    assert person.listed_on == "2023-06-23"  # designationDate wins over regulation dates


def test_passport_with_unknown_country_and_flags(entities: dict) -> None:
    (passport,) = entities["1"].identifiers
    assert (passport.scheme, passport.value, passport.country) == ("passport", "AD001095", None)
    assert "National passport" in (passport.note or "")
    (expired,) = entities["900003"].identifiers
    assert "knownExpired" in (expired.note or "")


def test_year_range_low_quality_remark_and_un_id(entities: dict) -> None:
    person = entities["900003"]
    assert [(d.text, d.iso) for d in person.birth_dates] == [("1968 to 1970", "1968")]
    assert ("Umm Khalid", "weak") in {(n.value, n.strength) for n in person.names}
    assert person.properties["un_id"] == ("QDi.999",)
    assert person.titles == ("Dr.",)
    assert person.gender == "female"


def test_address_contacts_and_several_programmes(entities: dict) -> None:
    company = entities["900002"]
    (address,) = company.addresses
    assert (address.city, address.postal_code, address.country) == ("Moscow", "125009", "ru")
    schemes = {(i.scheme, i.value) for i in company.identifiers}
    assert ("phone", "+7 495 123 45 67") in schemes
    assert ("email", "info@severny-potok.example") in schemes
    assert ("registration", "1187746123456") in schemes
    assert company.programs == ("UKR", "RUS")
    assert company.countries == ("ru",)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda x: x[: len(x) // 2], "not well-formed"),
        (lambda x: x.replace("<export ", "<exportx ").replace("</export>", "</exportx>"),
         "expected EU FSF"),
        (lambda x: x.replace('xmlns="http://eu.europa.ec/fpi/fsd/export"', ""), "expected EU FSF"),
        (lambda x: "\x00garbage\xff not xml", "not well-formed"),
        (lambda x: x.replace('logicalId="13"', 'logicalId=""', 1), "without logicalId"),
    ],
)
def test_malformed_files(tmp_path: Path, mutate, message: str) -> None:
    path = tmp_path / "eu.xml"
    path.write_text(mutate(SAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(SourceError, match=message):
        eu_fsf.read([path])


def test_export_without_entities(tmp_path: Path) -> None:
    path = tmp_path / "eu.xml"
    path.write_text(
        '<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2024-01-01"/>',
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match="no sanctionEntity"):
        eu_fsf.read([path])
