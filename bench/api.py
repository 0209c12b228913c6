"""HTTP API load on loopback: req/s and p50/p99 for single-query /match, 1 and N workers,
beside the same queries through the library call in-process (the cost of HTTP); then the same
load while a new OFAC SDN snapshot is imported and the server swaps in its index.

    python bench/api.py [--requests 3000] [--seconds 20] [--workers 1,2] [--clients 8]
                        [--reload-clients 4] [--no-reload]

Needs lists imported in $TRADESCREEN_HOME (e.g. `tradescreen lists import` OFAC SDN). The server
is `tradescreen serve` in its own process(es); the load comes from this process: a few threads
with keep-alive http.client connections, bounded by request count and wall time. Queries:
listed names with a typo or a word dropped, plus unlisted names, so hits and misses are timed.

The reload run uses a temporary home (OFAC SDN 2024-02-20 from the shared data, then 2024-05-03
imported by `tradescreen lists import` while the load runs): requests, p50/p99/max and failed
requests between the import's start and 2 s after the new index serves, and the seconds from
the import's end to the new snapshot being served. Bounded by `--reload-timeout`.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import orjson

from tradescreen.cli.screen import load_screener
from tradescreen.config import Settings, load_settings
from tradescreen.match.entity import Query
from tradescreen.store.keys import KeyStore

MISSES = ("Alabama Power Company", "Siemens Energy AG", "Acme Tools Ltd", "Nordic Freight AS",
          "Shanghai Bright Electronics Co", "Maria Garcia Lopez", "John Smith")


def make_queries(n: int, seed: int = 7, settings: Settings | None = None
                 ) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    screener = load_screener(settings or load_settings())
    records = [r for r in screener.index.records if r.schema in ("Person", "Organization",
                                                                   "Company")]
    out: list[tuple[str, str]] = []
    while len(out) < n:
        if rng.random() < 0.3:
            out.append(("Company", rng.choice(MISSES)))
            continue
        rec = rng.choice(records)
        words = rec.caption.split()
        if len(words) > 2 and rng.random() < 0.5:
            words.pop(rng.randrange(len(words)))
        name = " ".join(words)
        if len(name) > 6 and rng.random() < 0.5:  # one typo
            i = rng.randrange(1, len(name) - 1)
            name = name[:i] + name[i + 1] + name[i] + name[i + 2:]
        out.append(("Person" if rec.schema == "Person" else "Company", name))
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def in_process(queries: list[tuple[str, str]]) -> dict[str, float]:
    screener = load_screener(load_settings())
    for schema, name in queries[:50]:  # warm caches, as a running server would be
        screener.screen(Query(name, schema), limit=5)
    lat = []
    start = time.perf_counter()
    for schema, name in queries:
        t = time.perf_counter()
        screener.screen(Query(name, schema), limit=5, min_score=0.5)
        lat.append(time.perf_counter() - t)
    wall = time.perf_counter() - start
    return {"rps": len(lat) / wall, "p50": pct(lat, 50) * 1e3, "p99": pct(lat, 99) * 1e3}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(workers: int, log: Path, env: dict[str, str] | None = None,
                 extra: tuple[str, ...] = ()) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = env or {**os.environ, "TRADESCREEN_API_RATE": "0", "TRADESCREEN_API_RELOAD": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from tradescreen.cli import main; main()", "serve",
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), *extra],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    ready = 0
    while ready < 5 * workers:  # several OKs in a row: every worker has its index
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"server did not start; see {log}")
        try:
            ok = httpx.get(f"{base}/readyz", timeout=2).status_code == 200
        except httpx.TransportError:
            ok = False
        ready = ready + 1 if ok else 0
        time.sleep(0.05 if ok else 0.2)
    return proc, base


def load(base: str, key: str | None, queries: list[tuple[str, str]], clients: int,
         seconds: float, stop: threading.Event | None = None) -> dict[str, float]:
    """Closed-loop load until the queries, `seconds` or `stop` run out. A request that times
    out, loses its connection or answers anything but 200 counts as failed."""
    lat: list[float] = []
    errors = 0
    lock = threading.Lock()
    cursor = iter(range(10**9))
    stop_at = time.monotonic() + seconds

    host, port = base.removeprefix("http://").split(":")
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"ApiKey {key}"

    def connect() -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.connect()
        # No Nagle delay on small requests (it would add delayed-ACK stalls of ~40 ms).
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def worker() -> None:
        # http.client with keep-alive: a light client, so the load generator (on the same
        # machine) takes as little CPU from the server as it can.
        nonlocal errors
        conn = connect()

        def post(schema: str, name: str) -> int:
            body = orjson.dumps({"queries": {"q": {"schema": schema,
                                                   "properties": {"name": [name]}}}})
            conn.request("POST", "/match/default", body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            return resp.status

        for schema, name in queries[:5]:  # warm the connection and the worker
            post(schema, name)
        while time.monotonic() < stop_at and not (stop is not None and stop.is_set()):
            with lock:
                i = next(cursor)
            if i >= len(queries) and stop is None:
                break
            t = time.perf_counter()
            try:
                status = post(*queries[i % len(queries)])
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = connect()
            dt = time.perf_counter() - t
            with lock:
                if status == 200:
                    lat.append(dt)
                else:
                    errors += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    if not lat:
        return {"rps": 0.0, "p50": 0.0, "p99": 0.0, "max": 0.0, "n": 0, "errors": errors}
    return {"rps": len(lat) / wall, "p50": pct(lat, 50) * 1e3, "p99": pct(lat, 99) * 1e3,
            "max": max(lat) * 1e3, "n": len(lat), "errors": errors}


def _cli(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([sys.executable, "-c", "from tradescreen.cli import main; main()",
                           *args], env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"tradescreen {' '.join(args[:2])} failed: {done.stderr[-500:]!r}")


def reload_run(clients: int, timeout: float, tmp: Path) -> dict[str, float]:
    """Load while a second SDN snapshot is imported and the server swaps in its index."""
    from common import shared_data_dir

    data = shared_data_dir() / "ofac"
    home = tmp / "reload-home"
    env = {**os.environ, "TRADESCREEN_HOME": str(home), "TRADESCREEN_API_RATE": "0"}
    env.pop("TRADESCREEN_API_RELOAD", None)  # the server's default poll interval
    _cli(env, "lists", "import", str(data / "sdn_2024-02-20"))
    queries = make_queries(2000, settings=Settings(home=home))
    proc, base = start_server(1, tmp / "serve-reload.log", env, ("--no-auth",))
    try:
        # Baseline on the same server, then the reload window.
        baseline = load(base, None, queries, clients, 5.0)
        stop = threading.Event()
        result: dict[str, float] = {}
        runner = threading.Thread(target=lambda: result.update(
            load(base, None, queries, clients, timeout, stop)))
        started = time.monotonic()
        runner.start()
        _cli(env, "lists", "import", str(data / "sdn_2024-05-03"))
        imported = time.monotonic()
        pickup = float("nan")
        while time.monotonic() - imported < timeout:
            lists = httpx.get(f"{base}/lists", timeout=30).json()
            if not lists["stale"]:
                pickup = time.monotonic() - imported
                break
            time.sleep(0.1)
        time.sleep(2.0)
        stop.set()
        runner.join()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return {**result, "pickup": pickup, "import": imported - started,
            "base_p50": baseline["p50"], "base_p99": baseline["p99"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--reload-clients", type=int, default=4)
    ap.add_argument("--reload-timeout", type=float, default=180.0)
    ap.add_argument("--no-reload", action="store_true", help="skip the reload run")
    args = ap.parse_args()
    queries = make_queries(args.requests)
    with KeyStore(load_settings()) as store:
        _, key = store.create(f"bench-{os.getpid()}-{int(time.time())}", ["screen"])
    rows = [("library (in-process)", in_process(queries))]
    reload: dict[str, float] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (int(w) for w in args.workers.split(",") if w):
            proc, base = start_server(workers, Path(tmp) / f"serve-{workers}.log")
            try:
                rows.append((f"HTTP /match, {workers} worker(s)",
                             load(base, key, queries, args.clients, args.seconds)))
            finally:
                proc.terminate()
                proc.wait(timeout=20)
        if not args.no_reload:
            reload = reload_run(args.reload_clients, args.reload_timeout, Path(tmp))
    with KeyStore(load_settings()) as store:
        for k in store.list_keys():
            if k.name.startswith(f"bench-{os.getpid()}-"):
                store.revoke(k.name)
    base_p50 = rows[0][1]["p50"]
    print(f"{len(queries)} queries, {args.clients} client threads, cpus={os.cpu_count()}")
    print(f"{'':28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'p50 vs lib':>10} {'errors':>6}")
    for label, r in rows:
        ratio = r["p50"] / base_p50 if base_p50 else 0.0
        print(f"{label:28} {r['rps']:8.0f} {r['p50']:8.2f} {r['p99']:8.2f} {ratio:9.1f}x "
              f"{int(r.get('errors', 0)):6d}")
    print(f"median query: {statistics.median(len(n) for _, n in queries):.0f} characters")
    if reload is not None:
        r = reload
        print(f"reload (OFAC SDN 2024-02-20 -> 2024-05-03 imported under load, 1 worker, "
              f"{args.reload_clients} clients):")
        print(f"  before: p50 {r['base_p50']:.2f} ms p99 {r['base_p99']:.2f} ms")
        print(f"  during: {int(r['n'])} requests, p50 {r['p50']:.2f} ms p99 {r['p99']:.2f} ms "
              f"max {r['max']:.0f} ms, failed {int(r['errors'])}")
        print(f"  import {r['import']:.1f} s; new snapshot served {r['pickup']:.1f} s after it "
              f"(p99 during vs before: {r['p99'] / r['base_p99']:.1f}x)")


if __name__ == "__main__":
    main()
