"""Point in time on the real lists: every as-of answer names the lists it could not use.

The legacy OFAC CSV states no publication date, so without `--published` its snapshot is dated by
its import day and a look-back to 2024 had no SDN list at all, yet answered "clear" silently."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradescreen.books.asof import in_force, missing_lists
from tradescreen.cli import app
from tradescreen.sources import read as read_list
from tradescreen.store import Snapshot

runner = CliRunner()


def cli_json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture()
def lists(home: Path, data_dir: Path) -> dict[str, str]:
    """Canada 2020 (dated by the operator), SDN May 2024 (undated), UN (published 2026)."""
    canada = cli_json("lists", "import", str(data_dir / "canada" / "sema-lmes_2020-04.xml"),
                      "--published", "2020-04-15")
    sdn = cli_json("lists", "import", str(data_dir / "ofac" / "sdn_2024-05-03"))
    un = cli_json("lists", "import", str(data_dir / "un"))
    return {"canada": canada["snapshot"], "sdn": sdn["snapshot"], "un": un["source"]}


def test_screen_as_of_names_the_lists_without_a_snapshot(
    lists: dict[str, str], data_dir: Path
) -> None:
    name = read_list(data_dir / "ofac" / "sdn_2024-02-20").entities[0].caption
    answer = cli_json("screen", name, "--as-of", "2024-06-01")
    assert answer["snapshots"] == [lists["canada"]]
    assert answer["missing_lists"] == sorted([lists["un"], "us_ofac_sdn"])
    assert answer["as_of"] == "2024-06-01"
    [sdn_warning] = [w for w in answer["warnings"] if w.startswith("us_ofac_sdn")]
    assert "no publication date" in sdn_warning and "--published" in sdn_warning

    human = runner.invoke(app, ["screen", name, "--as-of", "2024-06-01"])
    assert human.exit_code == 0
    text = " ".join(human.stdout.split())
    assert "warning: us_ofac_sdn: no snapshot in force on 2024-06-01, not screened" in text

    # Given its publication date, the February SDN list is the one in force in June 2024.
    feb = cli_json("lists", "import", str(data_dir / "ofac" / "sdn_2024-02-20"),
                   "--published", "2024-02-20")
    again = cli_json("screen", name, "--as-of", "2024-06-01")
    assert feb["snapshot"] in again["snapshots"]
    assert again["missing_lists"] == [lists["un"]]
    assert any(r["source"] == "us_ofac_sdn" for r in again["results"])
    # Without --as-of nothing changes: the answer has no as-of fields.
    assert "missing_lists" not in cli_json("screen", name)


def test_book_rescreen_as_of_names_the_lists_without_a_snapshot(
    lists: dict[str, str], tmp_path: Path, data_dir: Path
) -> None:
    name = read_list(data_dir / "ofac" / "sdn_2024-02-20").entities[0].caption
    book = tmp_path / "book.csv"
    with book.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name"])
        writer.writerow(["c1", name])
    cli_json("book", "import", "shop", str(book))
    past = cli_json("book", "rescreen", "shop", "--as-of", "2024-06-01")
    assert past["snapshot"] == [lists["canada"]]
    assert past["missing_lists"] == sorted([lists["un"], "us_ofac_sdn"])
    assert any("us_ofac_sdn: no snapshot in force on 2024-06-01" in w for w in past["warnings"])

    human = runner.invoke(app, ["book", "rescreen", "shop", "--as-of", "2024-06-01"])
    assert human.exit_code == 0
    assert "us_ofac_sdn: no snapshot in force on 2024-06-01" in " ".join(human.stderr.split())


def _snap(sid: str, published: str | None, imported: str, seq: int) -> Snapshot:
    return Snapshot(sid, "l", "f", published, imported, {}, sid, 1, False, seq=seq)


def test_older_publication_imported_later_does_not_displace_the_newer() -> None:
    history = [_snap("may", "2024-05-03", "2024-05-04T00:00:00Z", 1),
               _snap("feb", "2024-02-20", "2024-05-05T00:00:00Z", 2)]
    assert in_force(history, date(2024, 6, 1)).id == "may"
    assert in_force(history, date(2024, 3, 1)).id == "feb"
    assert missing_lists({"l": history}, date(2024, 1, 1))[0].first_day == "2024-02-20"
    assert missing_lists({"l": history}, date(2024, 3, 1)) == []


def test_as_of_before_every_snapshot_is_refused_naming_each_list(
    home: Path, data_dir: Path, tmp_path: Path
) -> None:
    # Only the undated SDN CSV (dated by its import day): no list at all was in force in 2024.
    # The refusal says which list and why, and how to date it, instead of a bare "later".
    cli_json("lists", "import", str(data_dir / "ofac" / "sdn_2024-05-03"))
    result = runner.invoke(app, ["screen", "Qods Aviation Industries", "--as-of", "2024-06-01",
                                 "--json"])
    assert result.exit_code == 1 and result.stdout == ""
    message = " ".join(result.stderr.split())
    assert "no list snapshot was in force on 2024-06-01" in message
    assert "us_ofac_sdn: no snapshot in force on 2024-06-01" in message
    assert "--published" in message
    # The same for a book look-back.
    book = tmp_path / "book.csv"
    book.write_text("id,name\nc1,Qods Aviation Industries\n", encoding="utf-8")
    cli_json("book", "import", "shop", str(book))
    result = runner.invoke(app, ["book", "rescreen", "shop", "--as-of", "2024-06-01"])
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "us_ofac_sdn: no snapshot in force on 2024-06-01" in message
    assert "--published" in message
