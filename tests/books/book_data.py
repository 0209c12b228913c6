"""A book built from the two real SDN snapshots (2024-02-20 -> 2024-05-03) for delta tests."""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import book as bench_book  # noqa: E402

from tradescreen import sources  # noqa: E402

OLD, NEW = "ofac/sdn_2024-02-20", "ofac/sdn_2024-05-03"


def build_rows(data_dir: Path) -> list[dict[str, str]]:
    """Delisted Zimbabwe entries, new Russia entries (Alabuga), changed entries, unchanged
    entries, all with some noise, plus ordinary customers that should not alert."""
    old = {e.source_id: e for e in sources.read(data_dir / OLD).entities}
    new = {e.source_id: e for e in sources.read(data_dir / NEW).entities}
    rnd = random.Random(7)
    removed = sorted((old[i] for i in old.keys() - new.keys()), key=lambda e: e.source_id)
    zimbabwe = [e for e in removed if "ZIMBABWE" in e.programs]
    added = sorted((new[i] for i in new.keys() - old.keys()), key=lambda e: e.source_id)
    russia = [e for e in added if any(p.startswith("RUSSIA") for p in e.programs)]
    changed = sorted((new[i] for i in new.keys() & old.keys() if new[i] != old[i]),
                     key=lambda e: e.source_id)
    unchanged = sorted((old[i] for i in new.keys() & old.keys() if new[i] == old[i]),
                       key=lambda e: e.source_id)
    picks = (zimbabwe[:40] + rnd.sample(russia, 60) + [new["45708"]] + changed
             + rnd.sample(unchanged, 120))
    rows: list[dict[str, str]] = []
    for entity in picks:
        name = entity.caption if rnd.random() < 0.5 else bench_book.noisy(entity.caption, rnd)
        rows.append({"name": name, "schema": bench_book._schema(entity)})
    rows.append({"name": "Alabuga Special Economic Zone", "schema": "Company"})
    for _ in range(250):
        name, schema = bench_book.ordinary(rnd)
        rows.append({"name": name, "schema": schema})
    rnd.shuffle(rows)
    return [{"id": f"r{i:04d}", **row} for i, row in enumerate(rows)]


def write_book(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "name", "schema"])
        writer.writeheader()
        writer.writerows(rows)
    return path
