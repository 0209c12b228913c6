"""Name-pair benchmark: tradescreen's `compare_names` against nomenklatura's matchers, same pairs.

Each pair is scored by every algorithm in one run. Nomenklatura matchers compare FtM entities, so
each name becomes an entity of the pair's schema holding just that name (no dates, countries or
identifiers: this measures name matching only). name1 is passed as the query, name2 as the
candidate; the reverse order is scored too and reported as "flips" (verdict changes with order).

Verdicts: tradescreen's own boolean; for nomenklatura `score >= 0.70`. Nomenklatura defines no
per-algorithm threshold; 0.70 is yente's `SCORE_THRESHOLD`, the default `threshold` of its
/match API, i.e. what a yente user gets out of the box. Override with `--threshold algo=value`.

    python bench/names.py [--pairs A.csv B.csv] [--algorithms ...] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    fmt,
    out_dir,
    peak_rss_mb,
    print_table,
    rel,
    rss_mb,
    shared_data_dir,
    timer,
)

from tradescreen.match.pairs import compare_names  # noqa: E402

TRADESCREEN = "tradescreen"
NK_ALGORITHMS = ("logic-v1", "logic-v2", "name-based", "regression-v1")
NK_THRESHOLD = 0.70  # yente settings.SCORE_THRESHOLD (see module docstring)
BREAKDOWN_ALGOS = (TRADESCREEN, "logic-v2")
# Scored once before timing: nomenklatura loads reference data / models on first use (seconds).
WARMUP = (("Person", "Warm Up Person", "Person Warm Up"), ("Company", "Warm Up LLC", "OOO Warm"),
          ("Person", "ウラジーミル", "Vladimir"),  # loads rigour's person tagger
          ("Vessel", "WARM UP", "WARM UP 2"), ("Organization", "Warm Org", "Warm Org"))


@dataclass(frozen=True, slots=True)
class Row:
    schema: str
    name1: str
    name2: str
    is_match: bool
    category: str
    case_group: str


@dataclass(slots=True)
class Run:
    """One algorithm's results on one dataset."""

    scores: list[float] = field(default_factory=list)
    verdicts: list[bool] = field(default_factory=list)
    rev_verdicts: list[bool] = field(default_factory=list)
    seconds: float = 0.0


Scorer = Callable[[str, str, str], tuple[float, bool]]


def _truthy(value: str) -> bool:
    v = value.strip().lower()
    if v in ("true", "1", "yes", "y", "t"):
        return True
    if v in ("false", "0", "no", "n", "f"):
        return False
    raise ValueError(f"is_match must be true/false, got {value!r}")


def read_pairs(path: Path) -> list[Row]:
    """Both layouts: the dev file (case_group,...,quality,category,notes) and generated variants."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Row(r["schema"].strip(), r["name1"], r["name2"], _truthy(r["is_match"]),
                (r.get("category") or "").strip(), (r.get("case_group") or "").strip())
            for r in csv.DictReader(fh)
        ]


def nk_scorer(name: str, threshold: float) -> Scorer:
    from followthemoney import model
    from nomenklatura.matching import get_algorithm

    algorithm = get_algorithm(name)
    if algorithm is None:
        raise SystemExit(f"nomenklatura has no matcher {name!r}")
    # default_config() fills the algorithm's CONFIG defaults (logic-v2's nm_* knobs); yente builds
    # ScoringConfig(weights={}, config={}) and compare() fills the same defaults.
    config = algorithm.default_config()

    def entity(schema: str, text: str):  # type: ignore[no-untyped-def]
        proxy = model.make_entity(schema)
        # The id must be derived from the content: logic-v2 memoises name analysis with
        # lru_cache keyed on the entity, whose hash and equality are its id alone, so a fixed id
        # ("q"/"r") silently scores every pair as the first one seen.
        proxy.id = hashlib.sha1(f"{schema}\x00{text}".encode()).hexdigest()
        proxy.add("name", text)
        return proxy

    def score(schema: str, name1: str, name2: str) -> tuple[float, bool]:
        # Entity construction is inside the timed call: compare_names gets bare strings too.
        result = algorithm.compare(entity(schema, name1), entity(schema, name2), config)
        return result.score, result.score >= threshold

    return score


def ts_scorer(threshold: float | None) -> Scorer:
    if threshold is None:
        return compare_names

    def score(schema: str, name1: str, name2: str) -> tuple[float, bool]:
        value, _ = compare_names(schema, name1, name2)
        return value, value >= threshold

    return score


def run(scorer: Scorer, rows: Sequence[Row], reverse: bool) -> Run:
    out = Run()
    with timer() as t:
        for row in rows:
            s, v = scorer(row.schema, row.name1, row.name2)
            out.scores.append(s)
            out.verdicts.append(v)
    out.seconds = t[0]
    if reverse:
        # Untimed: caches warmed by the forward pass would flatter the throughput.
        out.rev_verdicts = [scorer(r.schema, r.name2, r.name1)[1] for r in rows]
    return out


@dataclass(frozen=True, slots=True)
class Metrics:
    n: int
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return 0.0 if (self.tp + self.fn) else None
        return 2 * p * r / (p + r)

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / self.n if self.n else 0.0

    @property
    def fpr(self) -> float | None:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else None


def metrics(labels: Sequence[bool], verdicts: Sequence[bool]) -> Metrics:
    tp = sum(1 for y, v in zip(labels, verdicts, strict=True) if y and v)
    fp = sum(1 for y, v in zip(labels, verdicts, strict=True) if not y and v)
    fn = sum(1 for y, v in zip(labels, verdicts, strict=True) if y and not v)
    return Metrics(len(labels), tp, fp, fn, len(labels) - tp - fp - fn)


def best_f1(labels: Sequence[bool], scores: Sequence[float]) -> tuple[float, float]:
    """Highest F1 over all score thresholds, and the threshold: quality free of the cut-off."""
    ranked = sorted(zip(scores, labels, strict=True), key=lambda x: -x[0])
    total_pos = sum(labels)
    best, best_t, tp, fp = 0.0, 1.0, 0, 0
    for i, (score, label) in enumerate(ranked):
        tp += label
        fp += not label
        # Only cut between distinct scores: ties must fall on the same side.
        if i + 1 < len(ranked) and ranked[i + 1][0] == score:
            continue
        f1 = 2 * tp / (tp + fp + total_pos) if total_pos else 0.0
        if f1 > best:
            best, best_t = f1, score
    return best, best_t


def report(name: str, rows: list[Row], runs: dict[str, Run], thresholds: dict[str, str],
           breakdown: str) -> None:
    labels = [r.is_match for r in rows]
    n_pos = sum(labels)
    table = []
    stats: dict[str, tuple[Metrics, float]] = {}
    for algo, res in runs.items():
        m = metrics(labels, res.verdicts)
        pps = len(rows) / res.seconds if res.seconds else float("inf")
        stats[algo] = (m, pps)
        flips = sum(a != b for a, b in zip(res.verdicts, res.rev_verdicts, strict=False))
        bf1, bt = best_f1(labels, res.scores)
        table.append([algo, thresholds[algo], fmt(m.precision), fmt(m.recall), fmt(m.f1),
                      fmt(m.accuracy), f"{pps:,.0f}", flips if res.rev_verdicts else "-",
                      f"{bf1:.3f}@{bt:.2f}"])
    print_table(
        ["algorithm", "cut", "precision", "recall", "F1", "accuracy", "pairs/s", "flips",
         "bestF1@t"],
        table, title=f"== {name}: {len(rows)} pairs ({n_pos} match, {len(rows) - n_pos} non-match)",
    )
    if TRADESCREEN in stats:
        ts_m, ts_pps = stats[TRADESCREEN]
        parts = []
        for algo, (m, pps) in stats.items():
            if algo == TRADESCREEN:
                continue
            f1_ratio = (ts_m.f1 or 0.0) / m.f1 if m.f1 else float("nan")
            parts.append(f"{algo} F1 x{f1_ratio:.2f} speed x{ts_pps / pps:.2f}")
        print("tradescreen vs: " + "; ".join(parts))

    groups: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        key = row.case_group if breakdown == "case_group" else row.category
        groups[key or "(none)"].append(i)
    algos = [a for a in BREAKDOWN_ALGOS if a in runs]
    if not algos or len(groups) < 2:
        return
    head = ["by " + breakdown, "n", "match"]
    for algo in algos:
        head += [f"{algo} R", "P", "FPR"]
    body = []
    for key in sorted(groups):
        idx = groups[key]
        sub = [labels[i] for i in idx]
        line: list[object] = [key, len(idx), sum(sub)]
        for algo in algos:
            m = metrics(sub, [runs[algo].verdicts[i] for i in idx])
            line += [fmt(m.recall, 2), fmt(m.precision, 2), fmt(m.fpr, 2)]
        body.append(line)
    title = f"{name} by {breakdown} (R recall, P precision, FPR on non-match)"
    print_table(head, body, title=title)


def write_errors(path: Path, results: list[tuple[str, list[Row], dict[str, Run]]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["dataset", "error", "schema", "name1", "name2", "is_match", "category",
                    "case_group", "tradescreen_score", "tradescreen_reverse", "logic_v2_score"])
        for dataset, rows, runs in results:
            ts = runs.get(TRADESCREEN)
            if ts is None:
                continue
            lv2 = runs.get("logic-v2")
            for i, row in enumerate(rows):
                if ts.verdicts[i] == row.is_match:
                    continue
                count += 1
                w.writerow([
                    dataset, "FN" if row.is_match else "FP", row.schema, row.name1, row.name2,
                    "true" if row.is_match else "false", row.category, row.case_group,
                    f"{ts.scores[i]:.3f}",
                    (str(ts.rev_verdicts[i]).lower() if ts.rev_verdicts else ""),
                    f"{lv2.scores[i]:.3f}" if lv2 else "",
                ])
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, nargs="+", default=None,
                        help="pair CSVs (default: shared dev file + generated variants)")
    parser.add_argument("--algorithms", nargs="+", default=[TRADESCREEN, *NK_ALGORITHMS],
                        help="tradescreen and/or nomenklatura matcher names (e.g. ofac)")
    parser.add_argument("--threshold", action="append", default=[], metavar="ALGO=VALUE",
                        help="override a verdict cut-off (tradescreen default: its own verdict)")
    parser.add_argument("--limit", type=int, default=None, help="first N pairs per file")
    parser.add_argument("--no-reverse", action="store_true", help="skip reverse-order scoring")
    parser.add_argument("--regenerate", action="store_true",
                        help="rebuild the generated variants file even if present")
    parser.add_argument("--seed", type=int, default=None,
                        help="variants seed (default 7); use another seed to score pairs the "
                             "default-seed file was not used to fit")
    args = parser.parse_args(argv)

    overrides = {k: float(v) for k, v in (t.split("=", 1) for t in args.threshold)}
    paths = args.pairs
    if paths is None:
        import variants

        seed = variants.DEFAULT_SEED if args.seed is None else args.seed
        generated = variants.default_output(seed)
        if args.regenerate or not generated.exists():
            print(f"generating {rel(generated)} (seed {seed}) ...")
            variants.build(3000, seed, generated, quiet=True)
        paths = [shared_data_dir() / "bench" / "name_pairs_dev.csv", generated]

    scorers: dict[str, Scorer] = {}
    cuts: dict[str, str] = {}
    rss0 = rss_mb()
    with timer() as t_load:
        for algo in args.algorithms:
            if algo == TRADESCREEN:
                scorers[algo] = ts_scorer(overrides.get(algo))
                cuts[algo] = f"{overrides[algo]:.2f}" if algo in overrides else "own"
            else:
                cut = overrides.get(algo, NK_THRESHOLD)
                scorers[algo] = nk_scorer(algo, cut)
                cuts[algo] = f"{cut:.2f}"
            for schema, a, b in WARMUP:
                scorers[algo](schema, a, b)
    print(f"matchers loaded and warmed up in {t_load[0]:.1f}s, "
          f"RSS {rss0:.0f} -> {rss_mb():.0f} MiB")

    results = []
    for path in paths:
        rows = read_pairs(path)[: args.limit]
        runs = {algo: run(s, rows, not args.no_reverse) for algo, s in scorers.items()}
        has_groups = any(r.case_group for r in rows)
        # The dev file's `category` is mostly free text per case; its case_group is the family.
        breakdown = "case_group" if has_groups else "category"
        report(rel(path), rows, runs, cuts, breakdown)
        results.append((rel(path), rows, runs))

    errors = out_dir() / "names_errors.csv"
    n_err = write_errors(errors, results)
    print(f"\n{n_err} tradescreen errors written to {rel(errors)}; "
          f"peak RSS {peak_rss_mb():.0f} MiB")


if __name__ == "__main__":
    main()
