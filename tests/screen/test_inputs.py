"""Reading what users write: dates, countries, schemas, and CSV files in any encoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradescreen.screen.csvinput import decode, read_csv
from tradescreen.screen.inputs import (
    InputError,
    day_first_of,
    make_query,
    read_birth_date,
    read_countries,
    read_query,
    read_rows,
)


@pytest.mark.parametrize(("text", "iso"), [
    ("1971-3-9", "1971-03-09"),
    ("16/07/1969", "1969-07-16"),
    ("16.07.1969", "1969-07-16"),
    ("16-07-1969", "1969-07-16"),
    ("07/16/1969", "1969-07-16"),
    ("16 Jul 1969", "1969-07-16"),
    ("16 July 1969", "1969-07-16"),
    ("16-JUL-1969", "1969-07-16"),
    ("July 16, 1969", "1969-07-16"),
    ("Jul. 16th, 1969", "1969-07-16"),
    ("16th of July 1969", "1969-07-16"),
    ("1969-07-16 00:00:00", "1969-07-16"),
    ("1969-07-16T00:00:00Z", "1969-07-16"),
    ("19690716", "1969-07-16"),
    ("1969/07/16", "1969-07-16"),
    ("July 1969", "1969-07"),
    ("07/1969", "1969-07"),
    ("1969-07", "1969-07"),
    ("1969", "1969"),
    ("  1969 ", "1969"),
    ("1/1/1960", "1960-01-01"),
])
def test_everyday_dates_are_read_exactly(text: str, iso: str) -> None:
    assert read_birth_date(text) == (iso, None)
    assert make_query("x", birth_date=text).birth_date == iso


@pytest.mark.parametrize(("text", "iso", "warning"), [
    ("03/04/1970", "1970", "day/month or month/day"),
    ("1969-02-30", "1969-02", "not a real day"),
    ("circa 1970", None, "approximate"),
    ("c. 1970", None, "approximate"),
    ("about 1965", None, "approximate"),
    ("1970s", None, "approximate"),
    ("16 juillet 1969", "1969", "only the year"),
    ("sometime", None, "not a date"),
    ("16/07/69", None, "not a date"),
    ("0001-01-01", None, "not a plausible year"),
    ("x" * 5000, None, "not a date"),
])
def test_dates_read_in_part_or_not_at_all_say_so(text: str, iso: str | None, warning: str):
    got, message = read_birth_date(text)
    assert got == iso and message is not None and warning in message
    with pytest.raises(InputError):
        make_query("x", birth_date=text)  # one API request: strict


def test_numeric_date_convention_of_a_file():
    assert day_first_of(["16/07/1969", "03/04/1970"]) is True
    assert day_first_of(["07/16/1969", "03/04/1970"]) is False
    assert day_first_of(["03/04/1970"]) is None
    assert day_first_of(["16/07/1969", "07/16/1969"]) is None  # mixed: no convention
    assert read_birth_date("03/04/1970", day_first=True) == ("1970-04-03", None)
    assert read_birth_date("03/04/1970", day_first=False) == ("1970-03-04", None)


def test_countries_in_common_forms():
    assert read_countries(["U.S.A."]) == (("us",), [])
    assert read_countries(["Iran, Islamic Republic of"]) == (("ir",), [])
    assert read_countries(["China, People's Republic of"]) == (("cn",), [])
    assert read_countries(["Iran; Syria"]) == (("ir", "sy"), [])
    assert read_countries(["IR,SY"]) == (("ir", "sy"), [])
    codes, warnings = read_countries(["Narnia | DE"])
    assert codes == ("de",) and warnings == ["unknown country 'Narnia' (left out)"]


def test_read_query_keeps_the_name_whatever_else_fails():
    query, warnings = read_query("Acme Ltd", "Supplier", "whenever", ["Atlantis"], ["x" * 2000])
    assert query.name == "Acme Ltd" and query.schema == "LegalEntity"
    assert (query.birth_date, query.countries, query.identifiers) == (None, (), ())
    assert len(warnings) == 4
    with pytest.raises(InputError, match="no name or identifier"):
        read_query("  ", "Person", "1970")
    with pytest.raises(InputError, match="not a name"):
        read_query("A" * 1001)


def test_rows_carry_their_key_and_errors():
    rows = list(read_rows(
        ["key", "name", "id"],
        [{"key": "k1", "name": "A", "id": ""}, {"key": "k2", "name": "", "id": ""},
         {"key": "", "name": "", "id": "IMO 9187655"}],
        "f.csv",
    ))
    assert [(r.number, r.key) for r in rows] == [(2, "k1"), (3, "k2"), (4, None)]
    assert rows[1].query is None and "row 3" in (rows[1].error or "")
    assert rows[2].query is not None and rows[2].query.identifiers == ("IMO 9187655",)
    with pytest.raises(InputError, match="no name column"):
        list(read_rows(["a"], [], "f.csv"))


@pytest.mark.parametrize(("text", "encoding"), [
    ("name,country\nQods Aviation Industries,Irán\nJosé Müller,España\n", "latin-1"),
    ("name\nJosé – Müller €\n", "cp1252"),
    ("name\nАО ОЭЗ ППТ Алабуга\nПутин Владимир Владимирович\n", "cp1251"),
    ("name\nZakład Łódź Świętochłowice\n", "cp1250"),
    ("name\n山田太郎\n株式会社テスト\n", "shift_jis"),
    ("name\nJosé\n", "utf-16"),
    ("name\nJosé\n", "utf-8-sig"),
    ("name\nJosé\n", "utf-8"),
])
def test_encodings_are_detected(text: str, encoding: str):
    decoded, used, guessed = decode(text.encode(encoding), "f.csv")
    assert decoded.lstrip("\ufeff") == text
    assert guessed == (encoding not in ("utf-16", "utf-8-sig", "utf-8"))


def test_read_csv_takes_any_field_size(tmp_path: Path):
    path = tmp_path / "big.csv"
    path.write_text("name,notes\nA," + "x" * (1 << 20) + "\nB,\n", encoding="utf-8")
    table = read_csv(path)
    assert [r["name"] for r in table.rows] == ["A", "B"]
    with pytest.raises(InputError, match="not utf-8"):
        decode("é".encode("latin-1"), "f.csv", "utf-8")
    with pytest.raises(InputError, match="unknown encoding"):
        decode(b"x", "f.csv", "no-such-codec")
