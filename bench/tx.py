"""Transaction screening throughput: 10,000 generated transactions (seeded), screened
in-process and through `tradescreen screen-tx --json` on a JSON-lines file.

    python bench/tx.py [--n 10000] [--seed 7] [--home DIR]

Lists (OFAC SDN 2024-05-03 + the 2025 supplement, UN, Canada) and the domain controls are imported
into a temporary home unless --home names one that has them. The mix is realistic rather than
adversarial: mostly ordinary trade between established firms, some electronics to transshipment
countries, a few listed parties, owners and sanctioned routes; counterparties repeat as in a book.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import REPO, out_dir, print_table, shared_data_dir

# The console script installed next to this interpreter (the venv's `tradescreen`).
CLI = str(Path(sys.executable).with_name("tradescreen"))

SAFE = ["de", "fr", "it", "es", "nl", "se", "pl", "us", "gb", "jp", "ca", "at", "be", "dk"]
TRANSSHIP = ["ae", "tr", "kz", "kg", "am", "ge", "hk", "cn", "rs", "uz"]
RISKY = ["ru", "by", "ir"]
WORDS = ["Nord", "Alpen", "Rhein", "Baltic", "Atlas", "Orion", "Delta", "Vega", "Falcon",
         "Summit", "Harbor", "Cedar", "Granite", "Silver", "Meridian", "Pioneer", "Zenith"]
KINDS = ["Technik", "Industries", "Components", "Trading", "Logistics", "Electronics",
         "Machinery", "Supply", "Systems", "Handel"]
FORMS = ["GmbH", "SAS", "Ltd", "LLC", "AB", "SpA", "BV", "FZE", "TOO", "Inc"]
GOODS = [("8483.40", "gearboxes"), ("8481.80", "industrial valves"), ("3926.90", "plastic parts"),
         ("8542.31", "microcontrollers"), ("8532.24", "MLCC capacitors"),
         ("8471.50", "server processing units"), ("9403.60", "office furniture"),
         ("8501.10", "servo motors"), ("9014.20", "IMU navigation module"),
         ("6204.62", "cotton trousers"), ("8413.70", "centrifugal pumps")]
LISTED = ["Alabuga Development OOO", "LLC Alabuga Machinery", "Qods Aviation Industries",
          "Hongkong Himark Electron Model Limited"]


def company(rng: random.Random, pool: list[str]) -> str:
    return pool[rng.randrange(len(pool))]


def make_pool(rng: random.Random, n: int) -> list[str]:
    return [f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(KINDS)} {rng.choice(FORMS)}"
            for _ in range(n)]


def generate(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    pool = make_pool(rng, 2000)  # counterparties repeat, as in a real book
    out = []
    for i in range(n):
        roll = rng.random()
        dest = (rng.choice(SAFE) if roll < 0.75 else rng.choice(TRANSSHIP) if roll < 0.93
                else rng.choice(RISKY))
        origin = rng.choice(SAFE)
        hs, desc = rng.choice(GOODS)
        buyer = {"role": "buyer", "name": company(rng, pool), "schema": "Company",
                 "country": dest,
                 "incorporated": f"{rng.randint(1980, 2024)}-0{rng.randint(1, 9)}-15",
                 "website": None if rng.random() < 0.1 else "https://example.com"}
        if rng.random() < 0.02:
            buyer["name"] = rng.choice(LISTED)
        if rng.random() < 0.05:
            buyer["owners"] = [{"name": rng.choice(LISTED + pool[:50]), "share": 0.3},
                               {"name": company(rng, pool), "share": 0.7}]
        parties = [{"role": "seller", "name": company(rng, pool), "schema": "Company",
                    "country": origin, "website": "https://example.com"}, buyer]
        if rng.random() < 0.3:
            parties.append({"role": "end_user", "name": company(rng, pool), "country": dest})
        route: dict = {"origin": origin, "destination": dest}
        if rng.random() < 0.15:
            route["transit"] = [rng.choice(TRANSSHIP)]
        if rng.random() < 0.01:
            route["ports"] = [rng.choice(["Amirabad", "Makhachkala", "Hamburg", "Rotterdam"])]
        out.append({
            "id": f"TX-{i:06d}", "date": "2024-06-01", "parties": parties,
            "goods": [{"hs_code": hs, "description": desc, "quantity": rng.randint(1, 5000),
                       "unit_price": round(rng.uniform(0.05, 900), 2), "currency": "USD"}],
            "route": route,
            "payment": {"method": rng.choice(["wire"] * 9 + ["cash"]),
                        "payer_country": dest if rng.random() < 0.9 else rng.choice(TRANSSHIP)},
            "end_use": rng.choice(["production", "resale", "own use", None]),
            "end_user_statement": rng.random() < 0.7,
        })
    return out


def prepare_home(home: Path) -> None:
    data = shared_data_dir()
    env = {**os.environ, "TRADESCREEN_HOME": str(home)}
    for path in ("ofac/sdn_2024-05-03", "ofac/sdn_2025-02_add_alt_comments",
                 "canada/sema-lmes.xml", "un/consolidated.xml"):
        subprocess.run([CLI, "lists", "import",
                        str(data / path)], env=env, check=True, capture_output=True)
    subprocess.run([CLI, "controls", "import",
                    str(data / "domain")], env=env, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", type=Path, default=None)
    args = parser.parse_args()
    tmp = None
    home = args.home
    if home is None:
        tmp = tempfile.TemporaryDirectory(prefix="tradescreen-bench-tx-")
        home = Path(tmp.name)
        prepare_home(home)
    os.environ["TRADESCREEN_HOME"] = str(home)

    from tradescreen.cli.screen import load_screener
    from tradescreen.config import load_settings
    from tradescreen.controls import load_controls
    from tradescreen.screen.policy import load_policy
    from tradescreen.screen.tx import TxScreener

    txs_raw = generate(args.n, args.seed)
    path = out_dir() / f"tx_{args.n}.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in txs_raw))

    settings = load_settings()
    started = time.perf_counter()
    screener = TxScreener(load_screener(settings), load_controls(settings.home), load_policy())
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    results = list(screener.screen_many(txs_raw))
    in_proc = time.perf_counter() - started
    decisions = Counter(r["decision"] for r in results)

    started = time.perf_counter()
    proc = subprocess.run([CLI, "screen-tx", str(path),
                           "--json"], capture_output=True, env=os.environ.copy(), cwd=REPO)
    cli_s = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(proc.stderr.decode()[-2000:])
    cli_rows = proc.stdout.count(b"\n")

    print(f"{args.n} generated transactions (seed {args.seed}); decisions: "
          + ", ".join(f"{k} {v}" for k, v in sorted(decisions.items())))
    print_table(
        ["mode", "transactions", "seconds", "tx/s"],
        [["in-process, 1 core", args.n, f"{in_proc:.2f}", f"{args.n / in_proc:,.0f}"],
         [f"CLI screen-tx --json, {os.cpu_count()} cores (incl. start-up)", cli_rows,
          f"{cli_s:.2f}", f"{cli_rows / cli_s:,.0f}"],
         ["load index + controls + policy", "-", f"{load_s:.2f}", "-"]],
    )
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
