"""`book import` / `book rescreen`: a row with an unreadable field is screened and says so."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tradescreen.cli import app

from .test_books import V1, import_list

runner = CliRunner()


def cli(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_book_rows_with_unreadable_fields_are_screened_with_warnings(home: Path, tmp_path: Path):
    import_list(V1, "2024-01-10")
    book = tmp_path / "book.csv"
    book.write_text(
        "id,name,schema,incorporation_date,country\n"
        "c1,Acme Rocket Works,Company,16 Jul 1969,Atlantis\n"   # used to be "cannot be screened"
        "c2,Zeta Drone Factory,Company,03/04/1970,\n"
        "c3,,Company,,\n",                                      # nothing to screen
        encoding="utf-8",
    )
    imported = cli("book", "import", "shop", str(book))
    assert imported["errors"] == 1
    assert [(w["row_id"], "Atlantis" in w["message"]) for w in imported["warnings"]] == [
        ("c1", True), ("c2", False)]
    assert [e["row_id"] for e in imported["row_errors"]] == ["c3"]
    result = cli("book", "rescreen", "shop")
    assert {a["row_id"] for a in result["alerts"]} == {"c1", "c2"}
    assert [w["row_id"] for w in result["warnings"]] == ["c1", "c2"]
    assert [e["row_id"] for e in result["row_errors"]] == ["c3"]
    text = runner.invoke(app, ["book", "rescreen", "shop"])
    assert text.exit_code == 0 and "warning: row c1: " in text.stderr
