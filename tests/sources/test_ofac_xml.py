"""OFAC classic XML reader (`sdnList` schema) on the real consolidated.xml."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradescreen import sources
from tradescreen.model import Entity
from tradescreen.sources import ofac_xml
from tradescreen.sources.base import ListRead, SourceError


@pytest.fixture(scope="module")
def xml_path(data_dir: Path) -> Path:
    return data_dir / "ofac" / "consolidated_nonsdn_xml" / "consolidated.xml"


@pytest.fixture(scope="module")
def result(xml_path: Path) -> ListRead:
    return ofac_xml.read([xml_path])


@pytest.fixture(scope="module")
def by_id(result: ListRead) -> dict[str, Entity]:
    return {e.source_id: e for e in result.entities}


def test_counts_and_metadata(result: ListRead) -> None:
    assert len(result.entities) == 443
    assert result.source == "us_ofac_cons"
    assert result.format == "ofac_xml"
    assert result.published == "2025-03-28"
    assert list(result.files) == ["consolidated.xml"]


def test_detection_end_to_end(xml_path: Path) -> None:
    result = sources.read(xml_path.parent)
    assert (result.format, result.source, len(result.entities)) == ("ofac_xml", "us_ofac_cons", 443)


def test_individual_names_weak_aliases_dob(by_id: dict[str, Entity]) -> None:
    person = by_id["9647"]
    assert person.schema == "Person"
    assert person.caption == "ZAHHAR, Mahmoud Khaled"  # "LAST, First" as in the CSV
    weak = [n.value for n in person.names if n.strength == "weak"]
    assert weak == ["ZAHAR, Mahmoud", "AL-ZAHAR, Mahmoud"]
    assert person.birth_dates[0].iso == "1945"
    assert person.birth_places == ("Gaza Strip",)
    assert person.gender == "male"
    # The classic XML keeps "Linked To" only in remarks, in parentheses.
    assert [(r.kind, r.target_name) for r in person.relations] == [("linked_to", "HAMAS")]


def test_company_ids_features_address(by_id: dict[str, Entity]) -> None:
    bank = by_id["18268"]
    assert bank.caption == "EXIMBANK OF RUSSIA JSC"
    assert bank.schema == "Company"
    assert bank.programs == ("UKRAINE-EO13662", "RUSSIA-EO14024")
    ids = {(i.scheme, i.value, i.country) for i in bank.identifiers}
    assert {
        ("ogrn", "1027739109133", "ru"), ("inn", "7704001959", "ru"),
        ("lei", "253400HA6URWT39X2982", None), ("bic", "EXIRRUMM", None),
        ("website", "eximbank.ru", None),
    } <= ids
    assert bank.birth_dates[0].iso == "1994-05-24"  # Organization Established Date
    assert bank.addresses[0].city == "Moscow"
    assert bank.addresses[0].postal_code == "123610"
    assert bank.addresses[0].country == "ru"
    assert bank.properties["target_type"] == ("Financial Institution",)
    assert bank.relations[0].target_name.endswith("VNESHECONOMBANK")


def test_agrees_with_legacy_csv_on_names(data_dir: Path, by_id: dict[str, Entity]) -> None:
    csv_read = sources.read(data_dir / "ofac" / "consolidated_nonsdn_csv")
    csv_by_id = {e.source_id: e for e in csv_read.entities}
    # Same list, two formats, a few months apart: nearly every record matches name for name,
    # weak aliases included (the CSV has them only in remarks).
    shared = set(csv_by_id) & set(by_id)
    assert len(shared) >= 440
    same = sum(
        {(n.value, n.strength) for n in csv_by_id[k].names}
        == {(n.value, n.strength) for n in by_id[k].names}
        for k in shared
    )
    assert same / len(shared) > 0.95


def _write(tmp_path: Path, data: bytes, name: str = "consolidated.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_cut_mid_element(xml_path: Path, tmp_path: Path) -> None:
    data = xml_path.read_bytes()
    path = _write(tmp_path, data[: len(data) // 2])
    with pytest.raises(SourceError, match=r"consolidated\.xml: malformed XML"):
        ofac_xml.read([path])


def test_record_count_mismatch(xml_path: Path, tmp_path: Path) -> None:
    data = xml_path.read_bytes().replace(b"<Record_Count>443<", b"<Record_Count>444<")
    with pytest.raises(SourceError, match=r"Record_Count 444 but holds 443"):
        ofac_xml.read([_write(tmp_path, data)])


def test_binary_and_empty(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"garbage\.xml: malformed XML"):
        ofac_xml.read([_write(tmp_path, bytes(range(256)) * 16, "garbage.xml")])
    with pytest.raises(SourceError, match=r"empty\.xml: malformed XML"):
        ofac_xml.read([_write(tmp_path, b"", "empty.xml")])


def test_other_xml_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, b"<?xml version='1.0'?><other><a/></other>", "sdn.xml")
    with pytest.raises(SourceError, match=r"sdn\.xml: .*not sdnList"):
        ofac_xml.read([path])


def test_source_from_file_name() -> None:
    assert ofac_xml.source_for("SDN.XML") == "us_ofac_sdn"
    assert ofac_xml.source_for("consolidated.xml") == "us_ofac_cons"
