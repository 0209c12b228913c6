"""Transaction screening throughput: 10,000 generated transactions (seeded), screened
in-process and through `tradescreen screen-tx --json` on a JSON-lines file; and alert volume:
the review rate on >= 1,000 ordinary transactions (domestic and EU/US/UK/Japan trade in
non-CHPL goods; must be <= 2 %), the same trade in CHPL parts, and the catch rate on a risky set
(every one must be reviewed or blocked), each alert rate split by cause: the transaction rules
(goods, route, red flags, ownership) or a party's name (the list matcher).

    python bench/tx.py [--n 10000] [--ordinary 1000] [--seed 7] [--home DIR]

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


# Ordinary trade as issue #14 defines it: domestic sales and trade between the EU, the US, the
# UK and Japan (and Canada), in goods that are not on the CHPL. A second set holds the same trade
# in CHPL-coded parts, which such trade is full of, reported beside it.
PARTNERS = ["de", "fr", "it", "es", "nl", "be", "at", "se", "pl", "ie", "us", "gb", "jp", "ca"]
ORDINARY_GOODS = [("9403.60", "office furniture"), ("6204.62", "cotton trousers"),
                  ("8413.70", "centrifugal pumps"), ("8481.80", "industrial valves"),
                  ("8483.40", "gearboxes"), ("3926.90", "plastic housings"),
                  ("4802.56", "copy paper"), ("2204.21", "red wine"),
                  ("8708.99", "brake assemblies"), ("7306.30", "welded steel tubes"),
                  ("4901.99", "printed manuals"), ("8516.71", "coffee machines"),
                  ("3004.90", "pharmaceuticals"), ("8421.21", "water filters")]
CHPL_GOODS = [("8542.31", "microcontrollers"), ("8532.24", "MLCC capacitors"),
              ("8482.10", "ball bearings"), ("8536.69", "connectors"),
              ("8504.40", "power supplies"), ("8471.50", "server processing units"),
              ("8534.00", "printed circuit boards"), ("9030.20", "oscilloscopes"),
              ("8541.21", "transistors")]
END_USES = ["production", "own use", "maintenance of the buyer's plant", "resale to "
            "retailers in the EU", "integration into industrial controls", None]


# Company names as each country writes them (Faker's locales, seeded): realistic names, not
# words chosen to collide with the lists or to avoid them.
LOCALES = {"de": "de_DE", "at": "de_AT", "fr": "fr_FR", "be": "fr_BE", "it": "it_IT",
           "es": "es_ES", "nl": "nl_NL", "se": "sv_SE", "pl": "pl_PL", "ie": "en_IE",
           "us": "en_US", "gb": "en_GB", "jp": "ja_JP", "ca": "en_CA"}


def company_names(seed: int, per_country: int = 120) -> dict[str, list[str]]:
    from faker import Faker

    names = {}
    for country, locale in LOCALES.items():
        fake = Faker(locale)
        fake.seed_instance(seed)
        names[country] = [fake.company() for _ in range(per_country)]
    return names


def _firm(rng: random.Random, pool: dict[str, list[str]], country: str) -> dict:
    firm = {"name": rng.choice(pool[country]), "schema": "Company", "country": country,
            "incorporated": f"{rng.randint(1950, 2023)}-{rng.randint(1, 12):02d}-01"}
    if rng.random() < 0.9:  # the rest simply not recorded
        firm["website"] = "https://example.com"
    return firm


def ordinary(n: int, seed: int, goods: list[tuple[str, str]] = ORDINARY_GOODS,
             prefix: str = "ORD") -> list[dict]:
    """Ordinary trade as a distributor's or manufacturer's books hold it: data often
    incomplete (no end use, no end-user statement recorded, no website field), which is not a
    red flag in itself."""
    rng = random.Random(seed)
    pool = company_names(seed)
    out = []
    for i in range(n):
        seller_c = rng.choice(PARTNERS)
        buyer_c = seller_c if rng.random() < 0.4 else rng.choice(PARTNERS)
        hs, desc = rng.choice(goods)
        route: dict = {"destination": buyer_c}
        if rng.random() < 0.7:
            route["origin"] = seller_c
        tx: dict = {
            "id": f"{prefix}-{i:05d}", "date": "2024-06-01",
            "parties": [{"role": "seller", **_firm(rng, pool, seller_c)},
                        {"role": "buyer", **_firm(rng, pool, buyer_c)}],
            "goods": [{"hs_code": hs, "description": desc, "quantity": rng.randint(1, 2000),
                       "unit_price": round(rng.uniform(0.1, 400), 2), "currency": "EUR"}],
            "route": route,
            "payment": {"method": rng.choice(["wire"] * 12 + ["letter of credit", "card"]),
                        "payer_country": buyer_c},
        }
        use = rng.choice(END_USES)
        if use:
            tx["end_use"] = use
        if rng.random() < 0.5:
            tx["end_user_statement"] = True
        out.append(tx)
    return out


def risky(seed: int) -> list[dict]:
    """One transaction per risk today's checks catch, each on an otherwise ordinary deal: all
    must stay `review` or `block`."""
    rng = random.Random(seed)
    pool = {c: make_pool(rng, 50) for c in {*RISKY, *TRANSSHIP, *PARTNERS, "cu", "kp", "sy"}}
    base = ordinary(1, seed)[0]
    base["goods"] = [{"hs_code": "8542.31", "description": "microcontrollers", "quantity": 100,
                      "unit_price": 4.0}]
    seller = {"role": "seller", **_firm(rng, pool, "de")}

    def deal(name: str, dest: str, **changes: object) -> dict:
        tx = json.loads(json.dumps(base))
        tx["id"] = f"RISK-{name}"
        tx["parties"] = [seller, {"role": "buyer", **_firm(rng, pool, dest),
                                  "website": "https://example.com"}]
        tx["route"] = {"origin": "de", "destination": dest}
        tx["payment"] = {"method": "wire", "payer_country": dest}
        tx.update(changes)
        return tx

    out = []
    for dest in RISKY + TRANSSHIP:
        out.append(deal(f"chpl-{dest}", dest))
    for listed in LISTED:
        tx = deal(f"listed-{listed[:12]}", "de", goods=[{"hs_code": "8483.40"}])
        tx["parties"][1]["name"] = listed
        out.append(tx)
    for dest in ("cu", "kp", "sy"):
        out.append(deal(f"embargo-{dest}", dest, goods=[{"hs_code": "9403.60"}]))
    out.append(deal("port", "fr", route={"origin": "de", "ports": ["Amirabad"],
                                         "destination": "fr"}))
    out.append(deal("drone", "fr", goods=[{"description": "fixed-wing UAV airframe"}]))
    out.append(deal("refused-eus-tr", "tr", end_user_statement=False))
    out.append(deal("resale-stock-ae", "ae", end_use="stock"))
    out.append(deal("cash", "fr", payment={"method": "cash", "payer_country": "fr"},
                    goods=[{"hs_code": "8483.40", "quantity": 10, "unit_price": 5000}]))
    out.append(deal("third-country-payer", "fr",
                    payment={"method": "wire", "payer_country": "ae"}))
    out.append(deal("forwarder-end-user", "fr", parties=[
        seller, {"role": "buyer", **_firm(rng, pool, "fr")},
        {"role": "end_user", "name": "Swift Freight Forwarding LLC", "country": "fr"}]))
    tx = deal("bakery-chips", "fr")
    tx["parties"][1]["line_of_business"] = "bakery"
    out.append(tx)
    out.append(deal("shipping-change", "fr", notes=["last-minute change of consignee"]))
    out.append(deal("serials-removed", "fr",
                    goods=[{"hs_code": "8542.31", "description": "chips, serial numbers removed"}]))
    young = deal("young-faceless-kz", "kz")
    young["parties"][1].update(incorporated="2024-02-01", website=None)
    out.append(young)
    return out


def rates(results: list[dict]) -> dict[str, float]:
    n = len(results) or 1
    counts = Counter(r["decision"] for r in results)
    return {k: counts.get(k, 0) / n for k in ("clear", "review", "block")}


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
    parser.add_argument("--ordinary", type=int, default=1000,
                        help="Ordinary transactions for the alert-volume check (>= 1,000).")
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
    alert_volume(screener, args.ordinary, args.seed)
    if tmp is not None:
        tmp.cleanup()


def _causes(result: dict) -> set[str]:
    """What sent a transaction to review or block: a party's name (the list matcher, incl. the
    curated UAV-programme entities), and/or the transaction rules (goods, route, red flags,
    ownership)."""
    out = set()
    for r in result["reasons"]:
        if r["severity"] == "info":
            continue
        out.add("party name" if r["check"] == "party" else "transaction rules")
    return out


def alert_volume(screener, n: int, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Review rate on ordinary trade (target <= 2 %) beside the risky set's catch rate, with
    the alerted share split by cause."""
    sets = {
        "ordinary trade (non-CHPL goods)": list(screener.screen_many(ordinary(n, seed))),
        "same trade in CHPL parts": list(
            screener.screen_many(ordinary(n, seed, CHPL_GOODS, "CHPL"))),
    }
    danger = list(screener.screen_many(risky(seed)))
    rows = []
    for label, plain in sets.items():
        rate = rates(plain)
        causes = Counter(" + ".join(sorted(c)) for t in plain if t["decision"] != "clear"
                         for c in [_causes(t)])
        by_rules = sum(v for k, v in causes.items() if "transaction rules" in k)
        by_names = sum(v for k, v in causes.items() if "party name" in k)
        total = max(len(plain), 1)
        rows.append([label, len(plain), *(f"{rate[k]:.1%}" for k in ("clear", "review",
                                                                     "block")),
                     f"{rate['review'] + rate['block']:.1%}", f"{by_rules / total:.1%}",
                     f"{by_names / total:.1%}",
                     "review+block <= 2 %" if label.startswith("ordinary") else "-"])
    danger_rate = rates(danger)
    rows.append(["risky set", len(danger), *(f"{danger_rate[k]:.1%}" for k in
                                             ("clear", "review", "block")),
                 f"{danger_rate['review'] + danger_rate['block']:.1%}", "-", "-",
                 "100 % caught"])
    print_table(["set", "transactions", "clear", "review", "block", "review+block",
                 "by tx rules", "by party name", "target"], rows)
    for label, plain in sets.items():
        why = Counter(f"{r['check']}/{r['code']}" for t in plain if t["decision"] != "clear"
                      for r in t["reasons"] if r["severity"] != "info")
        if why:
            print(f"{label}, sent to review/block by: "
                  + ", ".join(f"{k} {v}" for k, v in why.most_common(8)))
    # The party-name alerts on ordinary trade, each name once: real company names that look
    # like listed ones are a finding for the matcher (bench/screening.py), not noise to filter.
    hits: dict[str, str] = {}
    for plain in sets.values():
        for t in plain:
            for r in t["reasons"]:
                ev = r["evidence"]
                if r["check"] == "party" and r["severity"] != "info":
                    listed = ev.get("caption") or ev.get("entity") or "?"
                    score = ev.get("score")
                    hits.setdefault(ev.get("name") or "?",
                                    f"{r['code']} {listed!r} {score if score is not None else ''}")
    screened = {p["name"] for plain in sets.values() for t in plain for p in t["parties"]}
    if hits:
        print(f"ordinary party names alerted: {len(hits)} of {len(screened)} distinct names "
              f"({len(hits) / max(len(screened), 1):.1%}):")
        for name, what in sorted(hits.items())[:40]:
            print(f"  {name!r} -> {what}")
    missed = [t["id"] for t in danger if t["decision"] == "clear"]
    if missed:
        print("risky transactions missed: " + ", ".join(missed))

if __name__ == "__main__":
    main()
