"""OFAC legacy CSV reader on the real list files (counts, spot checks, damaged input)."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from tradescreen import sources
from tradescreen.model import Entity, Name
from tradescreen.sources import ofac_csv
from tradescreen.sources.base import ListRead, SourceError


@pytest.fixture(scope="module")
def ofac(data_dir: Path) -> Path:
    return data_dir / "ofac"


@pytest.fixture(scope="module")
def sdn_2024(ofac: Path) -> ListRead:
    return ofac_csv.read([ofac / "sdn_2024-05-03" / "sdn.csv"])


@pytest.fixture(scope="module")
def by_id(sdn_2024: ListRead) -> dict[str, Entity]:
    return {e.source_id: e for e in sdn_2024.entities}


def test_sdn_2024_counts(sdn_2024: ListRead) -> None:
    assert sdn_2024.source == "us_ofac_sdn"
    assert sdn_2024.format == "ofac_csv"
    assert sdn_2024.published is None
    assert list(sdn_2024.files) == ["sdn.csv"]
    schemas = Counter(e.schema for e in sdn_2024.entities)
    assert len(sdn_2024.entities) == 14965
    assert schemas["Person"] == 6854
    assert schemas["Vessel"] == 851
    assert schemas["Aircraft"] == 376
    # OFAC's untyped records ("-0-") split into Company and Organization.
    assert schemas["Company"] + schemas["Organization"] == 6884
    assert schemas["Company"] > schemas["Organization"]


@pytest.mark.parametrize(
    ("folder", "count", "source"),
    [
        ("sdn_2024-05-03", 14965, "us_ofac_sdn"),
        ("sdn_2024-02-20", 13931, "us_ofac_sdn"),
        ("sdn_2021-07_full_set", 8976, "us_ofac_sdn"),
        ("consolidated_nonsdn_csv", 442, "us_ofac_cons"),
    ],
)
def test_read_folder_end_to_end(ofac: Path, folder: str, count: int, source: str) -> None:
    result = sources.read(ofac / folder)
    assert result.format == "ofac_csv"
    assert result.source == source
    assert len(result.entities) == count
    assert len({e.source_id for e in result.entities}) == count
    assert all(e.names and e.names[0].kind == "primary" for e in result.entities)


def test_full_set_joins_addresses_aliases_and_comments(ofac: Path) -> None:
    result = ofac_csv.read(sorted((ofac / "sdn_2021-07_full_set").iterdir()))
    assert set(result.files) == {"sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"}
    assert "skipped" not in result.title  # a consistent set has no orphans
    by_id = {e.source_id: e for e in result.entities}
    qods = by_id["16418"]
    assert [n.value for n in qods.names] == [
        "QODS AVIATION INDUSTRIES", "QODS RESEARCH CENTER", "GHODS AVIATION INDUSTRIES"
    ]
    assert {a.country for a in qods.addresses} == {"ir"}
    assert qods.countries == ("ir",)
    # sdn_comments.csv continues a remark cut at 1,000 characters, mid-word.
    lazarus = by_id["28263"]
    assert lazarus.remarks is not None and "a.k.a. 'snowsjohn'" in lazarus.remarks
    assert "snowsjohn" in {n.value for n in lazarus.names}
    assert any(r.target_name == "LAZARUS GROUP" for r in lazarus.relations)
    assert "remarks_truncated" not in lazarus.properties


def test_alabuga(by_id: dict[str, Entity]) -> None:
    alabuga = by_id["45708"]
    assert alabuga.caption == (
        "JOINT STOCK COMPANY SPECIAL ECONOMIC ZONE OF INDUSTRIAL PRODUCTION ALABUGA"
    )
    assert alabuga.schema == "Company"
    assert alabuga.programs == ("RUSSIA-EO14024",)
    ids = {(i.scheme, i.value) for i in alabuga.identifiers}
    assert {("inn", "1646019914"), ("ogrn", "1061674037259"), ("registration", "95427882")} <= ids
    assert alabuga.birth_dates[0].iso == "2006-07-24"


def test_alabuga_alias_from_newer_alt_file(ofac: Path) -> None:
    # The 2025 alt.csv carries the alias; joined onto the 2024 sdn.csv, rows for records designated
    # later have nothing to attach to and are reported, not imported.
    result = ofac_csv.read(
        [ofac / "sdn_2024-05-03" / "sdn.csv", ofac / "sdn_2025-02_add_alt_comments" / "alt.csv"]
    )
    alabuga = next(e for e in result.entities if e.source_id == "45708")
    assert Name("AO OEZ PPT ALABUGA", kind="alias", strength="strong") in alabuga.names
    assert "945 alias" in result.title


def test_qods_and_linked_entity(by_id: dict[str, Entity]) -> None:
    qods = by_id["16418"]
    assert qods.programs == ("NPWMD", "IFSR", "IRAN-CON-ARMS-EO", "RUSSIA-EO14024")
    assert ("national_id", "14005441856", "ir") in {
        (i.scheme, i.value, i.country) for i in qods.identifiers
    }
    sarmad = by_id["45696"]
    assert [(r.kind, r.target_name) for r in sarmad.relations] == [
        ("linked_to", "QODS AVIATION INDUSTRIES")
    ]
    assert sarmad.schema == "Company"


def test_weak_alias_from_remarks(by_id: dict[str, Entity]) -> None:
    bnc = by_id["306"]
    assert bnc.names == (Name("BANCO NACIONAL DE CUBA"), Name("BNC", "alias", "weak"))


def test_vessel(by_id: dict[str, Entity]) -> None:
    vessel = by_id["4243"]  # EBANO: IMO in remarks, former names as f.k.a.
    assert vessel.schema == "Vessel"
    assert ("imo", "7406784") in {(i.scheme, i.value) for i in vessel.identifiers}
    assert vessel.countries == ("pa",)
    assert vessel.properties["vessel_type"] == ("General Cargo",)
    assert vessel.properties["tonnage"] == ("2595",)
    assert vessel.properties["gross_registered_tonnage"] == ("1865",)
    assert [n.kind for n in vessel.names] == ["primary", "previous", "previous"]
    tug = by_id["4238"]  # MAR AZUL: call sign and owner columns
    assert ("call_sign", "CL2192") in {(i.scheme, i.value) for i in tug.identifiers}
    assert [(r.kind, r.target_name) for r in tug.relations] == [
        ("vessel_owner", "Samir de Navegacion S.A.")
    ]
    assert tug.countries == ("cu",)
    shahed = by_id["25285"]  # IRAN SHAHED: a vessel, not the UAV maker
    assert shahed.schema == "Vessel"
    assert ("imo", "9184691") in {(i.scheme, i.value) for i in shahed.identifiers}


def test_individual_with_dob_and_circa(by_id: dict[str, Entity]) -> None:
    person = by_id["45710"]
    assert person.schema == "Person"
    assert person.caption == "SHAGIVALEEV, Timur Nailevich"
    assert person.birth_dates[0].iso == "1978-01-28"
    assert person.birth_places == ("Kazan, Russia",)
    assert person.nationalities == ("ru",)
    assert person.gender == "male"
    assert any(i.scheme == "passport" and i.value == "753129173" for i in person.identifiers)
    circa = by_id["9584"]
    assert [(d.text, d.iso, d.circa) for d in circa.birth_dates] == [
        ("1955", "1955", False), ("circa 1952", "1952", True)
    ]


def test_aircraft(by_id: dict[str, Entity]) -> None:
    plane = by_id["15431"]
    assert plane.schema == "Aircraft"
    assert ("aircraft_serial", "1023409321") in {(i.scheme, i.value) for i in plane.identifiers}
    assert plane.properties["operator"] == ("YAS AIR",)


def test_truncated_remarks_without_overflow_are_flagged(by_id: dict[str, Entity]) -> None:
    flagged = [e for e in by_id.values() if "remarks_truncated" in e.properties]
    assert flagged
    assert all(e.remarks is not None and len(e.remarks) >= 999 for e in flagged)


# --- damaged and wrong input -------------------------------------------------------------------


def _copy(ofac: Path, tmp_path: Path, name: str = "sdn.csv") -> Path:
    target = tmp_path / name
    shutil.copyfile(ofac / "sdn_2021-07_full_set" / name, target)
    return target


def test_truncated_file(ofac: Path, tmp_path: Path) -> None:
    path = _copy(ofac, tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # cut mid-record
    with pytest.raises(SourceError, match=r"sdn\.csv: (line \d+|last record).*"):
        ofac_csv.read([path])


def test_truncated_alias_file(ofac: Path, tmp_path: Path) -> None:
    sdn = _copy(ofac, tmp_path)
    alt = _copy(ofac, tmp_path, "alt.csv")
    data = alt.read_bytes()
    alt.write_bytes(data[:1000])
    with pytest.raises(SourceError, match=r"alt\.csv"):
        ofac_csv.read([sdn, alt])


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(SourceError, match=r"sdn\.csv: .*binary"):
        ofac_csv.read([path])


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"")
    with pytest.raises(SourceError, match=r"sdn\.csv: file is empty"):
        ofac_csv.read([path])


def test_wrong_column_count(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA"\r\n\x1a')
    with pytest.raises(SourceError, match=r"sdn\.csv: line 1: 4 columns, expected 12"):
        ofac_csv.read([path])


def test_unknown_file_in_set(ofac: Path, tmp_path: Path) -> None:
    sdn = _copy(ofac, tmp_path)
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(SourceError, match=r"notes\.txt: not part of an OFAC legacy CSV set"):
        ofac_csv.read([sdn, other])


def test_folder_without_primary_file_is_refused(ofac: Path) -> None:
    with pytest.raises(SourceError, match=r"without its primary file"):
        sources.read(ofac / "sdn_2025-02_add_alt_comments")
    with pytest.raises(SourceError, match=r"without its primary file"):
        ofac_csv.read(sorted((ofac / "sdn_2025-02_add_alt_comments").iterdir()))
