"""Delta re-screening on the real SDN update 2024-02-20 -> 2024-05-03 equals two full re-screens.

Book A is re-screened in full on the old list and with --delta after the update; book B (same
rows) in full both times. A's delta must report exactly what B's second full run gained and lost,
and both must end with the same alerts.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradescreen.cli import app
from tradescreen.config import load_settings
from tradescreen.store.importer import import_path

from .book_data import NEW, OLD, build_rows, write_book

runner = CliRunner()


def cli_json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def at(day: str):
    return lambda: datetime.fromisoformat(day).replace(tzinfo=UTC)


def keys(alerts: list[dict]) -> list[tuple[str, str, str]]:
    return [(a["row_id"], a["source"], a["source_id"]) for a in alerts]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, data_dir: Path):
    sdn_book_rows = build_rows(data_dir)
    home = tmp_path_factory.mktemp("books") / "home"
    home.mkdir()
    book = write_book(sdn_book_rows, home.parent / "book.csv")
    out: dict = {"home": home, "rows": sdn_book_rows}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRADESCREEN_HOME", str(home))
        settings = load_settings()
        out["old_snap"] = import_path(settings, data_dir / OLD, clock=at("2024-02-20")).snapshot
        for name in ("a", "b"):
            imported = cli_json("book", "import", name, str(book))
            assert imported["added"] == len(sdn_book_rows)
        out["a_old"] = cli_json("book", "rescreen", "a")
        out["b_old"] = cli_json("book", "rescreen", "b")
        out["new_snap"] = import_path(settings, data_dir / NEW, clock=at("2024-05-03")).snapshot
        out["a_delta"] = cli_json("book", "rescreen", "a", "--delta")
        out["cases"] = cli_json("cases", "list")
        out["b_new"] = cli_json("book", "rescreen", "b")
        out["a_alerts"] = cli_json("book", "alerts", "a")["alerts"]
        out["b_alerts"] = cli_json("book", "alerts", "b")["alerts"]
        yield out


def test_new_alerts_open_cases(run):
    cases = run["cases"]
    listed = cases["alerts"] if isinstance(cases, dict) else cases
    assert any(str(c["source_id"]) == "45708" for c in listed)


def test_full_rescreen_contract(run):
    data = run["a_old"]
    assert data["book"] == "a" and data["rows"] == len(run["rows"])
    assert data["snapshot"] == [run["old_snap"].id]
    assert data["alerts"], "a book of listed names must raise alerts"
    for alert in data["alerts"]:
        assert {"row_id", "source", "source_id", "decision", "score"} <= alert.keys()
        assert alert["decision"] in ("match", "review")
    # Every match/review per row: some rows alert on several entries.
    per_row: dict[str, int] = {}
    for row_id, _, _ in keys(data["alerts"]):
        per_row[row_id] = per_row.get(row_id, 0) + 1
    assert max(per_row.values()) > 1
    assert keys(run["b_old"]["alerts"]) == keys(data["alerts"])


def test_delta_equals_difference_of_full_rescreens(run):
    delta, full = run["a_delta"], run["b_new"]
    assert delta["mode"] == "delta" and full["mode"] == "full"
    assert delta["previous_snapshot"] == [run["old_snap"].id]
    assert delta["snapshot"] == full["snapshot"] == [run["new_snap"].id]
    assert delta["new"] and delta["removed"]
    assert delta["new"] == full["new"]
    assert delta["removed"] == full["removed"]
    assert delta["updated"] == full["updated"]
    assert delta["unchanged"] == full["unchanged"] > 0
    assert run["a_alerts"] == run["b_alerts"]
    # The delta screened every row, but only against what changed on the list.
    assert delta["rows_screened_delta"] == len(run["rows"])
    assert delta["rows_screened_full"] == 0
    [change] = delta["list_changes"]
    assert (change["added"], change["removed"], change["changed"]) == (1140, 106, 37)


def test_delisted_zimbabwe_customer_disappears(run):
    removed = run["a_delta"]["removed"]
    assert any(a["source_id"] == "7480" for a in removed)  # MUGABE, Robert Gabriel
    after = {(a["source"], a["source_id"]) for a in run["a_alerts"]}
    for alert in removed:
        assert (alert["source"], alert["source_id"]) not in after or any(
            k[0] == alert["row_id"] for k in keys(run["a_alerts"])
        )
    old_rows_on_7480 = {a["row_id"] for a in run["a_old"]["alerts"] if a["source_id"] == "7480"}
    assert old_rows_on_7480
    assert not any(a["source_id"] == "7480" for a in run["a_alerts"])


def test_new_russia_entry_alabuga_is_new(run):
    new = run["a_delta"]["new"]
    assert any(a["source_id"] == "45708" for a in new)
    assert all(a["snapshot"] == run["new_snap"].id for a in new)


def test_unchanged_hit_is_not_reported_as_new(run):
    old_keys = set(keys(run["a_old"]["alerts"]))
    new_keys = set(keys(run["a_delta"]["new"]))
    assert not old_keys & new_keys
    kept = old_keys & set(keys(run["a_alerts"]))
    assert len(kept) >= run["a_delta"]["unchanged"] > 0
    # Kept alerts now cite the new snapshot, as a full re-screen would.
    assert {a["snapshot"] for a in run["a_alerts"]} == {run["new_snap"].id}
