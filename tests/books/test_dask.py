"""The Dask runner on a LocalCluster of two worker processes equals the in-process run."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradescreen.books.batch import screen_items
from tradescreen.books.dask_batch import (
    read_alert_partition,
    screen_partitions,
    write_row_partitions,
)
from tradescreen.books.readers import read_book
from tradescreen.books.rescreen import book_index
from tradescreen.cli import app
from tradescreen.config import load_settings
from tradescreen.screen.party import Thresholds
from tradescreen.store import open_store
from tradescreen.store.importer import import_path

from .book_data import NEW, build_rows, write_book

runner = CliRunner()


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0",
        memory_limit="2GiB",
    ) as cluster, distributed.Client(cluster) as client:
        yield cluster, client


def test_dask_equals_in_process(home, data_dir, tmp_path, cluster):
    settings = load_settings()
    import_path(settings, data_dir / NEW, clock=lambda: datetime(2024, 5, 3, tzinfo=UTC))
    book = write_book(build_rows(data_dir), tmp_path / "book.csv")
    items = [(r.row_id, r.query) for r in read_book(book) if r.query is not None]
    with open_store(settings) as store:
        bidx = book_index(store, settings.index_dir, [s.id for s in store.active_snapshots()])
    expected = screen_items(bidx, items, Thresholds())
    assert expected
    # Several partitions, so both workers take part and order must be restored.
    in_paths = write_row_partitions(items, tmp_path / "rows", rows_per_partition=150)
    assert len(in_paths) > 2
    _, client = cluster
    out = screen_partitions(client, bidx, in_paths, tmp_path / "alerts", Thresholds())
    got = [a for path in out for a in read_alert_partition(Path(path))]
    assert got == expected
    # The CLI path: the same book re-screened through --dask gives the in-process alerts.
    address = cluster[0].scheduler_address
    assert runner.invoke(app, ["book", "import", "b", str(book)]).exit_code == 0
    via_dask = runner.invoke(app, ["book", "rescreen", "b", "--dask", address, "--json"])
    assert via_dask.exit_code == 0, via_dask.stderr
    local = runner.invoke(app, ["book", "rescreen", "b", "--json"])
    dask_alerts = json.loads(via_dask.stdout)["alerts"]
    assert dask_alerts == json.loads(local.stdout)["alerts"]
    assert len(dask_alerts) == len(expected)
    assert not list((Path(settings.home) / "dask-runs").glob("run-*"))  # partitions cleaned up
