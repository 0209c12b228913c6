"""HTTP API load on loopback: req/s and p50/p99 for single-query /match, 1 and N workers,
beside the same queries through the library call in-process (the cost of HTTP).

    python bench/api.py [--requests 3000] [--seconds 20] [--workers 1,2] [--clients 8]

Needs lists imported in $TRADESCREEN_HOME (e.g. `tradescreen lists import` OFAC SDN). The server
is `tradescreen serve` in its own process(es); the load comes from this process: a few threads
with keep-alive http.client connections, bounded by request count and wall time. Queries:
listed names with a typo or a word dropped, plus unlisted names, so hits and misses are timed.
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
from tradescreen.config import load_settings
from tradescreen.match.entity import Query
from tradescreen.store.keys import KeyStore

MISSES = ("Alabama Power Company", "Siemens Energy AG", "Acme Tools Ltd", "Nordic Freight AS",
          "Shanghai Bright Electronics Co", "Maria Garcia Lopez", "John Smith")


def make_queries(n: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    screener = load_screener(load_settings())
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


def start_server(workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "TRADESCREEN_API_RATE": "0", "TRADESCREEN_API_RELOAD": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from tradescreen.cli import main; main()", "serve",
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
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


def load(base: str, key: str, queries: list[tuple[str, str]], clients: int,
         seconds: float) -> dict[str, float]:
    lat: list[float] = []
    errors = 0
    lock = threading.Lock()
    cursor = iter(range(len(queries)))
    stop_at = time.monotonic() + seconds

    host, port = base.removeprefix("http://").split(":")
    headers = {"Authorization": f"ApiKey {key}", "Content-Type": "application/json"}

    def worker() -> None:
        # http.client with keep-alive: a light client, so the load generator (on the same
        # machine) takes as little CPU from the server as it can.
        nonlocal errors
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.connect()
        # No Nagle delay on small requests (it would add delayed-ACK stalls of ~40 ms).
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def post(schema: str, name: str) -> int:
            body = orjson.dumps({"queries": {"q": {"schema": schema,
                                                   "properties": {"name": [name]}}}})
            conn.request("POST", "/match/default", body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            return resp.status

        for schema, name in queries[:5]:  # warm the connection and the worker
            post(schema, name)
        while time.monotonic() < stop_at:
            with lock:
                i = next(cursor, None)
            if i is None:
                break
            t = time.perf_counter()
            status = post(*queries[i])
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
    return {"rps": len(lat) / wall, "p50": pct(lat, 50) * 1e3, "p99": pct(lat, 99) * 1e3,
            "n": len(lat), "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--clients", type=int, default=8)
    args = ap.parse_args()
    queries = make_queries(args.requests)
    with KeyStore(load_settings()) as store:
        _, key = store.create(f"bench-{os.getpid()}-{int(time.time())}", ["screen"])
    rows = [("library (in-process)", in_process(queries))]
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (int(w) for w in args.workers.split(",")):
            proc, base = start_server(workers, Path(tmp) / f"serve-{workers}.log")
            try:
                rows.append((f"HTTP /match, {workers} worker(s)",
                             load(base, key, queries, args.clients, args.seconds)))
            finally:
                proc.terminate()
                proc.wait(timeout=20)
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


if __name__ == "__main__":
    main()
