"""`tradescreen screen`, `screen-file` and `score-pairs` end to end on real lists."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradescreen.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def lists_home(tmp_path_factory: pytest.TempPathFactory, data_dir: Path):
    home = tmp_path_factory.mktemp("screen-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRADESCREEN_HOME", str(home))
        for path in (
            "ofac/sdn_2024-05-03",
            "ofac/sdn_2025-02_add_alt_comments",  # OFAC's alias file: "AO OEZ PPT ALABUGA"
            "canada/sema-lmes.xml",
            "un/consolidated.xml",
        ):
            result = runner.invoke(app, ["lists", "import", str(data_dir / path)])
            assert result.exit_code == 0, result.stderr
        yield home


@pytest.fixture()
def env(lists_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRADESCREEN_HOME", str(lists_home))
    return lists_home


def screen_json(*args: str) -> dict:
    result = runner.invoke(app, ["screen", *args, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_screen_contract_fields(env):
    data = screen_json("Qods Aviation Industry", "--schema", "Company")
    assert data["query"]["name"] == "Qods Aviation Industry"
    top = data["results"][0]
    for key in ("source", "source_id", "caption", "matched_name", "score", "decision",
                "explanation", "snapshot"):
        assert key in top
    assert isinstance(top["source_id"], str)
    assert top["decision"] == "match"
    assert "QODS AVIATION INDUSTRIES" in {r["caption"].upper() for r in data["results"][:3]}
    assert any(r["source"] == "us_ofac_sdn" and r["source_id"] == "16418"
               for r in data["results"])
    scores = [r["score"] for r in data["results"]]
    assert scores == sorted(scores, reverse=True)
    features = {f["feature"] for f in top["explanation"]}
    assert {"name_dice", "min_coverage"} <= features


def test_persian_script_finds_qods(env):
    data = screen_json("صنایع هوایی قدس")
    top = data["results"][0]
    assert top["caption"] == "Qods Aviation Industries"
    assert top["decision"] == "match"


def test_cyrillic_finds_alabuga_special_economic_zone(env):
    data = screen_json("АО ОЭЗ ППТ «Алабуга»")
    top = data["results"][0]
    assert (top["source"], top["source_id"]) == ("us_ofac_sdn", "45708")
    assert top["decision"] == "match"
    assert top["matched_name"] == "AO OEZ PPT ALABUGA"
    assert any(f["feature"] == "transliteration" for f in top["explanation"])


def test_alabama_power_is_not_a_match(env):
    data = screen_json("Alabama Power Company", "--schema", "Company")
    assert all(r["decision"] != "match" for r in data["results"])


def test_birth_date_and_country_explain(env):
    data = screen_json("Vladimir Putin", "--schema", "Person", "--birth-date", "1952-10-07",
                       "--country", "Russia")
    top = data["results"][0]
    assert top["decision"] == "match"
    rows = {f["feature"]: f for f in top["explanation"]}
    assert rows["birth_date"]["weight"] > 0
    assert rows["country"]["weight"] > 0
    conflict = screen_json("Vladimir Putin", "--schema", "Person", "--birth-date", "1990")
    assert conflict["results"][0]["score"] < top["score"]


def test_identifier_alone_finds_vessel(env):
    data = screen_json("", "--id", "IMO 9187655", "--schema", "Vessel")
    assert data["results"], "an IMO number must be matchable on its own"
    top = data["results"][0]
    assert top["schema"] == "Vessel"
    assert any(f["feature"] == "identifier" and f["weight"] > 5 for f in top["explanation"])


def test_bad_input_is_a_clear_error(env):
    result = runner.invoke(app, ["screen", "  "])
    assert result.exit_code == 1
    assert "give a name or an --id" in result.stderr
    result = runner.invoke(app, ["screen", "x" * 5000])
    assert result.exit_code == 1 and "not a name" in result.stderr


def test_unreadable_field_is_a_warning_and_the_name_is_screened(env):
    for option, value in (("--birth-date", "12/13/14"), ("--schema", "Spaceship")):
        result = runner.invoke(app, ["screen", "Qods Aviation Industries", option, value])
        assert result.exit_code == 0, result.stderr
        assert "warning: " in result.stderr and value in result.stderr
        assert "QODS AVIATION INDUSTRIES" in result.stdout


def test_screen_without_lists_says_so(home):
    result = runner.invoke(app, ["screen", "anyone"])
    assert result.exit_code == 1
    assert "lists import" in result.stderr


def test_screen_file_keeps_order_and_shape(env, tmp_path: Path):
    src = tmp_path / "parties.csv"
    src.write_text(
        "full_name,type,dob,nationality,id\n"
        "Qods Aviation Industries,company,,Iran,\n"
        "Maria Schmidt,person,1980-01-01,DE,\n"
        "Vladimir Putin,person,1952,Russian Federation,\n"
        ",vessel,,,IMO 9187655\n"
        ",person,1/1/1960,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["screen-file", str(src), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 5
    assert lines[0]["query"]["name"] == "Qods Aviation Industries"
    assert lines[0]["query"]["countries"] == ["ir"]
    assert lines[0]["results"][0]["decision"] == "match"
    assert all(r["decision"] != "match" for r in lines[1]["results"])
    assert lines[2]["query"]["birth_date"] == "1952"
    assert lines[3]["results"] and lines[3]["results"][0]["schema"] == "Vessel"
    assert "error" in lines[4] and "row 6" in lines[4]["error"]
    assert lines[4]["query"] is None and lines[4]["results"] == []
    assert [line["row"] for line in lines] == [2, 3, 4, 5, 6]
    assert all(line["row_id"] is None and line["warnings"] == [] for line in lines)
    assert "screened 4 of 5 rows" in result.stderr


def test_screen_file_first_last_columns(env, tmp_path: Path):
    src = tmp_path / "people.csv"
    src.write_text("first_name;last_name\nHasan;Nasrallah\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["screen-file", str(src), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.stderr
    line = json.loads(out.read_text())
    assert line["query"]["name"] == "Hasan Nasrallah"
    assert line["results"][0]["decision"] == "match"


def test_score_pairs_appends_score_and_verdict(tmp_path: Path, data_dir: Path):
    src = tmp_path / "pairs.csv"
    src.write_text(
        "schema,name1,name2,extra\n"
        "Company,АО ОЭЗ ППТ «Алабуга»,AO OEZ PPT ALABUGA,a\n"
        "Company,Alabama Power Company,ALABUGA DEVELOPMENT OOO,b\n",
        encoding="utf-8",
    )
    out = tmp_path / "scored.csv"
    result = runner.invoke(app, ["score-pairs", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["extra"] for r in rows] == ["a", "b"]
    assert [r["match"] for r in rows] == ["true", "false"]
    assert 0 <= float(rows[1]["score"]) < float(rows[0]["score"]) <= 1
    assert "match at 0.7" in result.stderr


def test_score_pairs_missing_column(tmp_path: Path):
    src = tmp_path / "pairs.csv"
    src.write_text("schema,a,b\nPerson,x,y\n", encoding="utf-8")
    result = runner.invoke(app, ["score-pairs", str(src), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 1
    assert "name1" in result.stderr


def test_parenthesised_acronym_is_its_own_name(env):
    data = screen_json("Shahid Bagheri Industrial Group", "--schema", "Company")
    un = next(r for r in data["results"] if (r["source"], r["source_id"]) == ("un_sc", "IRe.066"))
    assert un["decision"] == "match"
    assert un["matched_name"] == "SHAHID BAGHERI INDUSTRIAL GROUP"


def screen_file(src: Path, *args: str) -> tuple[list[dict], str]:
    out = src.with_suffix(".jsonl")
    result = runner.invoke(app, ["screen-file", str(src), "--out", str(out), "--workers", "1",
                                 *args])
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in out.read_text().splitlines()], result.stderr


def test_everyday_birth_dates_and_countries_never_stop_a_name(env, tmp_path: Path):
    """Issue 14: a row whose birth date was written `16 Jul 1969` was not screened at all."""
    src = tmp_path / "people.csv"
    src.write_text(
        "name,type,dob,country\n"
        "Vladimir Putin,person,7 Oct 1952,Russia\n"          # 2
        "Vladimir Putin,person,1952-10-7,U.S.S.R.\n"         # 3
        "Vladimir Putin,person,07/10/1952,\n"                # 4: d/m or m/d: the year
        "Vladimir Putin,person,circa 1952,\n"                # 5: approximate: left out
        "Vladimir Putin,person,October 7th 1952,\n"          # 6
        "Vladimir Putin,person,sometime in the fifties,\n"   # 7: unreadable: left out
        "Vladimir Putin,supplier,1952,Narnia\n"              # 8: unknown schema and country
        'Qods Aviation Industries,company,,"Iran, Islamic Republic of"\n',  # 9
        encoding="utf-8",
    )
    lines, stderr = screen_file(src)
    assert [line["row"] for line in lines] == list(range(2, 10))
    for line in lines:
        assert line["query"] is not None and "error" not in line, line
        assert line["results"][0]["decision"] == "match", line
    putin = [line for line in lines if line["query"]["name"] == "Vladimir Putin"]
    assert all(any(r["source_id"] == "35096" and r["decision"] == "match"
                   for r in line["results"]) for line in putin)
    dates = [line["query"]["birth_date"] for line in lines]
    assert dates == ["1952-10-07", "1952-10-07", "1952", None, "1952-10-07", None, "1952", None]
    assert lines[0]["query"]["countries"] == ["ru"]
    assert lines[-1]["query"]["countries"] == ["ir"]
    assert [bool(line["warnings"]) for line in lines] == [
        False, False, True, True, False, True, True, False]
    assert "day/month or month/day" in lines[2]["warnings"][0]
    assert "approximate" in lines[3]["warnings"][0]
    assert any("Narnia" in w for w in lines[6]["warnings"])
    assert any("supplier" in w for w in lines[6]["warnings"])
    assert lines[6]["query"]["schema"] == "LegalEntity"
    assert "screened 8 of 8 rows" in stderr and "4 rows with warnings" in stderr
    top = lines[0]["results"][0]
    assert any(f["feature"] == "birth_date" and f["weight"] > 0 for f in top["explanation"])


def test_file_convention_for_numeric_dates(env, tmp_path: Path):
    src = tmp_path / "eu.csv"
    src.write_text("name,dob\nHasan Nasrallah,31/08/1960\nVladimir Putin,07/10/1952\n",
                   encoding="utf-8")
    lines, _ = screen_file(src)
    # 31/08 shows the file writes day first, so 07/10 is 7 October.
    assert [line["query"]["birth_date"] for line in lines] == ["1960-08-31", "1952-10-07"]
    assert all(line["warnings"] == [] for line in lines)


def test_screen_birth_date_as_written(env):
    data = screen_json("Vladimir Putin", "--schema", "Person", "--birth-date", "7 Oct 1952")
    assert data["query"]["birth_date"] == "1952-10-07" and data["warnings"] == []
    result = runner.invoke(app, ["screen", "Vladimir Putin", "--birth-date", "long ago",
                                 "--country", "Narnia", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert any(r["source_id"] == "35096" for r in data["results"])
    assert len(data["warnings"]) == 2 and "warning: " in result.stderr


def test_blank_names_are_errors_not_screened(env, tmp_path: Path):
    src = tmp_path / "blank.csv"
    src.write_text("name,country\nQods Aviation Industries,IR\n,IR\n   ,\n", encoding="utf-8")
    lines, stderr = screen_file(src)
    assert lines[0]["results"]
    for line in lines[1:]:
        assert line["query"] is None and "no name or identifier" in line["error"]
    assert "screened 1 of 3 rows" in stderr and "2 rows not screened" in stderr


def test_row_key_is_echoed_and_id_stays_an_identifier(env, tmp_path: Path):
    src = tmp_path / "keyed.csv"
    src.write_text(
        "row_id,name,id\n"
        "cust-001,Qods Aviation Industries,\n"
        "cust-002,,IMO 9187655\n"
        "cust-003,,\n",
        encoding="utf-8",
    )
    lines, _ = screen_file(src)
    assert [line["row_id"] for line in lines] == ["cust-001", "cust-002", "cust-003"]
    assert lines[1]["query"]["identifiers"] == ["IMO 9187655"]
    assert lines[1]["results"][0]["schema"] == "Vessel"
    assert "error" in lines[2]
    key = tmp_path / "key.csv"
    key.write_text("key;full_name\nK9;Qods Aviation Industries\n", encoding="utf-8")
    [line], _ = screen_file(key)
    assert line["row_id"] == "K9"


def test_huge_field_is_reported_on_its_row(env, tmp_path: Path):
    """A 10 MB field used to reject the whole file (`field larger than field limit`)."""
    huge = "A" * (10 << 20)
    src = tmp_path / "huge.csv"
    src.write_text(
        "name,notes\n"
        "Qods Aviation Industries,\n"
        f"{huge},\n"
        f"Hasan Nasrallah,{huge}\n"
        "Vladimir Putin,\n",
        encoding="utf-8",
    )
    lines, stderr = screen_file(src)
    assert len(lines) == 4
    assert "not a name" in lines[1]["error"] and "row 3" in lines[1]["error"]
    for i in (0, 2, 3):
        assert lines[i]["results"][0]["decision"] == "match"
    assert "screened 3 of 4 rows" in stderr


LATIN1_PARTIES = "name,country\nQods Aviation Industries,Irán\nJosé Müller,España\n"


def test_latin1_csv_is_read_alike_by_screen_file_and_score_pairs(env, tmp_path: Path):
    src = tmp_path / "latin1.csv"
    src.write_bytes(LATIN1_PARTIES.encode("latin-1"))
    lines, stderr = screen_file(src)
    assert [line["query"]["name"] for line in lines] == ["Qods Aviation Industries",
                                                          "José Müller"]
    assert lines[1]["query"]["countries"] == ["es"]
    assert "not UTF-8: read as cp1252" in stderr
    pairs = tmp_path / "pairs.csv"
    pairs.write_bytes("schema,name1,name2\nPerson,José Müller,Jose Muller\n".encode("latin-1"))
    out = tmp_path / "scored.csv"
    result = runner.invoke(app, ["score-pairs", str(pairs), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    with out.open(encoding="utf-8") as fh:
        [row] = list(csv.DictReader(fh))
    assert row["name1"] == "José Müller" and row["match"] == "true"
    # An explicit encoding that does not fit is a clear error, not mojibake.
    bad = runner.invoke(app, ["score-pairs", str(pairs), "--out", str(out), "--encoding",
                              "utf-8"])
    assert bad.exit_code == 1 and "not utf-8" in bad.stderr


def test_cyrillic_code_page_is_detected(env, tmp_path: Path):
    src = tmp_path / "cp1251.csv"
    src.write_bytes("name\nАО ОЭЗ ППТ Алабуга\nПутин Владимир Владимирович\n".encode("cp1251"))
    lines, stderr = screen_file(src)
    assert lines[0]["query"]["name"] == "АО ОЭЗ ППТ Алабуга"
    assert any(r["source_id"] == "35096" and r["decision"] == "match"
               for r in lines[1]["results"])
    assert "read as cp1251" in stderr


def test_score_pairs_match_uses_the_match_threshold(tmp_path: Path, monkeypatch):
    src = tmp_path / "pairs.csv"
    # A pair scoring between 0.6 and 0.95: a `match` at the old fixed 0.5 cut whatever the
    # product's threshold said.
    src.write_text("schema,name1,name2\nPerson,Ivan Petrov,Petr Ivanov\n", encoding="utf-8")
    out = tmp_path / "scored.csv"

    def verdict(*args: str) -> tuple[float, str]:
        result = runner.invoke(app, ["score-pairs", str(src), "--out", str(out), *args])
        assert result.exit_code == 0, result.stderr
        with out.open(encoding="utf-8") as fh:
            [row] = list(csv.DictReader(fh))
        return float(row["score"]), row["match"]

    score, _ = verdict()
    assert 0.6 <= score < 0.95
    monkeypatch.setenv("TRADESCREEN_REVIEW_THRESHOLD", "0.5")
    monkeypatch.setenv("TRADESCREEN_MATCH_THRESHOLD", "0.95")
    assert verdict()[1] == "false"
    monkeypatch.setenv("TRADESCREEN_MATCH_THRESHOLD", "0.6")
    assert verdict()[1] == "true"
    assert verdict("--threshold", f"{min(0.99, score + 0.01):.2f}")[1] == "false"
