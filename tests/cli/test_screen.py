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
    result = runner.invoke(app, ["screen", "x", "--birth-date", "12/03/1960"])
    assert result.exit_code == 1
    assert "YYYY" in result.stderr
    result = runner.invoke(app, ["screen", "x", "--schema", "Spaceship"])
    assert result.exit_code == 1
    assert "unknown schema" in result.stderr


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
        "Bad Date,person,1/1/1960,,\n",
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
