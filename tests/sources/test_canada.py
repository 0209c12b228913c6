"""Canada SEMA XML reader, on the current and the 2020 (older schema) list files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tradescreen import sources
from tradescreen.model import Entity
from tradescreen.sources import canada
from tradescreen.sources.base import ListRead, SourceError
from tradescreen.sources.canada import split_aliases


@pytest.fixture(scope="module")
def new_file(data_dir: Path) -> Path:
    return data_dir / "canada" / "sema-lmes.xml"


@pytest.fixture(scope="module")
def old_file(data_dir: Path) -> Path:
    return data_dir / "canada" / "sema-lmes_2020-04.xml"


@pytest.fixture(scope="module")
def current(new_file: Path) -> ListRead:
    return canada.read([new_file])


@pytest.fixture(scope="module")
def old(old_file: Path) -> ListRead:
    return canada.read([old_file])


def _find(read: ListRead, name: str) -> Entity:
    [entity] = [e for e in read.entities if e.caption == name]
    return entity


def test_current_counts(current: ListRead) -> None:
    assert current.source == "ca_sema"
    assert current.format == "ca_sema_xml"
    assert len(current.entities) == 4759
    assert current.published == "2025-03-20"  # newest <DateOfListing>
    schemas = Counter(e.schema for e in current.entities)
    assert schemas["Person"] == 3334
    assert schemas["Vessel"] == 109
    assert all(e.listed_on for e in current.entities)


def test_old_schema_counts(old: ListRead) -> None:
    assert len(old.entities) == 1369
    assert old.published is None  # the 2020 schema has no <DateOfListing>
    schemas = Counter(e.schema for e in old.entities)
    assert schemas["Person"] == 985
    assert schemas["Organization"] + schemas["Company"] == 384  # <Entity>


@pytest.mark.parametrize("which", ["current", "old"])
def test_source_ids_unique(which: str, request: pytest.FixtureRequest) -> None:
    """Records have no id; regime + schedule + item must be unique within each file."""
    read: ListRead = request.getfixturevalue(which)
    ids = [e.source_id for e in read.entities]
    assert len(ids) == len(set(ids))
    # Unique without the reader's "-2" fallback: every id is exactly its record's key.
    for e in read.entities:
        key = (e.properties["regime"][0], e.properties.get("schedule", (None,))[0],
               e.properties["item"][0])
        assert e.source_id == canada._record_id(*key)


def test_qods_aviation_industries(current: ListRead) -> None:
    qods = _find(current, "Qods Aviation Industries")
    assert qods.source_id == "iran-s1p1-168"
    assert qods.programs == ("CA-SEMA-Iran",)
    assert qods.listed_on == "2022-11-10"
    assert ("صنایع هوایی قدس", "original") in {(n.value, n.kind) for n in qods.names}


def test_kupol_cyrillic_alias(current: ListRead) -> None:
    kupol = _find(current, "Izhevsk Electromechanical Plant Kupol JSC")
    assert kupol.schema == "Company"
    assert kupol.programs == ("CA-SEMA-Russia",)
    assert kupol.listed_on == "2023-02-23"
    original = [n.value for n in kupol.names if n.kind == "original"]
    assert original == ['Акционерное Общество "Ижевский Электромеханический Завод "Купол"']


def test_person_and_vessel(current: ListRead) -> None:
    person = _find(current, "Aleksandr Grigoryevich Lukashenko")  # GivenName + LastName
    assert person.schema == "Person"
    assert person.birth_dates[0].iso == "1954-08-30"
    assert person.programs == ("CA-SEMA-Belarus",)
    vessel = _find(current, "Balitiyskiy III")
    assert vessel.schema == "Vessel"
    assert vessel.identifiers[0].scheme == "imo" and vessel.identifiers[0].value == "7612448"
    assert vessel.properties["vessel_type"] == ("General Cargo / Multi Purpose",)
    assert vessel.birth_dates == ()  # a build year is not a birth date


def test_old_schema_entity_aliases(old: ListRead) -> None:
    htoo = _find(old, "Htoo Furniture")
    aliases = [n.value for n in htoo.names if n.kind == "alias"]
    assert aliases == [
        "Htoo Wood", "Htoo Wood Products", "Htoo Wood Products Pte. Limited",
        "Htoo Wood-Based Industry",
    ]
    assert htoo.programs == ("CA-SEMA-Burma",)


def test_jvcfoa_program(current: ListRead) -> None:
    assert sum(1 for e in current.entities if e.programs == ("CA-JVCFOR",)) == 80


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Language labels split and tag the names after them.
        (
            "Siarhei Karcheusky, Belarusian: Сяргей Карчэўскi,  Russian: Сергей Карчевский",
            [("Siarhei Karcheusky", None), ("Сяргей Карчэўскi", "be"),
             ("Сергей Карчевский", "ru")],
        ),
        # A trailing legal form after a comma belongs to the name.
        ("Море Река Сервис, ООО", [("Море Река Сервис, ООО", None)]),
        # Lower-case continuation: commas inside one Russian name.
        (
            "Министерство образования, науки и молодежи Республики Крым",
            [("Министерство образования, науки и молодежи Республики Крым", None)],
        ),
        # " / " and " or " separate; a slash without spaces does not.
        ("АО \"ННК\" / АО \"Нефть\"", [("АО \"ННК\"", None), ("АО \"Нефть\"", None)]),
        ("Анна Пушкарева or Анна Шейман", [("Анна Пушкарева", None), ("Анна Шейман", None)]),
        ("GORT/ORTAS", [("GORT/ORTAS", None)]),
        # A newline is a line wrap unless the script changes across it.
        (
            "Myanma Five Star Line Company\nLimited",
            [("Myanma Five Star Line Company Limited", None)],
        ),
        ("Abbas Nilforoushan\n عباس نیلفروشان", [("Abbas Nilforoushan", None),
                                              ("عباس نیلفروشان", None)]),
    ],
)
def test_split_aliases(raw: str, expected: list[tuple[str, str | None]]) -> None:
    assert split_aliases(raw) == expected


def test_detection_end_to_end(new_file: Path, old_file: Path) -> None:
    for path, count in ((new_file, 4759), (old_file, 1369)):
        read = sources.read(path)
        assert read.format == "ca_sema_xml"
        assert len(read.entities) == count


def test_folder_with_two_snapshots_is_refused(new_file: Path) -> None:
    with pytest.raises(SourceError, match="one at a time"):
        sources.read(new_file.parent)


def test_truncated_xml(new_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "sema-lmes.xml"
    raw = new_file.read_bytes()
    bad.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(SourceError, match="sema-lmes.xml.*truncated"):
        canada.read([bad])


def test_garbage_bytes(tmp_path: Path) -> None:
    bad = tmp_path / "garbage.xml"
    bad.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(SourceError, match="garbage.xml"):
        canada.read([bad])


def test_empty_file(tmp_path: Path) -> None:
    bad = tmp_path / "empty.xml"
    bad.write_bytes(b"")
    with pytest.raises(SourceError, match="empty.xml: empty file"):
        canada.read([bad])


def test_record_without_name(tmp_path: Path) -> None:
    bad = tmp_path / "noname.xml"
    bad.write_text(
        "<data-set><record><Country>Iran</Country><Item>1</Item></record></data-set>",
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match="noname.xml: record 1 .* no name"):
        canada.read([bad])
