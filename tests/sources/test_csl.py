"""US Consolidated Screening List CSV reader, on the real (gzipped) list file."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest

from tradescreen import sources
from tradescreen.model import Entity
from tradescreen.sources import csl
from tradescreen.sources.base import ListRead, SourceError


@pytest.fixture(scope="module")
def csl_file(data_dir: Path) -> Path:
    return data_dir / "csl" / "consolidated.csv.gz"


@pytest.fixture(scope="module")
def result(csl_file: Path) -> ListRead:
    return csl.read([csl_file])


@pytest.fixture(scope="module")
def by_id(result: ListRead) -> dict[str, Entity]:
    return {e.source_id: e for e in result.entities}


def test_counts_and_header(result: ListRead) -> None:
    assert result.source == "us_csl"
    assert result.format == "csl_csv"
    assert result.published == "2022-05-16"  # gzip header mtime
    assert len(result.entities) == 14159  # one entity per row, a repeated row merged
    sub_lists = Counter(e.properties["sub_list"][0] for e in result.entities)
    assert sub_lists["Specially Designated Nationals (SDN) - Treasury Department"] == 10026
    assert sub_lists["Entity List (EL) - Bureau of Industry and Security"] == 2001


def test_schemas(result: ListRead) -> None:
    schemas = Counter(e.schema for e in result.entities)
    assert schemas["Person"] == 5286
    assert schemas["Vessel"] == 433
    assert schemas["Aircraft"] == 283
    # Untyped rows (BIS/State lists) become LegalEntity unless the name has a legal form.
    assert schemas["LegalEntity"] + schemas["Company"] + schemas["Organization"] == 8157


def test_source_ids_unique(result: ListRead) -> None:
    """`_id` repeats across Treasury sub-lists (same OFAC ent_num), so those rows get a suffix."""
    ids = [e.source_id for e in result.entities]
    assert len(ids) == len(set(ids))


def test_shared_ofac_numbers(by_id: dict[str, Entity]) -> None:
    sdn, ssi, cap = by_id["18725"], by_id["18725-SSI"], by_id["18725-CAP"]
    assert {sdn.caption, ssi.caption, cap.caption} == {"BANCO VTB AFRICA SA"}
    assert "csl_id" not in sdn.properties
    assert ssi.properties["csl_id"] == ("18725",)
    assert sdn.properties["entity_number"] == ("18725",)
    assert any(i.scheme == "bic" and i.value == "VTBLAOLU" for i in sdn.identifiers)
    # BANK OF KUNLUN appears twice on the CAPTA list itself: one entity under the list's id
    # (no invented "-2"), with both rows' URLs, and the repeat reported.
    assert "15268-CAP-2" not in by_id
    assert by_id["15268-CAP"].caption == "BANK OF KUNLUN CO LTD"


def test_repeated_row_is_reported(result: ListRead) -> None:
    [warning] = [w for w in result.warnings if "15268-CAP" in w]
    assert "consolidated.csv.gz: id 15268-CAP is on 2 records" in warning


def test_qods_aviation_industries(result: ListRead) -> None:
    [qods] = [e for e in result.entities if e.caption == "QODS AVIATION INDUSTRIES"]
    assert qods.source_id == "16418"
    assert qods.schema == "Organization"
    assert {"NPWMD", "IFSR"} <= set(qods.programs)
    assert qods.programs[0] == "Specially Designated Nationals (SDN) - Treasury Department"
    aliases = {n.value for n in qods.names if n.kind == "alias"}
    assert aliases == {"QODS RESEARCH CENTER", "GHODS AVIATION INDUSTRIES"}
    assert {a.country for a in qods.addresses} == {"ir"}
    notes = qods.properties["additional_sanctions_information"]
    assert notes == ("Subject to Secondary Sanctions",)


def test_identifiers(result: ListRead, by_id: dict[str, Entity]) -> None:
    vessel = by_id["23156"]
    assert vessel.schema == "Vessel"
    assert ("imo", "8898831") in {(i.scheme, i.value) for i in vessel.identifiers}
    assert vessel.countries == ("kp",)  # vessel_flag
    schemes = Counter(i.scheme for e in result.entities for i in e.identifiers)
    for scheme in ("passport", "national_id", "tax", "inn", "registration", "imo", "bic", "mmsi"):
        assert schemes[scheme] > 0, scheme
    passports = [i for e in result.entities for i in e.identifiers if i.scheme == "passport"]
    assert any(i.country == "jo" and i.value == "K475336" for i in passports)


def test_persons(result: ListRead) -> None:
    persons = [e for e in result.entities if e.schema == "Person"]
    assert sum(1 for p in persons if p.gender) > 2000
    assert sum(1 for p in persons if p.nationalities) > 1000
    circa = [d for p in persons for d in p.birth_dates if d.circa]
    assert circa and all(d.text.startswith("circa") and d.iso for d in circa)


def test_listed_on_and_relations(result: ListRead) -> None:
    listed = [e.listed_on for e in result.entities if e.listed_on]
    assert max(listed) == "2022-04-21"
    assert all(d[:2] in ("19", "20") for d in listed)  # "0097-06-30" kept only as a property
    assert sum(1 for e in result.entities if "start_date" in e.properties) == 3
    linked = [r for e in result.entities for r in e.relations if r.kind == "linked_to"]
    assert any(r.target_name == "MAHAN AIR" for r in linked)


def test_plain_csv(csl_file: Path, tmp_path: Path) -> None:
    plain = tmp_path / "consolidated.csv"
    plain.write_bytes(gzip.decompress(csl_file.read_bytes()))
    read = csl.read([plain])
    assert len(read.entities) == 14159
    assert read.published == "2022-04-21"  # no gzip header: newest start_date
    assert sources.read(plain).format == "csl_csv"


def test_detection_end_to_end(csl_file: Path) -> None:
    read = sources.read(csl_file)
    assert read.format == "csl_csv"
    assert len(read.entities) == 14159


def test_truncated_gzip(csl_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "consolidated.csv.gz"
    raw = csl_file.read_bytes()
    bad.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(SourceError, match="consolidated.csv.gz"):
        csl.read([bad])


def test_truncated_csv_mid_row(csl_file: Path, tmp_path: Path) -> None:
    text = gzip.decompress(csl_file.read_bytes())
    bad = tmp_path / "cut.csv"
    bad.write_bytes(text[: len(text) // 3])
    with pytest.raises(SourceError, match="cut.csv"):
        csl.read([bad])


def test_garbage_bytes(tmp_path: Path) -> None:
    bad = tmp_path / "garbage.csv"
    bad.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(SourceError, match="garbage.csv"):
        csl.read([bad])


def test_empty_file(tmp_path: Path) -> None:
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    with pytest.raises(SourceError, match="empty.csv: empty file"):
        csl.read([bad])


def test_wrong_header(tmp_path: Path) -> None:
    bad = tmp_path / "other.csv"
    bad.write_text("ent_num,SDN_Name,SDN_Type\n1,ACME,Entity\n", encoding="utf-8")
    with pytest.raises(SourceError, match="other.csv: not a CSL CSV; header lacks _id"):
        csl.read([bad])
