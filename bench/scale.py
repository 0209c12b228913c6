"""OpenSanctions scale on one machine: import, build, open, memory per worker, latency, throughput.

    python bench/scale.py [--sizes 100000,400000] [--seed 1] [--queries 600] [--rows 5000]
                          [--workers 1,2,4]

For each size it generates a synthetic FollowTheMoney collection (fixed seed; files under
bench/out/scale/, git-ignored; reused when present), imports it with `tradescreen lists import`
into a fresh TRADESCREEN_HOME, then measures, each step in its own process:

- import: wall and peak RSS of the import processes (one per file of <= 400,000 entities);
- build: `load_index` with nothing on disk (read the store, write the index files);
- open: opening the built index, and the process's RSS after opening it;
- query: in-process p50 / p99 latency over typo'd listed names and fresh names, plus recall
  (the listed entity among the top 10 as match or review) on the typo'd ones;
- screen-file with 1, 2 and 4 workers: rows/s (the CLI's own figure) and, sampled from
  /proc/PID/smaps_rollup while it runs, each process's RSS, PSS and private pages (anonymous
  or copied memory that no other process shares);

- serve with 1, 2 and 4 workers: `tradescreen serve --workers N` on loopback, a bounded number
  of /match requests from a few client threads; requests/s, HTTP p50/p99, and each process's
  private, shared and PSS pages once ready and after the requests (`--serve-home` measures only
  this, on a given home);

then prints one table per figure with its growth from the smallest size.

The collection: persons (70 %) and companies in 15 faker locales, 1-4 names each (the name, a
reordered or shortened spelling, and unrelated aliases), 30 % of persons with a birth date,
20 % of companies with a registration number. Faker is slow (up to 0.5 ms a name), so each
locale's names are drawn once into a pool and entities recombine the pool's words (given names
with other surnames, company words with other company words): word frequencies stay those of
faker, while full names are as diverse as in a real collection.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import subprocess
import sys
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import out_dir, print_table  # noqa: E402

LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "ru_RU", "uk_UA", "tr_TR",
           "ar_AA", "fa_IR", "zh_CN", "ko_KR", "hi_IN", "pt_BR")
COUNTRY = {"en_US": "us", "en_GB": "gb", "de_DE": "de", "fr_FR": "fr", "es_ES": "es",
           "it_IT": "it", "ru_RU": "ru", "uk_UA": "ua", "tr_TR": "tr", "ar_AA": "sa",
           "fa_IR": "ir", "zh_CN": "cn", "ko_KR": "kr", "hi_IN": "in", "pt_BR": "br"}
POOL = 3000  # faker names per locale and kind
FILE_ENTITIES = 400_000  # one import file (and list snapshot) per this many entities
CJK = ("zh_CN", "ko_KR")
# "screened 4990 of 5000 rows in 12.3 s (405/s)" (older versions: "screened 5000 rows in ...")
_SCREENED = re.compile(r"screened\s+(\d+)\s+(?:of\s+\d+\s+)?rows\s+in\s+([\d.]+)\s*s")


# ---------------------------------------------------------------- synthetic collection


@lru_cache(maxsize=2)
def _pools(seed: int) -> dict[str, tuple[list[str], list[str]]]:
    from faker import Faker

    pools = {}
    for i, locale in enumerate(LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed * 100 + i)
        people = [" ".join(fake.name().split()) for _ in range(POOL)]
        companies = [" ".join(fake.company().split()) for _ in range(POOL // 2)]
        pools[locale] = (people, companies)
    return pools


def _mix(a: str, b: str, locale: str, rng: random.Random) -> str:
    """A's words with one of them taken from B: new full names, faker's word frequencies."""
    if locale in CJK and " " not in a:
        return a[:1] + b[1:] if len(b) > 1 else a
    wa, wb = a.split(), b.split()
    if len(wa) < 2 or not wb:
        return a
    i = rng.randrange(len(wa))
    wa[i] = wb[min(i, len(wb) - 1)]
    return " ".join(wa)


def _variant(name: str, locale: str, rng: random.Random) -> str:
    words = name.split()
    if len(words) >= 3 and rng.random() < 0.5:
        del words[rng.randrange(1, len(words) - 1)]
        return " ".join(words)
    if len(words) >= 2:
        return f"{words[-1].upper()}, {' '.join(words[:-1])}"
    return name.upper()


def generate(path: Path, entities: int, seed: int = 1, dataset: str = "synth",
             start: int = 0) -> None:
    """Write `entities` FtM JSON lines to `path` (same seed and size, same file)."""
    rng = random.Random(seed * 1_000_003 + start)
    pools = _pools(seed)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        for n in range(start, start + entities):
            locale = LOCALES[rng.randrange(len(LOCALES))]
            people, companies = pools[locale]
            person = rng.random() < 0.7
            pool = people if person else companies
            primary = _mix(rng.choice(pool), rng.choice(pool), locale, rng)
            names = [primary]
            for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
                if rng.random() < 0.5:
                    names.append(_variant(primary, locale, rng))
                else:
                    names.append(_mix(rng.choice(pool), rng.choice(pool), locale, rng))
            props: dict[str, list[str]] = {"name": [primary], "country": [COUNTRY[locale]]}
            if len(names) > 1:
                props["alias"] = list(dict.fromkeys(names[1:]))
            if person and rng.random() < 0.3:
                props["birthDate"] = [f"{rng.randrange(1940, 2002)}-{rng.randrange(1, 13):02d}-"
                                      f"{rng.randrange(1, 29):02d}"]
            if not person and rng.random() < 0.2:
                props["registrationNumber"] = [f"{COUNTRY[locale].upper()}{rng.randrange(10**9)}"]
            fh.write(orjson.dumps({
                "id": f"{dataset}-{n}", "schema": "Person" if person else "Company",
                "properties": props, "datasets": [dataset],
            }) + b"\n")
    tmp.replace(path)


def collection(size: int, seed: int) -> list[Path]:
    folder = out_dir() / "scale" / f"n{size}-s{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    parts = math.ceil(size / FILE_ENTITIES)
    for k in range(parts):
        start = k * size // parts
        count = (k + 1) * size // parts - start
        path = folder / f"synth_{k + 1}.ftm.json"
        if not path.exists():
            generate(path, count, seed, f"synth_{k + 1}", start)
        files.append(path)
    return files


# ---------------------------------------------------------------- measuring processes


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADESCREEN_DATABASE")}
    env["TRADESCREEN_HOME"] = str(home)
    return env


def _cli() -> list[str]:
    return [sys.executable, "-c", "from tradescreen.cli import main; main()"]


def _smaps(pid: int) -> dict[str, int] | None:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    out = {}
    for line in text.splitlines()[1:]:
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            out[key] = int(parts[0]) // 1024  # MiB
    return out


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    kids = [int(x) for x in text.split()]
    return kids + [g for k in kids for g in _children(k)]


def run_measured(cmd: list[str], env: dict[str, str], sample: bool = False) -> dict[str, Any]:
    """Run `cmd`; wall time, its own peak RSS (wait4), output, and if `sample` the last
    smaps_rollup of every process of the tree taken while the workers were alive."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out: dict[str, Any] = {}
    samples: dict[int, dict[str, int]] = {}
    streams: dict[str, bytes] = {}

    def read(name: str, stream: Any) -> None:
        streams[name] = stream.read()

    readers = [threading.Thread(target=read, args=(n, s))
               for n, s in (("out", proc.stdout), ("err", proc.stderr))]
    for t in readers:
        t.start()
    peak_tree = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            break
        if sample:
            tree = [proc.pid, *_children(proc.pid)]
            snap = {p: s for p in tree if (s := _smaps(p))}
            peak_tree = max(peak_tree, sum(s.get("Rss", 0) for s in snap.values()))
            if len(snap) >= len(samples):  # the last view with every worker alive
                samples = snap
        time.sleep(0.2)
    for t in readers:
        t.join()
    out["wall_s"] = time.perf_counter() - start
    out["returncode"] = proc.returncode
    out["stdout"] = streams.get("out", b"").decode(errors="replace")
    out["stderr"] = streams.get("err", b"").decode(errors="replace")
    out["peak_rss_mb"] = usage.ru_maxrss / 1024
    # CPU seconds of the process and the workers it reaped: the machine is shared, and CPU
    # time is what load distorts least.
    out["cpu_s"] = usage.ru_utime + usage.ru_stime
    out["processes"] = samples
    out["tree_rss_peak_mb"] = peak_tree
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd[:4])} failed: {out['stderr'][-2000:]}")
    return out


def _child(mode: str, arg: str) -> None:
    """Child process entry: `build` (load_index cold) or `query` (open + latency + recall)."""
    import resource

    from tradescreen.config import load_settings
    from tradescreen.index.cache import load_index
    from tradescreen.store import open_store

    settings = load_settings()
    with open_store(settings) as store:
        ids = sorted(s.id for s in store.active_snapshots())
        if mode == "build":
            start = time.perf_counter()
            index = load_index(store, settings.index_dir, ids)
            # The building process's own peak (the run's peak is the largest of its
            # processes: the workers, the process linking the listed parties).
            print(json.dumps({"build_s": time.perf_counter() - start,
                              "main_peak_mb": resource.getrusage(
                                  resource.RUSAGE_SELF).ru_maxrss / 1024,
                              "names": index.name_count, "records": len(index.records),
                              "bytes": sum(p.stat().st_size for p in index.folder.iterdir())}))
            return
    from tradescreen.match.entity import Query
    from tradescreen.screen.party import Screener

    def rss() -> float:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf(
            "SC_PAGE_SIZE") / 2**20

    rss0 = rss()
    start = time.perf_counter()
    with open_store(settings) as store:
        index = load_index(store, settings.index_dir, ids)
    open_s = time.perf_counter() - start
    rss_open = rss()
    screener = Screener(index)
    queries = json.loads(Path(arg).read_text())
    for q in queries[:50]:  # warm-up: first-touch page faults and normaliser caches
        screener.screen(Query(q["name"], q["schema"]))
    lat = []
    cpu = []
    found = expected = 0
    for q in queries[50:]:
        t = time.perf_counter()
        c = time.thread_time()
        res = screener.screen(Query(q["name"], q["schema"]))
        cpu.append(time.thread_time() - c)
        lat.append(time.perf_counter() - t)
        if q.get("id"):
            expected += 1
            found += any(r.score.record.source_id == q["id"] and r.decision != "no_match"
                         for r in res)
    lat.sort()
    cpu.sort()
    print(json.dumps({
        "cpu_p50_ms": 1000 * cpu[len(cpu) // 2], "cpu_p99_ms": 1000 * cpu[int(len(cpu) * 0.99)],
        "open_s": open_s, "rss_before_mb": rss0, "rss_open_mb": rss_open,
        "rss_after_mb": rss(), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "p50_ms": 1000 * lat[len(lat) // 2], "p99_ms": 1000 * lat[int(len(lat) * 0.99)],
        "max_ms": 1000 * lat[-1], "queries": len(lat), "recall": found / max(expected, 1),
        "recall_queries": expected,
    }))


# ---------------------------------------------------------------- queries


def _typo(name: str, rng: random.Random) -> str:
    chars = list(name)
    letters = [i for i, c in enumerate(chars) if c.isalpha()]
    if not letters:
        return name
    i = rng.choice(letters)
    op = rng.random()
    if op < 0.33:
        del chars[i]
    elif op < 0.66 and i + 1 < len(chars):
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    else:
        chars[i] = rng.choice("aeioustrnkl")
    return "".join(chars)


def make_queries(files: list[Path], n: int, seed: int) -> list[dict[str, str]]:
    """Half typo'd listed names (of Latin-script entities, recall counted), half fresh names."""
    rng = random.Random(seed + 17)
    listed: list[dict[str, str]] = []
    with files[0].open("rb") as fh:
        for i, line in enumerate(fh):
            if i % 97:
                continue
            data = orjson.loads(line)
            name = data["properties"]["name"][0]
            if name.isascii() and len(name.split()) >= 2:
                listed.append({"name": _typo(name, rng), "schema": data["schema"],
                               "id": data["id"]})
            if len(listed) >= n // 2:
                break
    fresh_path = files[0].with_name("fresh.json")
    if not fresh_path.exists():
        fresh = files[0].with_name("fresh.ftm.json")
        generate(fresh, n - len(listed), seed + 991, "fresh")
        rows = [orjson.loads(line) for line in fresh.read_bytes().splitlines()]
        fresh_path.write_text(json.dumps([{"name": r["properties"]["name"][0],
                                           "schema": r["schema"]} for r in rows]))
        fresh.unlink()
    mixed = listed + json.loads(fresh_path.read_text())
    rng.shuffle(mixed)
    return mixed


# ---------------------------------------------------------------- one size


def reusable(home: Path) -> bool:
    """Whether `home` holds a finished import and build of an earlier run (`--reuse`): the
    query, memory and screen-file figures can then be re-measured without the 20-40 minutes a
    1.5 M import and build take. The marker is written only once the build has finished."""
    return (home / "built.json").exists()


def measure(size: int, seed: int, n_queries: int, rows: int, workers: list[int],
            reuse: bool = False) -> dict[str, Any]:
    import shutil

    t = time.perf_counter()
    files = collection(size, seed)
    print(f"[{size}] collection ready ({time.perf_counter() - t:.0f} s)", flush=True)
    work = files[0].parent
    home = work / "home"
    env = _env(home)
    result: dict[str, Any] = {"size": size}
    if reuse and reusable(home):
        result.update(json.loads((home / "built.json").read_text()))
        print(f"[{size}] reusing the import and build of an earlier run", flush=True)
        return serve_figures(result, files, work, env, seed, n_queries, rows, workers)
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    wall = peak = cpu = 0.0
    for f in files:
        r = run_measured([*_cli(), "lists", "import", str(f)], env)
        wall += r["wall_s"]
        cpu += r["cpu_s"]
        peak = max(peak, r["peak_rss_mb"])
    result["import_s"], result["import_cpu_s"], result["import_peak_mb"] = wall, cpu, peak
    print(f"[{size}] import {wall:.0f} s, peak {peak:.0f} MB", flush=True)
    me = [sys.executable, str(Path(__file__).resolve())]
    r = run_measured([*me, "--child", "build", "-"], env)
    built = json.loads(r["stdout"].strip().splitlines()[-1])
    result.update(build_s=r["wall_s"], build_cpu_s=r["cpu_s"], build_peak_mb=r["peak_rss_mb"],
                  build_main_peak_mb=built.get("main_peak_mb"), names=built["names"],
                  index_mb=built["bytes"] / 2**20)
    print(f"[{size}] build {r['wall_s']:.0f} s, peak {r['peak_rss_mb']:.0f} MB "
          f"(main process {built.get('main_peak_mb', 0):.0f} MB), "
          f"{built['names']} names, {built['bytes'] / 2**20:.0f} MB on disk", flush=True)
    (home / "built.json").write_text(json.dumps(result))
    return serve_figures(result, files, work, env, seed, n_queries, rows, workers)


def serve_figures(result: dict[str, Any], files: list[Path], work: Path, env: dict[str, str],
                  seed: int, n_queries: int, rows: int, workers: list[int]) -> dict[str, Any]:
    """Open, latency, recall and screen-file figures on an imported and built home."""
    size = result["size"]
    me = [sys.executable, str(Path(__file__).resolve())]
    queries = make_queries(files, n_queries, seed)
    qpath = work / "queries.json"
    qpath.write_text(json.dumps(queries))
    r = run_measured([*me, "--child", "query", str(qpath)], env)
    q = json.loads(r["stdout"].strip().splitlines()[-1])
    result.update({k: q.get(k) for k in ("open_s", "rss_open_mb", "rss_after_mb", "p50_ms",
                                         "p99_ms", "max_ms", "recall", "cpu_p50_ms",
                                         "cpu_p99_ms")})
    result["open_rss_added_mb"] = q["rss_open_mb"] - q["rss_before_mb"]
    print(f"[{size}] open {q['open_s'] * 1000:.0f} ms (+{result['open_rss_added_mb']:.0f} MB), "
          f"p50 {q['p50_ms']:.2f} ms, p99 {q['p99_ms']:.1f} ms (CPU {q.get('cpu_p50_ms', 0):.2f} / "
          f"{q.get('cpu_p99_ms', 0):.1f} ms), recall {q['recall']:.3f} "
          f"on {q['recall_queries']}", flush=True)
    csv_path = work / "rows.csv"
    base = [(x["name"], x["schema"]) for x in queries]
    with csv_path.open("w", encoding="utf-8") as fh:
        import csv

        w = csv.writer(fh)
        w.writerow(["name", "schema"])
        for i in range(rows):
            name, schema = base[i % len(base)]
            w.writerow([name if i < len(base) else f"{name} {i % 7}", schema])
    result["screen_file"] = {}
    for n in workers:
        r = run_measured([*_cli(), "screen-file", str(csv_path), "--out",
                          str(work / "out.jsonl"), "--workers", str(n), "--limit", "5"],
                         env, sample=True)
        m = _SCREENED.search(" ".join(r["stderr"].split()))
        rate = int(m.group(1)) / float(m.group(2)) if m else None
        procs = r["processes"]
        parent = procs.get(min(procs)) if procs else {}
        kids = [v for p, v in procs.items() if p != min(procs)] if procs else []

        def private(s: dict[str, int]) -> int:
            # Pages no other process can share: the heap and copied-on-write pages. A mapped
            # index page only this process touched shows as Private_Clean, yet it is page
            # cache that the next worker maps for free, so it is not counted.
            return s.get("Private_Dirty", 0)

        entry = {
            "rows_per_s": rate, "wall_s": r["wall_s"], "rows_per_cpu_s": rows / r["cpu_s"],
            "parent_rss_mb": parent.get("Rss", 0) if parent else 0,
            "worker_rss_mb": max((k.get("Rss", 0) for k in kids), default=0),
            "worker_private_mb": max((private(k) for k in kids), default=0),
            "worker_anon_mb": max((k.get("Anonymous", 0) for k in kids), default=0),
            "tree_pss_mb": sum(v.get("Pss", 0) for v in procs.values()),
            "tree_rss_mb": sum(v.get("Rss", 0) for v in procs.values()),
            "processes": len(procs),
        }
        result["screen_file"][n] = entry
        print(f"[{size}] screen-file x{n}: {rate or 0:.0f} rows/s "
              f"({entry['rows_per_cpu_s']:.0f} per CPU-second incl. start), worker RSS "
              f"{entry['worker_rss_mb']} MB of which private {entry['worker_private_mb']} MB, "
              f"tree PSS {entry['tree_pss_mb']} MB", flush=True)
    return api_figures(result, env, queries, workers)


# ---------------------------------------------------------------- API server memory

API_REQUESTS = 400  # /match requests per server measured (bounded: a 2-core machine)
API_CLIENTS = 4  # client threads on 127.0.0.1
API_TIMEOUT = 900.0  # seconds for one server's start and requests, whatever the load
API_SETTLE = 6.0  # seconds after the requests before the last memory figures


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api_server(env: dict[str, str], queries: list[dict[str, str]], workers: int,
               requests: int = API_REQUESTS, clients: int = API_CLIENTS) -> dict[str, Any]:
    """`tradescreen serve --workers N --no-auth` on a free loopback port: time to ready, then
    `requests` /match calls (one query each) from `clients` threads; each process's private
    (Private_Dirty), shared and PSS pages once ready and after the requests; requests/s, HTTP
    p50/p99, and the server's CPU seconds per request. The home's audit log gets the events:
    measure on a home of the bench's own (or a copy)."""
    import httpx

    port = _free_port()
    env = {**env, "TRADESCREEN_API_RATE": "0", "TRADESCREEN_API_MAX_BATCH": "100"}
    started = time.perf_counter()
    deadline = time.monotonic() + API_TIMEOUT
    proc = subprocess.Popen([*_cli(), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", str(workers), "--no-auth"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"

    def tree() -> dict[int, dict[str, int]]:
        return {p: s for p in [proc.pid, *_children(proc.pid)] if (s := _smaps(p))}

    def workers_of(snap: dict[int, dict[str, int]]) -> list[int]:
        # Spawned workers (uvicorn's own mode) also leave a resource tracker: the workers
        # are the children that hold the app (the largest ones).
        kids = sorted((p for p in snap if p != proc.pid), key=lambda p: -snap[p].get("Rss", 0))
        return kids[:workers] if workers > 1 else [proc.pid]

    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"serve exited: {proc.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("serve not ready in time")
            try:
                ready = httpx.get(f"{base}/readyz", timeout=5).status_code == 200
            except httpx.TransportError:
                ready = False
            if ready and (workers == 1 or len(_children(proc.pid)) >= workers):
                break
            time.sleep(0.5)
        ready_s = time.perf_counter() - started
        before = tree()
        cpu_before = sum(_cpu_s(p) for p in before)
        latencies: list[float] = []
        failed: list[str] = []
        lock = threading.Lock()
        todo = iter(range(requests))

        def client() -> None:
            with httpx.Client(base_url=base, timeout=120) as http:
                while time.monotonic() < deadline:
                    with lock:
                        i = next(todo, None)
                    if i is None:
                        return
                    q = queries[i % len(queries)]
                    body = {"queries": {"q": {"schema": q["schema"],
                                              "properties": {"name": [q["name"]]}}}}
                    t = time.perf_counter()
                    try:
                        code = http.post("/match/default", json=body).status_code
                    except httpx.HTTPError as exc:
                        code = type(exc).__name__
                    with lock:
                        latencies.append(time.perf_counter() - t)
                        if code != 200:
                            failed.append(str(code))

        t = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t
        after = tree()
        cpu = sum(_cpu_s(p) for p in after) - cpu_before
        time.sleep(API_SETTLE)  # a worker gives freed memory back on its next look (Keeper)
        settled = tree()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    def figures(snap: dict[int, dict[str, int]]) -> dict[str, Any]:
        kids = workers_of(snap)
        private = [snap[p].get("Private_Dirty", 0) for p in kids]
        shared = [snap[p].get("Shared_Clean", 0) + snap[p].get("Shared_Dirty", 0)
                  for p in kids]
        return {"worker_private_mb": private, "worker_shared_mb": shared,
                "worker_pss_mb": [snap[p].get("Pss", 0) for p in kids],
                "parent_private_mb": snap[proc.pid].get("Private_Dirty", 0)
                if workers > 1 and proc.pid in snap else 0,
                "tree_pss_mb": sum(v.get("Pss", 0) for v in snap.values()),
                "tree_rss_mb": sum(v.get("Rss", 0) for v in snap.values()),
                "processes": len(snap)}

    return {"workers": workers, "ready_s": ready_s, "requests": len(latencies),
            "failed": len(failed), "req_per_s": len(latencies) / wall if wall else 0.0,
            "p50_ms": pct(0.5), "p99_ms": pct(0.99),
            "cpu_ms_per_request": 1000 * cpu / max(1, len(latencies)),
            "ready": figures(before), "after": figures(after), "settled": figures(settled)}


def print_api(size: int, entry: dict[str, Any]) -> None:
    r, a, z = entry["ready"], entry["after"], entry["settled"]
    print(f"[{size}] serve x{entry['workers']}: ready {entry['ready_s']:.1f} s; "
          f"{entry['requests']} /match ({entry['failed']} failed) {entry['req_per_s']:.1f} req/s, "
          f"p50 {entry['p50_ms']:.1f} ms, p99 {entry['p99_ms']:.1f} ms, "
          f"{entry['cpu_ms_per_request']:.1f} CPU ms/request; worker private MB "
          f"{r['worker_private_mb']} -> {a['worker_private_mb']} ({z['worker_private_mb']} "
          f"{API_SETTLE:.0f} s later), shared {a['worker_shared_mb']}, PSS {a['worker_pss_mb']}; "
          f"parent private {a['parent_private_mb']}; tree PSS {r['tree_pss_mb']} -> "
          f"{a['tree_pss_mb']} ({z['tree_pss_mb']}) MB", flush=True)


def api_figures(result: dict[str, Any], env: dict[str, str], queries: list[dict[str, str]],
                workers: list[int], requests: int = API_REQUESTS) -> dict[str, Any]:
    result["serve"] = {}
    for n in workers:
        entry = api_server(env, queries, n, requests)
        result["serve"][n] = entry
        print_api(result["size"], entry)
    return result


def report(results: list[dict[str, Any]]) -> None:
    base = results[0]

    def grow(key: str, r: dict[str, Any]) -> str:
        b, v = base.get(key), r.get(key)
        return f"x{v / b:.1f}" if b and v is not None else "-"

    figures = [("import_s", "import s"), ("import_cpu_s", "import CPU s"),
               ("import_peak_mb", "import peak MB"), ("build_s", "build s"),
               ("build_cpu_s", "build CPU s"), ("build_peak_mb", "build peak MB"),
               ("build_main_peak_mb", "build main-process peak MB"),
               ("index_mb", "index on disk MB"), ("open_s", "open s"),
               ("open_rss_added_mb", "RSS added by open MB"), ("p50_ms", "p50 ms"),
               ("p99_ms", "p99 ms"), ("cpu_p50_ms", "p50 CPU ms"), ("cpu_p99_ms", "p99 CPU ms"),
               ("recall", "recall@10 (typo)")]
    rows = []
    for key, label in figures:
        rows.append([label, *(f"{r.get(key) or 0:.3f}" if key in ("open_s", "recall") else
                              f"{r.get(key) or 0:.1f}" for r in results),
                     *(grow(key, r) for r in results[1:])])
    headers = ["figure", *(f"{r['size']:,}" for r in results),
               *(f"growth {r['size']:,}" for r in results[1:])]
    print_table(headers, rows, "Scale (each figure, then its growth from the smallest size)")
    sf_rows = []
    for n in sorted({n for r in results for n in r["screen_file"]}):
        for key, label in (("rows_per_s", "rows/s"), ("rows_per_cpu_s", "rows per CPU-s"),
                           ("worker_rss_mb", "RSS per worker MB"),
                           ("worker_private_mb", "private per worker MB"),
                           ("tree_pss_mb", "PSS all processes MB")):
            vals = [r["screen_file"].get(n, {}).get(key) for r in results]
            sf_rows.append([f"x{n} {label}", *(f"{v:.0f}" if v is not None else "-"
                                               for v in vals)])
    print_table(["screen-file", *(f"{r['size']:,}" for r in results)], sf_rows,
                "screen-file with 1, 2, 4 workers")
    api_rows = []
    for n in sorted({n for r in results for n in r.get("serve", {})}):
        for key, label in (("req_per_s", "req/s"), ("p50_ms", "HTTP p50 ms"),
                           ("p99_ms", "HTTP p99 ms"),
                           ("worker_private_mb", "private per worker MB (max)"),
                           ("tree_pss_mb", "PSS all processes MB")):
            vals = []
            for r in results:
                e = r.get("serve", {}).get(n)
                v = None if e is None else e["after"].get(key, e.get(key))
                vals.append(max(v) if isinstance(v, list) else v)
            api_rows.append([f"x{n} {label}", *(f"{v:.0f}" if v is not None else "-"
                                                for v in vals)])
    print_table(["serve", *(f"{r['size']:,}" for r in results)], api_rows,
                f"tradescreen serve with 1, 2, 4 workers ({API_REQUESTS} /match after start)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,400000")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--queries", type=int, default=600)
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse an earlier run's import and build of the same size and seed")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--serve-home", type=Path,
                    help="only the API server figures, on this imported and built home (its "
                         "audit log gets the requests: use a copy), queries from --serve-queries")
    ap.add_argument("--serve-queries", type=Path,
                    help="a queries.json of an earlier run (name, schema per query)")
    ap.add_argument("--serve-requests", type=int, default=API_REQUESTS)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return
    if args.serve_home:
        queries = json.loads(args.serve_queries.read_text())
        result = {"size": int(json.loads((args.serve_home / "built.json").read_text())["size"])}
        api_figures(result, _env(args.serve_home), queries,
                    [int(w) for w in args.workers.split(",") if w], args.serve_requests)
        return
    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        results.append(measure(size, args.seed, args.queries, args.rows,
                               [int(w) for w in args.workers.split(",") if w], args.reuse))
        (out_dir() / "scale.json").write_text(json.dumps(results, indent=1, default=str))
    report(results)


if __name__ == "__main__":
    main()
