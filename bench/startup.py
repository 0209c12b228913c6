"""Start-up benchmark: how long the `tradescreen` command takes before and around its work.

A one-name screening or a small file is mostly start-up: importing the code the command needs
and opening the index. This runs, as fresh processes, `tradescreen --help`, a one-name `screen`
and a 100-row `screen-file` against one imported list (OFAC SDN 2024-05-03), for

- this checkout (`ours`),
- a baseline commit of this repository (`--baseline`, default: the last commit before the CLI
  imported its commands lazily), extracted with `git archive` into a temporary folder,
- anchors: a bare `python -c pass`, and importing nomenklatura's matchers (what any screening
  command built on them pays before its first comparison; skipped without the `bench` extra).

Each version gets its own TRADESCREEN_HOME with the list imported and the index built once
before timing (warm start, as a user's second command). Wall time, median of `--runs`.

    python bench/startup.py [--runs 5] [--baseline REF]
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, print_table, shared_data_dir  # noqa: E402

BASELINE = "5e708d3"  # the last commit before lazy command imports (issue 14)
LIST = "ofac/sdn_2024-05-03"
CLI = "from tradescreen.cli import main; main()"


def checkout(ref: str, into: Path) -> Path:
    """`src/` of `ref`, extracted read-only from git (no worktree is created)."""
    archive = subprocess.run(["git", "archive", ref, "src"], cwd=REPO, capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def run(src: Path | None, args: list[str], home: Path, code: str = CLI) -> tuple[float, str]:
    env = {**os.environ, "TRADESCREEN_HOME": str(home), "TRADESCREEN_USER": "bench"}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args) or code}: exit {done.returncode}\n{done.stderr}")
    return elapsed, done.stderr


def names_file(data: Path, path: Path, rows: int = 100) -> Path:
    """Half listed names (every 150th OFAC SDN primary name), half ordinary ones."""
    with (data / LIST / "sdn.csv").open(encoding="latin-1", newline="") as fh:
        listed = [r[1] for r in csv.reader(fh) if len(r) > 2][::150][: rows // 2]
    ordinary = [f"{g} {s}" for g in ("Anna", "Ben", "Chloe", "David", "Elena")
                for s in ("Schmidt", "Garcia", "Nowak", "Rossi", "Dubois", "Jensen", "Kowalski",
                      "Silva", "Novak", "Meyer")][: rows - len(listed)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["row_id", "name"])
        for i, name in enumerate([*listed, *ordinary], start=1):
            writer.writerow([f"r{i}", name])
    return path


def median(src: Path | None, args: list[str], home: Path, runs: int,
           code: str = CLI) -> tuple[float, list[str]]:
    times, errs = [], []
    for _ in range(runs):
        elapsed, stderr = run(src, args, home, code)
        times.append(elapsed)
        errs.append(stderr)
    return statistics.median(times), errs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", default=BASELINE, help="git ref to compare with")
    args = parser.parse_args()
    data = shared_data_dir()
    with tempfile.TemporaryDirectory(prefix="ts-startup-") as tmp:
        root = Path(tmp)
        (root / "base").mkdir()
        versions = {"ours": REPO / "src", f"baseline {args.baseline}":
                    checkout(args.baseline, root / "base")}
        parties = names_file(data, root / "parties.csv")
        results: dict[str, dict[str, float]] = {}
        for label, src in versions.items():
            home = root / f"home-{label.split()[0]}"
            run(src, ["lists", "import", str(data / LIST)], home)
            run(src, ["screen", "warm-up"], home)  # builds and caches the index
            row: dict[str, float] = {}
            row["--help"], _ = median(src, ["--help"], home, args.runs)
            row["screen (1 name)"], _ = median(
                src, ["screen", "Qods Aviation Industry", "--schema", "Company"], home, args.runs)
            out = root / f"out-{label.split()[0]}.jsonl"
            row["screen-file (100 rows)"], errs = median(
                src, ["screen-file", str(parties), "--out", str(out), "--workers", "1"], home,
                args.runs)
            work = [float(m.group(1)) for e in errs
                    if (m := re.search(r"(?:screened \d+|of \d+) rows in ([\d.]+) s", e))]
            row["  of which screening"] = statistics.median(work) if work else float("nan")
            results[label] = row
        home = root / "home-anchor"
        home.mkdir()
        anchors = {"python -c pass": "pass"}
        try:
            import nomenklatura  # noqa: F401

            anchors["import nomenklatura.matching"] = "import nomenklatura.matching"
        except ImportError:
            print("nomenklatura not installed (bench extra): its anchor is skipped")
        anchor_times = {k: median(None, [], home, args.runs, code)[0] for k, code in
                        anchors.items()}
    ours, base = results["ours"], results[f"baseline {args.baseline}"]
    rows: list[list[str]] = []
    for case in ours:
        ratio = base[case] / ours[case] if ours[case] else float("nan")
        rows.append([case, f"{ours[case]:.2f}", f"{base[case]:.2f}", f"{ratio:.2f}"])
    for name, seconds in anchor_times.items():
        rows.append([f"anchor: {name}", f"{seconds:.2f}", "", ""])
    print_table(["command", "ours (s)", f"{args.baseline} (s)", "baseline/ours"], rows,
                title=f"start-up, median of {args.runs} runs, warm index (wall time)")


if __name__ == "__main__":
    main()
