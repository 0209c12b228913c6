"""Books on a small hand-built list: readers, re-import by id, point in time, fallbacks, events."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from tradescreen.books.asof import in_force
from tradescreen.books.readers import read_book
from tradescreen.books.rescreen import rescreen
from tradescreen.books.storage import BookStore
from tradescreen.cli import app
from tradescreen.config import load_settings
from tradescreen.events import MemorySink
from tradescreen.model import Entity, Name
from tradescreen.screen.inputs import InputError
from tradescreen.screen.party import Thresholds
from tradescreen.sources.base import ListRead
from tradescreen.store import Snapshot, open_store

runner = CliRunner()
ROWS = [
    {"id": "r1", "name": "Acme Rocket Works", "schema": "Company", "country": "",
     "identifier": ""},
    {"id": "r2", "name": "Boris Ivanovich Petrov", "schema": "Person", "country": "RU",
     "identifier": ""},
    {"id": "r3", "name": "Jane Doe", "schema": "Person", "country": "", "identifier": ""},
    {"id": "r4", "name": "Omega Missile Plant", "schema": "Company", "country": "",
     "identifier": ""},
    {"id": "r5", "name": "Harbor Freight Logistics", "schema": "Company", "country": "Atlantis",
     "identifier": ""},
]


def org(sid: str, name: str, schema: str = "Company") -> Entity:
    return Entity(source="test_list", source_id=sid, schema=schema, names=(Name(name),),
                  programs=("TEST",))


V1 = [org("1", "Acme Rocket Works"), org("2", "Petrov Boris Ivanovich", "Person"),
      org("3", "Zeta Drone Factory")]
V2 = [org("2", "Petrov Boris Ivanovich Junior", "Person"), org("3", "Zeta Drone Factory"),
      org("4", "Omega Missile Plant")]


def import_list(entities: list[Entity], day: str) -> Snapshot:
    read = ListRead(source="test_list", format="test", published=None,
                    files={"list.csv": "0" * 64}, entities=entities, title="Test")
    clock = lambda: datetime.fromisoformat(day).replace(tzinfo=UTC)  # noqa: E731
    with open_store(load_settings(), clock=clock) as store:
        return store.import_list(read).snapshot


def write_csv(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def cli(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_csv_and_parquet_read_alike(tmp_path):
    from_csv = read_book(write_csv(ROWS, tmp_path / "b.csv"))
    table = pa.Table.from_pylist(ROWS)
    pq.write_table(table, tmp_path / "b.parquet")
    from_parquet = read_book(tmp_path / "b.parquet")
    assert [(r.row_id, r.query, r.error) for r in from_csv] == [
        (r.row_id, r.query, r.error) for r in from_parquet
    ]
    by_id = {r.row_id: r for r in from_csv}
    assert by_id["r2"].query is not None and by_id["r2"].query.countries == ("ru",)
    # An unknown country is left out with a warning; the name is screened all the same.
    assert by_id["r5"].query is not None and by_id["r5"].query.countries == ()
    assert "unknown country 'Atlantis'" in (by_id["r5"].error or "")


def test_book_needs_unique_ids(tmp_path):
    with pytest.raises(InputError, match="no id column"):
        read_book(write_csv([{"name": "A"}], tmp_path / "a.csv"))
    with pytest.raises(InputError, match="duplicate id"):
        read_book(write_csv([{"id": "1", "name": "A"}, {"id": "1", "name": "B"}],
                            tmp_path / "b.csv"))


def test_identifier_column_is_the_official_id(tmp_path):
    rows = [{"id": "c1", "name": "Ship", "identifier": "IMO 9187655"}]
    [row] = read_book(write_csv(rows, tmp_path / "v.csv"))
    assert row.row_id == "c1" and row.query is not None
    assert row.query.identifiers == ("IMO 9187655",)


def test_in_force_picks_last_snapshot_dated_on_or_before():
    def snap(seq: int, imported: str, published: str | None = None) -> Snapshot:
        return Snapshot(f"s{seq}", "l", "f", published, imported, {}, "h", 1, False, seq=seq)

    history = [snap(1, "2024-01-10T09:00:00Z"), snap(2, "2024-03-10T09:00:00Z"),
               snap(3, "2024-06-01T09:00:00Z", published="2024-05-03")]
    assert in_force(history, date(2024, 1, 9)) is None
    assert in_force(history, date(2024, 1, 10)).id == "s1"
    assert in_force(history, date(2024, 5, 2)).id == "s2"
    assert in_force(history, date(2024, 5, 3)).id == "s3"


def test_reimport_delta_as_of_and_events(home, tmp_path):
    v1 = import_list(V1, "2024-01-10")
    book = write_csv(ROWS, tmp_path / "book.csv")
    counts = cli("book", "import", "shop", str(book))
    assert (counts["added"], counts["errors"]) == (5, 0)
    assert [w["row_id"] for w in counts["warnings"]] == ["r5"]
    assert cli("book", "rescreen", "shop", "--delta")["mode"] == "full"  # never screened
    v2 = import_list(V2, "2024-03-10")
    # Re-import: r3 becomes a listed name; r1 untouched; unchanged file rows are no-ops.
    rows = [dict(r) for r in ROWS]
    rows[2].update(name="Zeta Drone Factory", schema="Company")
    again = cli("book", "import", "shop", str(write_csv(rows, tmp_path / "book2.csv")))
    assert (again["added"], again["changed"], again["unchanged"]) == (0, 1, 4)
    sink = MemorySink()
    settings = load_settings()
    with open_store(settings) as store:
        delta = rescreen(store, BookStore(store._conn), settings.index_dir, "shop",
                         now="2024-03-11T00:00:00Z", thresholds=Thresholds(), delta=True,
                         sink=sink)
    assert delta.mode == "delta" and delta.rows_screened_full == 1
    new = {(a.row_id, a.source_id) for a in delta.changes.new}
    removed = {(a.row_id, a.source_id) for a in delta.changes.removed}
    assert ("r1", "1") in removed  # entry 1 delisted
    assert ("r4", "4") in new and ("r3", "3") in new
    causes = {e.subject: e.data["cause"] for e in sink.events}
    assert causes["book:shop:r4"]["list_change"]["entry"] == "added"
    assert causes["book:shop:r4"]["list_change"]["from"] == v1.id
    assert causes["book:shop:r3"] == {"row": "imported or changed"}
    assert all(e.kind == "alert" and e.snapshots == (v2.id,) for e in sink.events)
    # Same as a full re-screen of the same rows on a fresh book.
    cli("book", "import", "fresh", str(tmp_path / "book2.csv"))
    full = cli("book", "rescreen", "fresh")
    assert [(a["row_id"], a["source_id"], a["score"]) for a in full["alerts"]] == [
        (a.row_id, a.source_id, a.score) for a in delta.alerts
    ]
    # Point in time: the list as it was in February.
    past = cli("book", "rescreen", "fresh", "--as-of", "2024-02-01")
    assert past["snapshot"] == [v1.id]
    assert {a["source_id"] for a in past["alerts"]} >= {"1"}
    assert "4" not in {a["source_id"] for a in past["alerts"]}
    result = runner.invoke(app, ["book", "rescreen", "fresh", "--as-of", "2023-12-31"])
    assert result.exit_code == 1 and "no list snapshot in force" in result.stderr
    then = cli("screen", "Omega Missile Plant", "--as-of", "2024-02-01")
    assert then["snapshots"] == [v1.id] and not any(
        r["source_id"] == "4" for r in then["results"])
    now = cli("screen", "Omega Missile Plant")
    assert now["results"][0]["source_id"] == "4"


def test_thresholds_change_forces_full(home, tmp_path, monkeypatch):
    import_list(V1, "2024-01-10")
    cli("book", "import", "shop", str(write_csv(ROWS, tmp_path / "book.csv")))
    cli("book", "rescreen", "shop")
    monkeypatch.setenv("TRADESCREEN_REVIEW_THRESHOLD", "0.4")
    data = cli("book", "rescreen", "shop", "--delta")
    assert data["mode"] == "full" and "thresholds" in data["reason"]


def test_unknown_book_is_one_line_error(home):
    result = runner.invoke(app, ["book", "rescreen", "nope"])
    assert result.exit_code == 1 and "no book 'nope'" in result.stderr
