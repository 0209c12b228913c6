"""UN Security Council consolidated XML reader, on the real list file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tradescreen import sources
from tradescreen.model import Entity
from tradescreen.sources import un_xml
from tradescreen.sources.base import ListRead, SourceError


@pytest.fixture(scope="module")
def un_file(data_dir: Path) -> Path:
    return data_dir / "un" / "consolidated.xml"


@pytest.fixture(scope="module")
def result(un_file: Path) -> ListRead:
    return un_xml.read([un_file])


@pytest.fixture(scope="module")
def by_id(result: ListRead) -> dict[str, Entity]:
    return {e.source_id: e for e in result.entities}


def test_counts_and_header(result: ListRead) -> None:
    assert result.source == "un_sc"
    assert result.format == "un_xml"
    assert result.published == "2026-02-27"  # root dateGenerated="2026-02-27T00:00:09.554Z"
    assert list(result.files) == ["consolidated.xml"]
    schemas = Counter(e.schema for e in result.entities)
    assert len(result.entities) == 1003
    assert schemas["Person"] == 730  # <INDIVIDUAL>
    assert schemas["Organization"] + schemas["Company"] == 273  # <ENTITY>


def test_source_ids_unique(result: ListRead) -> None:
    ids = [e.source_id for e in result.entities]
    assert len(ids) == len(set(ids))


def test_shahid_bagheri_industrial_group(by_id: dict[str, Entity]) -> None:
    """IRe.066: the UN gives the abbreviation inside the name and no <ENTITY_ALIAS> values."""
    sbig = by_id["IRe.066"]
    assert sbig.caption == "SHAHID BAGHERI INDUSTRIAL GROUP (SBIG)"
    assert sbig.schema == "Organization"
    assert sbig.programs == ("Iran", "IR")
    assert sbig.listed_on == "2006-12-23"
    assert sbig.properties["dataid"] == ("110338",)
    assert sbig.remarks is not None and "Subordinate entity of AIO" in sbig.remarks
    # Its subordinates point back at it by abbreviation.
    assert by_id["IRe.068"].caption == "SHAHID KARRAZI INDUSTRIES"


def test_entity_aliases(by_id: dict[str, Entity]) -> None:
    komid = by_id["KPe.001"]
    assert komid.schema == "Company"  # "... TRADING CORPORATION"
    aliases = [n.value for n in komid.names if n.kind == "alias"]
    assert "CHANGGWANG SINYONG CORPORATION" in aliases
    assert komid.addresses[0].country == "kp"


def test_person_names_quality_and_script(by_id: dict[str, Entity]) -> None:
    person = by_id["QDi.001"]
    assert person.caption == "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE"  # four name parts joined
    kinds = {(n.kind, n.strength) for n in person.names}
    assert ("original", "strong") in kinds  # NAME_ORIGINAL_SCRIPT
    weak = [n.value for n in person.names if n.strength == "weak"]  # QUALITY "Low"
    assert "Seif al Adel" in weak
    assert person.nationalities == ("eg",)
    assert [d.iso for d in person.birth_dates] == ["1963-04-11", "1960-04-11"]


def test_birth_date_kinds(result: ListRead) -> None:
    dates = [d for e in result.entities for d in e.birth_dates]
    approx = [d for d in dates if d.text.startswith("circa ")]
    ranges = [d for d in dates if d.text.startswith("between ")]
    assert approx and all(d.circa and d.iso for d in approx)
    assert ranges and all(d.circa and d.iso and len(d.iso) == 4 for d in ranges)
    assert any(d.text == "between 1977 and 1982" for d in ranges)


def test_documents_and_gender(result: ListRead, by_id: dict[str, Entity]) -> None:
    schemes = Counter(i.scheme for e in result.entities for i in e.identifiers)
    assert schemes["passport"] > 250
    assert schemes["national_id"] > 100
    passports = [i for e in result.entities for i in e.identifiers if i.scheme == "passport"]
    assert any(i.country == "eg" and i.value == "6487" for i in passports)
    assert by_id["CDi.001"].gender == "male"
    assert by_id["CDi.001"].countries == ("rw",)


def test_titles_and_programs(result: ListRead) -> None:
    assert any(e.titles for e in result.entities)
    programs = Counter(e.programs[0] for e in result.entities)
    assert programs["Al-Qaida"] == 341
    assert programs["DPRK"] == 155


def test_detection_end_to_end(un_file: Path) -> None:
    read = sources.read(un_file)
    assert read.format == "un_xml"
    assert len(read.entities) == 1003
    assert sources.read(un_file.parent).format == "un_xml"  # the folder, SOURCE.md skipped


def test_truncated_xml(un_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "consolidated.xml"
    raw = un_file.read_bytes()
    bad.write_bytes(raw[: len(raw) // 2])  # cut mid-element
    with pytest.raises(SourceError, match="consolidated.xml.*truncated"):
        un_xml.read([bad])


def test_garbage_bytes(tmp_path: Path) -> None:
    bad = tmp_path / "garbage.xml"
    bad.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(SourceError, match="garbage.xml"):
        un_xml.read([bad])


def test_empty_file(tmp_path: Path) -> None:
    bad = tmp_path / "empty.xml"
    bad.write_bytes(b"")
    with pytest.raises(SourceError, match="empty.xml: empty file"):
        un_xml.read([bad])


def test_wrong_root(tmp_path: Path) -> None:
    bad = tmp_path / "other.xml"
    bad.write_text("<?xml version='1.0'?><data-set><record/></data-set>", encoding="utf-8")
    with pytest.raises(SourceError, match="not a UN"):
        un_xml.read([bad])
