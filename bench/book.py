"""Continuous-monitoring benchmark: a customer book re-screened after a real SDN update.

Imports the SDN of 2024-02-20, imports a generated book (real list names with typos and
reordering, plus ordinary names), runs a full re-screen, imports the SDN of 2024-05-03 (1,140
entries added, 106 removed, 37 changed), then measures: full re-screen vs `--delta`, rows/s per
core, peak memory, and the same full re-screen on a Dask LocalCluster with 1 and 2 workers.
Prints an extrapolation to 10^8 rows on a cluster.

    python bench/book.py                 # 10^4 and 10^5 rows
    python bench/book.py --sizes 10000   # quick
    python bench/book.py --million       # adds 10^6 rows (long on 2 cores)
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import peak_rss_mb, shared_data_dir  # type: ignore[import-not-found]

from tradescreen import sources
from tradescreen.books.readers import read_book
from tradescreen.books.rescreen import Runner, book_index, in_process, rescreen
from tradescreen.books.storage import BookStore
from tradescreen.config import Settings
from tradescreen.model import Entity
from tradescreen.screen.party import Thresholds
from tradescreen.store import open_store
from tradescreen.store.importer import import_path

OLD, NEW = "ofac/sdn_2024-02-20", "ofac/sdn_2024-05-03"

def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Ordinary customers: common given names, surnames and company words of several countries.
GIVEN = _words(
    "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth Maria Jose Juan "
         "Ana Luis Carlos Wei Li Hiroshi Yuki Anna Olga Pierre Marie Hans Petra Giulia Marco "
         "Priya Rahul Fatima Omar Ahmed Aisha Kwame Ama Lars Ingrid Sven Katarzyna Piotr")
SURNAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Lopez "
            "Gonzalez Wilson Anderson Taylor Thomas Moore Martin Jackson White Harris Clark Lewis "
            "Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson "
            "Baker Hall Rivera Campbell Mitchell Carter Roberts Müller Schmidt Schneider Fischer "
            "Weber Meyer Wagner Becker Rossi Russo Ferrari Esposito Bianchi Dubois Lefebvre "
            "Tanaka Suzuki Sato Kowalski Nowak Novak Jensen Nielsen Hansen Patel Sharma Singh "
            "Kumar Okafor Mensah Silva Santos Oliveira Pereira Costa")
COMPANY = _words(
    "Northern Pacific Atlantic Global United Coastal Alpine Summit Harbor Valley River "
           "Green Blue Silver Golden Prime Apex Delta Orion Vertex Nova Pioneer Heritage "
           "Evergreen Sunrise Metro Union Crown Eagle Falcon Maple Oak Cedar Pine")
INDUSTRY = _words(
    "Logistics Electronics Components Trading Foods Textiles Machinery Systems Supplies "
            "Shipping Freight Semiconductors Instruments Chemicals Plastics Metals Motors "
            "Software Devices Optics Pharma Farms Packaging Tools")
FORMS = ("Ltd", "LLC", "GmbH", "Inc", "S.A.", "B.V.", "AB", "S.r.l.", "Co", "Corp", "PLC")


def ordinary(rnd: random.Random) -> tuple[str, str]:
    if rnd.random() < 0.5:
        return f"{rnd.choice(GIVEN)} {rnd.choice(SURNAMES)}", "Person"
    words = rnd.sample(COMPANY, rnd.choice((1, 2)))
    return f"{' '.join(words)} {rnd.choice(INDUSTRY)} {rnd.choice(FORMS)}", "Company"


def noisy(name: str, rnd: random.Random) -> str:
    """A listed name as a customer file might spell it: case, order, one typo."""
    tokens = name.replace(",", " ")
    if len(tokens) > 1 and rnd.random() < 0.3:
        tokens = tokens[1:] + tokens[:1]
    text = " ".join(tokens)
    if len(text) > 6 and rnd.random() < 0.5:
        i = rnd.randrange(1, len(text) - 1)
        text = text[:i] + text[i + 1 :] if rnd.random() < 0.5 else text[:i] + text[i] + text[i:]
    return text.title() if rnd.random() < 0.5 else text


def _schema(entity: Entity) -> str:
    return "Person" if entity.schema == "Person" else "LegalEntity"


def make_rows(
    n: int, listed: Iterable[Entity], rnd: random.Random, *, listed_share: float = 0.02
) -> list[dict[str, str]]:
    """`n` rows: about `listed_share` of them listed names (noisy), the rest ordinary names."""
    listed = list(listed)
    rows = []
    for i in range(n):
        if listed and rnd.random() < listed_share:
            entity = rnd.choice(listed)
            rows.append({"id": f"c{i:08d}", "name": noisy(entity.caption, rnd),
                         "schema": _schema(entity)})
        else:
            name, schema = ordinary(rnd)
            rows.append({"id": f"c{i:08d}", "name": name, "schema": schema})
    return rows


def write_csv(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def clock(day: str) -> Any:
    return lambda: datetime.fromisoformat(day).replace(tzinfo=UTC)


def list_entities(data: Path) -> list[Entity]:
    """Entities of both SDN files, with the removed, added and changed ones over-represented."""
    old = {e.source_id: e for e in sources.read(data / OLD).entities}
    new = {e.source_id: e for e in sources.read(data / NEW).entities}
    moved = [old[i] for i in old.keys() - new.keys()]
    moved += [e for i, e in new.items() if i not in old or old[i] != e]
    moved.sort(key=lambda e: e.source_id)
    rest = sorted(old.values(), key=lambda e: e.source_id)
    # Half the listed rows come from what changed, so the delta has real work to show.
    return moved * (len(rest) // max(1, len(moved))) + rest


def _cpu() -> float:
    # Own and reaped children's CPU: fork-pool workers are reaped when the pool closes, so a
    # run's CPU seconds are known even when other work on the machine slows the wall clock.
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _measure(fn: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), _cpu()
    out = fn()
    return out, time.perf_counter() - wall, _cpu() - cpu


def run_size(n: int, data: Path, workdir: Path, dask_workers: list[int]) -> dict[str, Any]:
    home = workdir / f"home-{n}"
    home.mkdir()
    settings = Settings(home=home)
    import_path(settings, data / OLD, clock=clock("2024-02-20"))
    rows = make_rows(n, list_entities(data), random.Random(n))
    book = write_csv(rows, workdir / f"book-{n}.csv")
    th = Thresholds(settings.match_threshold, settings.review_threshold)
    out: dict[str, Any] = {"rows": n}

    def go(name: str, *, delta: bool = False, runner: Runner | None = None) -> Any:
        with open_store(settings) as store:
            return rescreen(store, BookStore(store._conn), settings.index_dir, name,
                            now="2024-05-03T00:00:00Z", thresholds=th, delta=delta,
                            runner=runner or in_process())

    with open_store(settings) as store:
        BookStore(store._conn).import_rows("b", read_book(book), "2024-02-21T00:00:00Z")
        BookStore(store._conn).import_rows("f", read_book(book), "2024-02-21T00:00:00Z")
        # Index build and its cache are not what is measured.
        book_index(store, settings.index_dir, [s.id for s in store.active_snapshots()])
    _, out["full_old_s"], _ = _measure(lambda: go("b"))
    go("f")
    import_path(settings, data / NEW, clock=clock("2024-05-03"))
    with open_store(settings) as store:
        book_index(store, settings.index_dir, [s.id for s in store.active_snapshots()])
    full, out["full_s"], out["full_cpu_s"] = _measure(lambda: go("f"))
    delta, out["delta_s"], out["delta_cpu_s"] = _measure(lambda: go("b", delta=True))
    out["alerts"] = len(full.alerts)
    out["new"], out["removed"] = len(delta.changes.new), len(delta.changes.removed)
    out["delta_equals_full"] = (
        [a.key for a in delta.changes.new] == [a.key for a in full.changes.new]
        and [a.key for a in delta.changes.removed] == [a.key for a in full.changes.removed]
        and delta.alerts == full.alerts
    )
    # Per core = per CPU-second actually spent (parent + workers).
    out["full_rows_per_s_core"] = n / out["full_cpu_s"]
    out["delta_rows_per_s_core"] = n / out["delta_cpu_s"]
    for w in dask_workers:
        out[f"dask{w}_s"], same = _dask_full(settings, full.alerts, w)
        out[f"dask{w}_equal"] = same
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def _dask_full(settings: Settings, expected: list[Any], workers: int) -> tuple[float, bool]:
    from distributed import LocalCluster

    from tradescreen.books.dask_batch import dask_runner

    with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1,
                      dashboard_address=":0") as cluster, open_store(settings) as store:
        runner = dask_runner(cluster.scheduler_address, settings.home / "dask-runs")
        bs = BookStore(store._conn)
        started = time.perf_counter()
        result = rescreen(store, bs, settings.index_dir, "f", now="2024-05-03T00:00:00Z",
                          thresholds=Thresholds(), runner=runner)
        return time.perf_counter() - started, result.alerts == expected


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true", help="add a 10^6-row book")
    parser.add_argument("--dask", type=int, nargs="*", default=[1, 2],
                        help="Dask LocalCluster worker counts (none: skip)")
    args = parser.parse_args(argv)
    sizes = args.sizes + ([1_000_000] if args.million else [])
    data = shared_data_dir()
    results = []
    with tempfile.TemporaryDirectory(prefix="tradescreen-book-") as tmp:
        for n in sizes:
            r = run_size(n, data, Path(tmp), args.dask)
            results.append(r)
            print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                           for k, v in r.items()), flush=True)
    biggest = results[-1]
    cores = os.cpu_count() or 1
    per_core = biggest["full_rows_per_s_core"]
    hours = 1e8 / (per_core * 100) / 3600
    print(f"\nextrapolation: full re-screen of 10^8 rows at {per_core:.0f} rows/s/core "
          f"(measured at {biggest['rows']:,} rows on {cores} cores) = "
          f"{1e8 / per_core / 3600:.1f} core-hours; on a 100-core cluster ~{hours:.2f} h "
          f"plus index shipping; delta at {biggest['delta_rows_per_s_core']:.0f} rows/s/core "
          f"= {1e8 / biggest['delta_rows_per_s_core'] / 3600 / 100:.2f} h on 100 cores")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
