"""OFAC Enhanced XML reader on the real CONS_ENHANCED.ZIP."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tradescreen import sources
from tradescreen.model import Entity
from tradescreen.sources import ofac_enhanced, ofac_xml
from tradescreen.sources.base import ListRead, SourceError


@pytest.fixture(scope="module")
def zip_path(data_dir: Path) -> Path:
    return data_dir / "ofac" / "consolidated_nonsdn_enhanced_xml" / "CONS_ENHANCED.ZIP"


@pytest.fixture(scope="module")
def result(zip_path: Path) -> ListRead:
    return ofac_enhanced.read([zip_path])


@pytest.fixture(scope="module")
def by_id(result: ListRead) -> dict[str, Entity]:
    return {e.source_id: e for e in result.entities}


def test_counts_and_metadata(result: ListRead) -> None:
    assert len(result.entities) == 443
    assert result.source == "us_ofac_cons"
    assert result.format == "ofac_enhanced_xml"
    assert result.published == "2025-01-10"
    assert list(result.files) == ["CONS_ENHANCED.ZIP"]


def test_detection_end_to_end(zip_path: Path) -> None:
    result = sources.read(zip_path.parent)
    assert (result.format, result.source, len(result.entities)) == (
        "ofac_enhanced_xml", "us_ofac_cons", 443,
    )


def test_bare_xml_is_accepted(zip_path: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(zip_path) as zf:
        zf.extract("CONS_ENHANCED.XML", tmp_path)
    result = ofac_enhanced.read([tmp_path / "CONS_ENHANCED.XML"])
    assert (result.source, len(result.entities)) == ("us_ofac_cons", 443)


def test_original_script_names_and_relationships(by_id: dict[str, Entity]) -> None:
    bank = by_id["18268"]
    assert bank.caption == "EXIMBANK OF RUSSIA JSC"
    originals = [n for n in bank.names if n.kind == "original"]
    assert ("АО РОСЭКСИМБАНК", "Cyrl") in {(n.value, n.lang) for n in originals}
    assert bank.listed_on == "2015-07-30"
    rel = bank.relations[0]
    assert (rel.kind, rel.target_id, rel.note) == ("owner", "17015", "Owned or Controlled By")
    assert "Sectoral Sanctions Identifications List" in bank.properties["sanctions_lists"]
    ids = {(i.scheme, i.value) for i in bank.identifiers}
    assert {("ogrn", "1027739109133"), ("inn", "7704001959"), ("bic", "EXIRRUMM")} <= ids


def test_individual_features_and_documents(by_id: dict[str, Entity]) -> None:
    person = by_id["26182"]
    assert person.schema == "Person"
    assert person.birth_dates[0].iso == "1980-02-08"
    assert person.nationalities == ("tr",)
    assert person.gender == "male"
    assert ("passport", "U00242309", "tr") in {
        (i.scheme, i.value, i.country) for i in person.identifiers
    }


def test_agrees_with_classic_xml(data_dir: Path, by_id: dict[str, Entity]) -> None:
    classic = ofac_xml.read([data_dir / "ofac" / "consolidated_nonsdn_xml" / "consolidated.xml"])
    classic_by_id = {e.source_id: e for e in classic.entities}
    assert set(classic_by_id) == set(by_id)
    for key, entity in by_id.items():
        enhanced_names = {(n.value, n.strength) for n in entity.names if n.kind != "original"}
        assert enhanced_names == {(n.value, n.strength) for n in classic_by_id[key].names}, key
        assert entity.schema == classic_by_id[key].schema, key


def test_bad_zip(tmp_path: Path) -> None:
    path = tmp_path / "CONS_ENHANCED.ZIP"
    path.write_bytes(b"PK\x03\x04 not really a zip" + bytes(range(256)))
    with pytest.raises(SourceError, match=r"CONS_ENHANCED\.ZIP: not a readable zip"):
        ofac_enhanced.read([path])


def test_xml_cut_mid_element(zip_path: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(zip_path) as zf:
        data = zf.read("CONS_ENHANCED.XML")
    path = tmp_path / "CONS_ENHANCED.XML"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(SourceError, match=r"CONS_ENHANCED\.XML: malformed XML"):
        ofac_enhanced.read([path])
    cut_zip = tmp_path / "CUT.ZIP"
    with zipfile.ZipFile(cut_zip, "w") as zf:
        zf.writestr("CONS_ENHANCED.XML", data[: len(data) // 3])
    with pytest.raises(SourceError, match=r"CUT\.ZIP:CONS_ENHANCED\.XML: malformed XML"):
        ofac_enhanced.read([cut_zip])


def test_empty_and_binary(tmp_path: Path) -> None:
    empty = tmp_path / "SDN_ENHANCED.XML"
    empty.write_bytes(b"")
    with pytest.raises(SourceError, match=r"SDN_ENHANCED\.XML: malformed XML"):
        ofac_enhanced.read([empty])
    garbage = tmp_path / "GARBAGE.XML"
    garbage.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(SourceError, match=r"GARBAGE\.XML: malformed XML"):
        ofac_enhanced.read([garbage])


def test_zip_without_xml(tmp_path: Path) -> None:
    path = tmp_path / "CONS_ENHANCED.ZIP"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("README.txt", "nothing here")
    with pytest.raises(SourceError, match=r"expected one \.xml file"):
        ofac_enhanced.read([path])
