"""Network benchmark: cross-list consolidation and what it does to alerts, plus the
shared-attribute section when `network_attributes` is present.

Sections (one run, every real list imported into a temporary TRADESCREEN_HOME):

1. consolidation: precision and recall on cross-list pairs labelled from the lists themselves,
   each time with the evidence that labelled them held out of the run:
   - `reference`: the CSL's copies of Treasury entries carry OFAC's entity number; truth = equal
     numbers; run with every explicit reference withheld.
   - `identifier`: listings of independent publishers (UN, OFAC, Canada, Australia, the BIS
     lists) that share a strong identifier (passport, IMO, registration number, ...) unique on
     each list; run with references and identifiers withheld, so only names with birth dates,
     countries and addresses remain.
   Precision counts every merged pair of two labelled listings (a wrong one: both labelled, and
   by different numbers). Hard negatives: listings of the same name with conflicting labels;
   any merged one is an error.
2. alerts: the all-lists screening bench's recall queries (bench/screening.py): alerting results
   per true listed party before consolidation (each listing a result) and after, and the
   bench's recall@5 before and after (unchanged is the target).
3. build: index build time with and without consolidation (same records, in process).
4. attributes: `network_attributes.run(args)` (shared-attribute alerts), when importable.

    python bench/network.py [--quick] [--seed 7] [--out bench/out/network.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from itertools import combinations
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import out_dir, print_table, rel, shared_data_dir  # noqa: E402

from tradescreen.config import Settings  # noqa: E402
from tradescreen.consolidate.agree import nearest_slip  # noqa: E402
from tradescreen.consolidate.link import (  # noqa: E402
    SINGLE_VALUED,
    identifiers_conflict,
    link_parties,
)
from tradescreen.consolidate.profile import Profile, profile  # noqa: E402
from tradescreen.index.records import to_record  # noqa: E402
from tradescreen.model import Entity  # noqa: E402

TREASURY = ("us_ofac_sdn", "us_ofac_cons")


def load_entities(settings: Settings) -> list[Entity]:
    from tradescreen.store import open_store

    with open_store(settings) as store:
        ids = sorted(s.id for s in store.active_snapshots())
        return [e for sid in ids for e in store.iter_entities(sid)]


def ofac_label(p: Profile) -> str | None:
    """The OFAC entity number a listing is, by its own id or the CSL's copy of it, with its
    numbering: one party on the SDN list and on a non-SDN list (SSI, CAPTA, ...) has a number
    on each, so only numbers of one list can disagree."""
    for ref in (*p.own_refs, *p.refs):
        if ref.startswith("ofac:"):
            sdn = p.source == "us_ofac_sdn" or "(SDN)" in p.list_key
            return f"{'sdn' if sdn else 'cons'}:{ref}"
    return None


def label_conflict(a: str, b: str) -> bool:
    return a.split(":", 1)[0] == b.split(":", 1)[0] and a != b


def id_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    return identifiers_conflict(a, b)


def same_cluster_pairs(groups: dict[int, list[int]]) -> set[tuple[int, int]]:
    return {(a, b) for members in groups.values() for a, b in combinations(sorted(members), 2)}


def run_links(profiles: Sequence[Profile]) -> dict[int, list[int]]:
    return link_parties(profiles)[1]


def score(truth: set[tuple[int, int]], merged: set[tuple[int, int]],
          label: dict[int, str]) -> dict[str, Any]:
    judged = [(a, b) for a, b in merged if a in label and b in label
              and label[a].split(":", 1)[0] == label[b].split(":", 1)[0]]
    wrong = [(a, b) for a, b in judged if label_conflict(label[a], label[b])]
    found = sum(1 for pair in truth if pair in merged)
    return {
        "pairs": len(truth), "recovered": found,
        "recall": found / len(truth) if truth else None,
        "merged_labelled_pairs": len(judged), "wrong": len(wrong),
        "precision": (len(judged) - len(wrong)) / len(judged) if judged else None,
        "wrong_examples": wrong[:10],
    }


def reference_section(profiles: list[Profile], entities: list[Entity]) -> dict[str, Any]:
    label = {p.pos: lab for p in profiles if (lab := ofac_label(p))}
    by_label: dict[str, list[int]] = defaultdict(list)
    for pos, lab in label.items():
        by_label[lab].append(pos)
    truth = {
        tuple(sorted((a, b))) for members in by_label.values()
        for a, b in combinations(members, 2)
        if profiles[a].list_key != profiles[b].list_key
        and (profiles[a].source in TREASURY or profiles[b].source in TREASURY)
    }
    held = [replace(p, refs=frozenset(), own_refs=frozenset()) for p in profiles]
    merged = same_cluster_pairs(run_links(held))
    out = score(truth, merged, label)
    out["wrong_examples"] = [(entities[a].id, entities[b].id) for a, b in out["wrong_examples"]]
    return out


def _independent(p: Profile) -> bool:
    """Not a copy of another list: the CSL's Treasury sub-lists reprint OFAC."""
    return not (p.source == "us_csl" and ofac_label(p))


def identifier_section(profiles: list[Profile], entities: list[Entity]) -> dict[str, Any]:
    pool = [p for p in profiles if _independent(p)]
    by_ident: dict[str, list[int]] = defaultdict(list)
    for p in pool:
        for key in p.identifiers:
            by_ident[key].append(p.pos)
    truth: set[tuple[int, int]] = set()
    label_sets: dict[int, set[str]] = defaultdict(set)
    for key, members in by_ident.items():
        lists = [profiles[m].list_key for m in members]
        if len(members) < 2 or len(set(lists)) != len(lists) or len(members) > 8:
            continue  # not unique on its list, or generic
        for m in members:
            label_sets[m].add(key)
        for a, b in combinations(sorted(members), 2):
            if profiles[a].kind == profiles[b].kind:
                truth.add((a, b))
    held = [replace(p, refs=frozenset(), own_refs=frozenset(), identifiers=frozenset())
            for p in pool]
    merged = same_cluster_pairs(run_links(held))
    # A merged pair is judged when both listings carry a number of a class a party has one
    # of (registration, IMO, ...): right if they share it, wrong if they differ.
    idents = {p.pos: p.identifiers for p in pool}
    judged, wrong = 0, []
    for a, b in merged:
        classes_a = {k.split(":", 1)[0] for k in idents[a]} & set(SINGLE_VALUED)
        classes_b = {k.split(":", 1)[0] for k in idents[b]}
        if not classes_a & classes_b:
            continue
        judged += 1
        if id_conflict(idents[a], idents[b]):
            wrong.append((entities[a].id, entities[b].id))
    found = sum(1 for pair in truth if pair in merged)
    return {
        "pairs": len(truth), "recovered": found,
        "recall": found / len(truth) if truth else None,
        "merged_labelled_pairs": judged, "wrong": len(wrong),
        "precision": (judged - len(wrong)) / judged if judged else None,
        "wrong_examples": wrong[:10],
    }


def hard_negatives(profiles: list[Profile], groups: dict[int, list[int]],
                   entities: list[Entity]) -> dict[str, Any]:
    """Same name, different party: different numbers of a class a party has one of (the
    strict negatives: any merge is an error), or different full birth dates (negatives unless
    one date is the other mistyped: a day apart, or only the year, month or day differing, as
    lists copying one person by hand write them). How many the full run merged."""
    party = {m: root for root, members in groups.items() for m in members}
    by_name: dict[str, list[int]] = defaultdict(list)
    for p in profiles:
        for key in p.names:
            by_name[key].append(p.pos)
    by_number: set[tuple[int, int]] = set()
    by_date: set[tuple[int, int]] = set()
    slipped: set[tuple[int, int]] = set()
    for members in by_name.values():
        if len(members) > 40:
            continue
        for a, b in combinations(sorted(set(members)), 2):
            pa, pb = profiles[a], profiles[b]
            if pa.kind != pb.kind or pa.list_key == pb.list_key:
                continue
            # Not the same party by a shared number or OFAC's numbering (typos in dates).
            if pa.identifiers & pb.identifiers or (
                    ofac_label(pa) is not None and ofac_label(pa) == ofac_label(pb)):
                continue
            if id_conflict(pa.identifiers, pb.identifiers):
                by_number.add((a, b))
                continue
            full_a = sorted(d for d in pa.dates if len(d) == 10)
            full_b = sorted(d for d in pb.dates if len(d) == 10)
            if full_a and full_b and not set(full_a) & set(full_b):
                (slipped if nearest_slip(full_a, full_b) else by_date).add((a, b))

    def merged(pairs: set[tuple[int, int]]) -> list[tuple[int, int]]:
        return [(a, b) for a, b in pairs if a in party and party.get(b) == party[a]]

    number_merged, date_merged, slip_merged = merged(by_number), merged(by_date), merged(
        slipped)
    return {
        "pairs": len(by_number) + len(by_date), "merged": len(number_merged) + len(date_merged),
        "number_pairs": len(by_number), "number_merged": len(number_merged),
        "date_pairs": len(by_date), "date_merged": len(date_merged),
        "slip_pairs": len(slipped), "slip_merged": len(slip_merged),
        "examples": [(entities[a].id, entities[b].id)
                     for a, b in (number_merged + date_merged)[:10]],
        "slip_examples": [(entities[a].id, entities[b].id) for a, b in slip_merged[:10]],
    }


def consolidation(entities: list[Entity]) -> dict[str, Any]:
    started = time.perf_counter()
    profiles = [profile(e, to_record(e, "s"), i) for i, e in enumerate(entities)]
    links, groups = link_parties(profiles)
    seconds = time.perf_counter() - started
    return {
        "entities": len(entities), "links": dict(Counter(k.kind for k in links)),
        "parties_on_several_lists": len(groups),
        "listings_consolidated": sum(len(m) for m in groups.values()),
        "cluster_sizes": dict(sorted(Counter(len(m) for m in groups.values()).items())),
        "seconds": seconds,
        "reference_held_out": reference_section(profiles, entities),
        "identifier_held_out": identifier_section(profiles, entities),
        "hard_negatives": hard_negatives(profiles, groups, entities),
    }


def alerts(settings: Settings, n: int, seed: int) -> dict[str, Any]:
    import screening

    from tradescreen.index.cache import load_index
    from tradescreen.screen.party import Screener
    from tradescreen.store import open_store

    with open_store(settings) as store:
        index = load_index(store, settings.index_dir)
    recall = screening.make_recall_set(index, n, seed)
    parties = index.parties
    out: dict[str, Any] = {"queries": len(recall)}
    for label, use in (("before", None), ("after", parties)):
        index.parties = use
        run = screening.run_tradescreen(Screener(index), [q.query for q in recall])
        per_party: list[int] = []
        for rq, hits in zip(recall, run.hits, strict=True):
            truth = _party_of(parties, index, rq)
            n_alerts = sum(1 for h in hits if h.decision in screening.HIT_DECISIONS
                           and ({h.source + ":" + h.source_id, *h.listings} & truth))
            if n_alerts:
                per_party.append(n_alerts)
        metrics = screening.recall_metrics(recall, run.hits)
        out[label] = {
            "alerts_per_listed_party": sum(per_party) / len(per_party) if per_party else None,
            "parties_alerted": len(per_party),
            "max_alerts_per_party": max(per_party, default=0),
            "recall@5": metrics["all"]["recall"],
            "recall@5_match": metrics["all"]["recall_match"],
            "ms_per_query": 1000 * run.wall / max(1, len(recall)),
        }
    index.parties = parties
    return out


_POS_CACHE: dict[int, dict[str, int]] = {}


def _party_of(parties: Any, index: Any, rq: Any) -> set[str]:
    """The listings of the true party of a recall query (its listing's cluster)."""
    table = _POS_CACHE.setdefault(id(index), {r.id: i for i, r in enumerate(index.records)})
    pos = table[f"{rq.source}:{rq.source_id}"]
    item = parties.cluster(pos)
    return set(item["ids"]) if item else {f"{rq.source}:{rq.source_id}"}


def _prepare_plain(item: Any) -> Any:
    """The build's per-record work without the listed-party profile (run in its workers)."""
    from tradescreen.index.cache import prepare_record, to_record
    from tradescreen.model import Entity

    _pos, data, sid, digest = item
    entity = Entity.from_json(data)
    record = to_record(entity, sid) if digest is None else to_record(entity, sid, digest)
    return prepare_record(record)


def build_times(settings: Settings, repeat: int) -> dict[str, Any]:
    """The product's index build (`cache.load_index`: records, names and listed-party profiles
    made in worker processes, links in the main process) against the same build without
    consolidation (no profiles, no links)."""
    from tradescreen.index.cache import build_into, iter_stored, load_index
    from tradescreen.normalize.names import name_form
    from tradescreen.normalize.text import ascii_fold, tokens
    from tradescreen.store import open_store

    plain: list[float] = []
    consol: list[float] = []
    cpu: dict[str, list[float]] = {"plain": [], "consol": []}
    with open_store(settings) as store, tempfile.TemporaryDirectory() as tmp:
        ids = sorted(s.id for s in store.active_snapshots())
        for i in range(repeat):
            for label, times in (("plain", plain), ("consol", consol)):
                # Cold normaliser caches each time, as in a fresh process.
                for cached in (ascii_fold, tokens, name_form):
                    cached.cache_clear()
                folder = Path(tmp) / f"{label}-{i}"
                start, started_cpu = time.perf_counter(), time.process_time()
                if label == "consol":
                    load_index(store, folder, ids)
                else:
                    build_into(folder, folder / "index-plain", iter_stored(store, ids),
                               tuple(ids), None, prepare=_prepare_plain)
                times.append(time.perf_counter() - start)
                # The main process's CPU: where the links are found (workers do the rest).
                cpu[label].append(time.process_time() - started_cpu)
    return {"plain_s": min(plain), "consolidated_s": min(consol),
            "growth": min(consol) / min(plain) - 1, "repeat": repeat,
            "plain_main_cpu_s": min(cpu["plain"]), "consolidated_main_cpu_s": min(cpu["consol"]),
            "main_cpu_growth": min(cpu["consol"]) / min(cpu["plain"]) - 1}


def attributes(args: argparse.Namespace) -> dict[str, Any] | None:
    try:
        import network_attributes  # written alongside (shared-attribute alerts)
    except ImportError:
        return None
    return network_attributes.run(args)


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    import screening

    home = work / "home"
    home.mkdir()
    settings = Settings(home=home)
    summary: dict[str, Any] = {"mode": "quick" if args.quick else "full", "seed": args.seed}
    print("importing lists ...", flush=True)
    summary["lists"] = screening.import_lists(settings, args.data_dir)
    print("consolidation ...", flush=True)
    summary["consolidation"] = consolidation(load_entities(settings))
    print("alerts per listed party ...", flush=True)
    summary["alerts"] = alerts(settings, 300 if args.quick else 1000, args.seed)
    print("index build with and without consolidation ...", flush=True)
    summary["build"] = build_times(settings, 2 if args.quick else 3)
    print("shared attributes ...", flush=True)
    summary["attributes"] = attributes(args)
    return summary


def _f(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def report(s: dict[str, Any]) -> None:
    c = s["consolidation"]
    print(f"\nconsolidation: {c['entities']:,} listings -> {c['parties_on_several_lists']:,} "
          f"parties on several lists ({c['listings_consolidated']:,} listings); "
          f"links {c['links']}; {c['seconds']:.1f} s")
    rows = []
    for key in ("reference_held_out", "identifier_held_out"):
        r = c[key]
        rows.append([key, f"{r['pairs']:,}", _f(r["recall"]), f"{r['merged_labelled_pairs']:,}",
                     str(r["wrong"]), _f(r["precision"], 4)])
    print_table(["labelled by (held out)", "pairs", "recall", "judged merges", "wrong",
                 "precision"], rows)
    h = c["hard_negatives"]
    print(f"hard negatives (same name): conflicting number {h['number_pairs']:,} pairs, "
          f"{h['number_merged']} merged; birth dates apart {h['date_pairs']:,} pairs, "
          f"{h['date_merged']} merged; a mistyped birth date {h['slip_pairs']:,} pairs, "
          f"{h['slip_merged']} merged")
    a = s["alerts"]
    print_table(["alerts", "per listed party", "max", "recall@5", "recall@5 match", "ms/query"],
                [[k, _f(a[k]["alerts_per_listed_party"]), str(a[k]["max_alerts_per_party"]),
                  _f(a[k]["recall@5"]), _f(a[k]["recall@5_match"]), _f(a[k]["ms_per_query"], 2)]
                 for k in ("before", "after")])
    b = s["build"]
    print(f"index build: {b['plain_s']:.2f} s plain, {b['consolidated_s']:.2f} s with "
          f"consolidation (+{100 * b['growth']:.0f} %); main-process CPU "
          f"{b['plain_main_cpu_s']:.2f} s vs {b['consolidated_main_cpu_s']:.2f} s "
          f"(+{100 * b['main_cpu_growth']:.0f} %), best of {b['repeat']}")
    if s.get("attributes") is None:
        print("shared attributes: bench/network_attributes.py not present")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 alert queries, two builds")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    args.data_dir = shared_data_dir()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ts-network-bench-") as tmp:
        summary = run(args, Path(tmp))
    summary["total_s"] = time.perf_counter() - started
    report(summary)
    out = args.out or out_dir() / ("network_quick.json" if args.quick else "network.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=1, ensure_ascii=False, default=str),
                   encoding="utf-8")
    print(f"\ntotal {summary['total_s']:.0f} s; summary -> {rel(out)}")


if __name__ == "__main__":
    main()
