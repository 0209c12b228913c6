"""Australia DFAT consolidated xlsx reader, on the real list file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from openpyxl import Workbook

from tradescreen import sources
from tradescreen.model import Entity
from tradescreen.sources import australia
from tradescreen.sources.base import ListRead, SourceError


@pytest.fixture(scope="module")
def xlsx(data_dir: Path) -> Path:
    return data_dir / "australia" / "regulation8_consolidated.xlsx"


@pytest.fixture(scope="module")
def result(xlsx: Path) -> ListRead:
    return australia.read([xlsx])


@pytest.fixture(scope="module")
def by_id(result: ListRead) -> dict[str, Entity]:
    return {e.source_id: e for e in result.entities}


def test_one_entity_per_base_reference(result: ListRead) -> None:
    """3,062 entities from 9,553 name rows.

    The sheet has 9,560 rows under the header: 9,553 carry a name, 7 are blank. SOURCE.md's
    "9,554 distinct references" counts those 9,553 distinct reference cells plus the blank one.
    Every name row is its own reference (7306, 7306a, 7306b, 1276c1, ...); grouping them by the
    numeric base gives 3,062 listings, each with exactly one "Primary Name" row.
    """
    assert result.source == "au_dfat"
    assert result.format == "au_dfat_xlsx"
    assert len(result.entities) == 3062
    rows = sum(len(e.properties["references"]) for e in result.entities)
    assert rows == 9553
    ids = [e.source_id for e in result.entities]
    assert len(ids) == len(set(ids))
    assert all(e.names[0].kind == "primary" for e in result.entities)
    assert all(sum(n.kind == "primary" for n in e.names) == 1 for e in result.entities)


def test_published_is_newest_control_date(result: ListRead) -> None:
    assert result.published == "2024-11-11"


def test_type_variants_normalised(result: ListRead) -> None:
    """'Entity ', 'individual', 'Individual ' all map; nothing falls through to LegalEntity."""
    schemas = Counter(e.schema for e in result.entities)
    assert set(schemas) == {"Person", "Organization", "Company"}
    assert schemas["Person"] == 2316


def test_shahed_aviation_industries_merged(by_id: dict[str, Entity]) -> None:
    shahed = by_id["7306"]
    assert [(n.value, n.kind) for n in shahed.names] == [
        ("Shahed Aviation Industries", "primary"),
        ("Shahed Aviation Industries Research Centre", "alias"),
        ("Shahed Aviation Industries Complex", "alias"),
    ]
    assert shahed.properties["references"] == ("7306", "7306a", "7306b")
    assert shahed.schema == "Organization"
    assert shahed.programs == ("Autonomous (Ukraine)",)
    assert shahed.properties["control_date"] == ("2022-12-10",)
    assert shahed.addresses[0].country == "ir"
    assert shahed.remarks is not None and "Unmanned Aerial Vehicles" in shahed.remarks


def test_qods_and_kupol(by_id: dict[str, Entity]) -> None:
    assert "Qods Aviation Industries" in {n.value for n in by_id["7747"].names}
    kupol = by_id["7904"]
    assert kupol.schema == "Company"  # "... Joint Stock Company"
    assert kupol.addresses[0].country == "ru"  # no commas: "... 426033 Russia"


def test_original_script_and_dates(by_id: dict[str, Entity]) -> None:
    akhund = by_id["2"]
    assert ("محمد حسن أخوند", "original") in {(n.value, n.kind) for n in akhund.names}
    # "a) Approximately 1955- 1958 b) Approximately 1945-1950": two dates, text kept.
    assert [(d.text, d.iso, d.circa) for d in akhund.birth_dates] == [
        ("Approximately 1955- 1958", "1955", True),
        ("Approximately 1945-1950", "1945", True),
    ]
    assert akhund.nationalities == ("af",)
    assert akhund.listed_on == "2001-01-25"  # "Listed by UN 1267 Committee on 25 January 2001"


def test_date_of_birth_cell_kinds(result: ListRead) -> None:
    dates = [d for e in result.entities for d in e.birth_dates]
    assert any(len(d.iso or "") == 10 and d.text == d.iso for d in dates)  # Excel dates
    assert any(d.text == "1969" and d.iso == "1969" for d in dates)  # bare year (int cell)
    assert any(d.text.lower().startswith("circa") and d.circa for d in dates)
    assert any(d.text == "23-Apr-68" and d.iso is None for d in dates)  # unparseable, kept


def test_identifiers_from_additional_information(by_id: dict[str, Entity]) -> None:
    imo = {(i.scheme, i.value) for i in by_id["3164"].identifiers}
    assert ("imo", "5342883") in imo


def test_detection_end_to_end(xlsx: Path) -> None:
    read = sources.read(xlsx)
    assert read.format == "au_dfat_xlsx"
    assert len(read.entities) == 3062


def test_not_a_zip(tmp_path: Path) -> None:
    bad = tmp_path / "list.xlsx"
    bad.write_bytes(b"Reference,Name\n1,ACME\n")
    with pytest.raises(SourceError, match="list.xlsx: not an xlsx workbook"):
        australia.read([bad])


def test_truncated_workbook(xlsx: Path, tmp_path: Path) -> None:
    bad = tmp_path / "cut.xlsx"
    raw = xlsx.read_bytes()
    bad.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(SourceError, match="cut.xlsx"):
        australia.read([bad])


def test_garbage_bytes(tmp_path: Path) -> None:
    bad = tmp_path / "garbage.xlsx"
    bad.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(SourceError, match="garbage.xlsx"):
        australia.read([bad])


def test_empty_file(tmp_path: Path) -> None:
    bad = tmp_path / "empty.xlsx"
    bad.write_bytes(b"")
    with pytest.raises(SourceError, match="empty.xlsx: empty file"):
        australia.read([bad])


def test_wrong_header(tmp_path: Path) -> None:
    bad = tmp_path / "other.xlsx"
    book = Workbook()
    book.active.append(["Ref", "Name"])
    book.active.append([1, "ACME"])
    book.save(bad)
    with pytest.raises(SourceError, match="other.xlsx: sheet .* header lacks Reference"):
        australia.read([bad])


def test_reference_without_number(tmp_path: Path) -> None:
    bad = tmp_path / "noref.xlsx"
    book = Workbook()
    book.active.title = "Sheet1"
    book.active.append(["Reference", "Name of Individual or Entity", "Type", "Name Type",
                        "Committees"])
    book.active.append(["x1", "ACME", "Entity", "Primary Name", "Autonomous (Iran)"])
    book.save(bad)
    with pytest.raises(SourceError, match="noref.xlsx: row 2 has no numeric Reference"):
        australia.read([bad])
