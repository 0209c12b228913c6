"""Book screening on a Dask cluster, for books too large for one machine.

The prepared index is shipped to every worker once (`scatter(..., broadcast=True)`): tasks refer
to it by future, so it is neither pickled per task nor rebuilt on workers. An index opened from
files (`index.mapped`) and its book weights pickle as their paths: a few hundred bytes travel
and each worker maps the same files (a shared or copied folder at the same path). Rows travel
as Parquet partitions and alerts come back as Parquet partitions, one per input partition, so a
10^8-row book never has to pass through the client's memory as Python objects; the partition
folder must be visible to client and workers alike (local disk for a LocalCluster, a shared
file system or object-store mount on a real cluster). Each worker runs the same pure loop as
the in-process path (`batch.screen_items`), so the alerts are the same.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tradescreen.books.alerts import Alert
from tradescreen.books.batch import Item, screen_items
from tradescreen.books.blocking import BookIndex
from tradescreen.match.entity import Query
from tradescreen.screen.party import Thresholds

ROW_SCHEMA = pa.schema([
    ("row_id", pa.string()),
    ("name", pa.string()),
    ("schema", pa.string()),
    ("birth_date", pa.string()),
    ("countries", pa.list_(pa.string())),
    ("identifiers", pa.list_(pa.string())),
])
ALERT_SCHEMA = pa.schema([
    ("row_id", pa.string()),
    ("source", pa.string()),
    ("source_id", pa.string()),
    ("decision", pa.string()),
    ("score", pa.float64()),
    ("caption", pa.string()),
    ("matched_name", pa.string()),
    ("entity_hash", pa.string()),
    ("snapshot", pa.string()),
])
PARTITION_ROWS = 20_000


def write_row_partitions(
    items: Sequence[Item], folder: Path, rows_per_partition: int = PARTITION_ROWS
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, start in enumerate(range(0, len(items), rows_per_partition)):
        part = items[start : start + rows_per_partition]
        table = pa.table({
            "row_id": [r for r, _ in part],
            "name": [q.name for _, q in part],
            "schema": [q.schema for _, q in part],
            "birth_date": [q.birth_date for _, q in part],
            "countries": [list(q.countries) for _, q in part],
            "identifiers": [list(q.identifiers) for _, q in part],
        }, schema=ROW_SCHEMA)
        path = folder / f"rows-{n:06d}.parquet"
        pq.write_table(table, path)
        paths.append(path)
    return paths


def read_row_partition(path: Path) -> list[Item]:
    cols = pq.read_table(path, schema=ROW_SCHEMA).to_pydict()
    return [
        (row_id, Query(name, schema, birth, tuple(countries or ()), tuple(idents or ())))
        for row_id, name, schema, birth, countries, idents in zip(
            cols["row_id"], cols["name"], cols["schema"], cols["birth_date"],
            cols["countries"], cols["identifiers"], strict=True,
        )
    ]


def alerts_table(alerts: Sequence[Alert]) -> pa.Table:
    return pa.table({
        name: [getattr(a, name) for a in alerts] for name in ALERT_SCHEMA.names
    }, schema=ALERT_SCHEMA)


def read_alert_partition(path: Path) -> list[Alert]:
    cols = pq.read_table(path, schema=ALERT_SCHEMA).to_pydict()
    return [Alert(*values) for values in zip(*(cols[n] for n in ALERT_SCHEMA.names), strict=True)]


def screen_partition(
    in_path: str, out_path: str, bidx: BookIndex, thresholds: Thresholds
) -> int:
    """Worker task: one Parquet partition of rows in, one of alerts out; returns the alerts."""
    alerts = screen_items(bidx, read_row_partition(Path(in_path)), thresholds)
    tmp = out_path + ".tmp"
    pq.write_table(alerts_table(alerts), tmp)
    Path(tmp).replace(out_path)  # a retried task never leaves half a partition behind
    return len(alerts)


def screen_partitions(
    client: Any, bidx: BookIndex, in_paths: Sequence[Path], out_folder: Path,
    thresholds: Thresholds,
) -> list[Path]:
    """Screen Parquet row partitions on the cluster; alert partitions in input order."""
    out_folder.mkdir(parents=True, exist_ok=True)
    [shared] = client.scatter([bidx], broadcast=True)
    out_paths = [out_folder / f"alerts-{p.stem.split('-')[-1]}.parquet" for p in in_paths]
    futures = client.map(
        screen_partition, [str(p) for p in in_paths], [str(p) for p in out_paths],
        bidx=shared, thresholds=thresholds, pure=False,
    )
    client.gather(futures)
    return out_paths


def dask_runner(address: str, workdir: Path, rows_per_partition: int = PARTITION_ROWS) -> Any:
    """A `rescreen` runner on the Dask scheduler at `address` (partitions under `workdir`)."""

    def run(bidx: BookIndex, items: Sequence[Item], thresholds: Thresholds) -> list[Alert]:
        from distributed import Client  # imported here: in-process runs never need it

        folder = workdir / f"run-{uuid.uuid4().hex[:12]}"
        try:
            in_paths = write_row_partitions(items, folder / "rows", rows_per_partition)
            with Client(address) as client:
                out = screen_partitions(client, bidx, in_paths, folder / "alerts", thresholds)
            return [a for path in out for a in read_alert_partition(path)]
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    return run
