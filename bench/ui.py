"""Workbench server time with a large alert queue: overview, queue, case page, case report.

    python bench/ui.py [--alerts 10000] [--requests 60]

A fresh home gets OFAC SDN (2024-05-03) and `--alerts` open alerts raised through the real
alerting path (`record_screening`, batched), on real listed entries with real explanations,
spread over 45 days and every band. Requests run in-process through the ASGI app (server time,
no network), signed in through the sign-in form like a browser. The anchor is the JSON API's
`GET /cases?status=open&limit=50` on the same store: the ratio says what rendering a page costs
over reading the same alerts. Targets (issue 11): queue p95 < 150 ms, case page p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import shared_data_dir

from tradescreen.api.matching import audit_result
from tradescreen.cases.alerts import record_screening
from tradescreen.cases.audit import AuditLog, config_hash
from tradescreen.config import Settings
from tradescreen.events import Event
from tradescreen.screen.inputs import make_query
from tradescreen.screen.party import Screener, query_to_dict
from tradescreen.store.db import connect

PROBES = ("Bank Melli Iran", "Mahan Air", "Rosneft", "Islamic Revolutionary Guard Corps",
          "Hezbollah", "Kim Jong Un", "Sberbank", "Tidewater Middle East", "Al Qaida",
          "Mohammad Javad Zarif", "Hamas", "Aeroflot", "Rostec", "Wagner Group")


def seed_alerts(settings: Settings, screener: Screener, count: int, *, batch: int = 500,
                days: int = 45) -> int:
    """`count` open alerts through `record_screening`: each a distinct party against a real
    listed entry with a real explanation; created over the last `days` days."""
    hits = []
    for name in PROBES:
        for result in screener.screen(make_query(name), limit=20):
            hits.append(audit_result(result))
    if not hits:
        raise RuntimeError("no screening results to seed alerts from: import a list first")
    rng = random.Random(7)
    now = datetime.now(UTC)
    made = 0
    db = connect(settings)
    try:
        while made < count:
            size = min(batch, count - made)
            moment = now - timedelta(days=days * made / max(count, 1))
            log = AuditLog(db, config_hash=config_hash(settings), clock=lambda m=moment: m)
            screenings = []
            for i in range(made, made + size):
                hit = dict(rng.choice(hits))
                hit["decision"] = "match" if i % 3 == 0 else "review"
                query = query_to_dict(make_query(f"Customer {i:06d} {hit['caption']}"[:200]))
                screenings.append({"query": query, "results": [hit], "row": i})
            event = Event("screening", "bench:seed", f"file:seed-{made}",
                          {"screenings": screenings, "file": "seed"},
                          tuple(screener.index.snapshots))
            record_screening(log, event)
            made += size
    finally:
        db.close()
    return made


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


def timed(n: int, call: Callable[[int], Any]) -> tuple[float, float]:
    samples = []
    for i in range(n):
        started = time.perf_counter()
        response = call(i)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{response.request.url}: {response.status_code} "
                               f"{response.text[:300]}")
    return percentiles(samples)


def main(argv: list[str] | None = None) -> dict[str, tuple[float, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args(argv)

    from fastapi.testclient import TestClient

    from tradescreen.api import create_app
    from tradescreen.cli.screen import load_screener
    from tradescreen.config import load_settings
    from tradescreen.store.importer import import_path
    from tradescreen.store.keys import KeyStore

    with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
        os.environ["TRADESCREEN_HOME"] = tmp
        settings = load_settings()
        started = time.perf_counter()
        import_path(settings, Path(shared_data_dir()) / "ofac" / "sdn_2024-05-03", None)
        screener = load_screener(settings)
        seeded = seed_alerts(settings, screener, args.alerts)
        print(f"setup: SDN import + {seeded:,} alerts in {time.perf_counter() - started:.1f} s")
        with KeyStore(settings) as keys:
            secret = keys.create("bench", ["admin"])[1]
        app = create_app(settings, screener=screener)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            page = client.get("/ui/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            client.post("/ui/login", data={"csrf_token": token, "key": secret},
                        follow_redirects=False)
            ids = [int(r[0]) for r in client.app.state.tradescreen.store().db.fetchall(
                "SELECT id FROM alerts ORDER BY id")]
            rng = random.Random(11)
            source = "us_ofac_sdn"
            n = args.requests
            headers = {"Authorization": f"ApiKey {secret}"}
            results = {
                "overview": timed(n, lambda i: client.get("/ui/")),
                "queue page 1": timed(n, lambda i: client.get("/ui/queue")),
                "queue filtered (list+band+age, page 3, by score)": timed(n, lambda i: client.get(
                    f"/ui/queue?status=open&source={source}&band=review&age=7d&sort=score"
                    "&order=desc&page=3")),
                "case page": timed(n, lambda i: client.get(f"/ui/cases/{rng.choice(ids)}")),
                "case report (HTML)": timed(n, lambda i: client.get(
                    f"/ui/cases/{rng.choice(ids)}/report")),
                "anchor: JSON GET /cases?limit=50": timed(n, lambda i: client.get(
                    "/cases?status=open&limit=50", headers=headers)),
            }
    anchor = results["anchor: JSON GET /cases?limit=50"][1]
    print(f"\nserver time, {n} requests each, {seeded:,} open alerts (ms)")
    print(f"{'request':<50} {'p50':>8} {'p95':>8} {'p95/anchor':>11}")
    for name, (p50, p95) in results.items():
        print(f"{name:<50} {p50:8.1f} {p95:8.1f} {p95 / anchor:10.1f}x")
    return results


if __name__ == "__main__":
    main()
