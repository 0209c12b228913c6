"""Import benchmark: parse vs store time, peak memory and entity count for every real list.

    python bench/import_lists.py [--only NAME ...]
    python bench/import_lists.py --synth 100000 400000 1500000   # synthetic FtM collections

Each list is imported in its own child process (a fresh interpreter and a fresh temporary
TRADESCREEN_HOME), so peak RSS is that list's alone and nothing is cached between runs; `all`
imports every list, one after the other, into a single store. Columns:
parse = `tradescreen.sources.read`, store = `SQLiteStore.import_list`, iterate = reading all
entities of the new snapshot back, peak RSS = the child's ru_maxrss, db = database size after.

`--synth N ...` imports an OpenSanctions-shaped FtM file of N screenable entities made by
`ftm_synth.generate` (cached under bench/out/, seed 1): for a streaming reader `parse` is the
pass that loads the lines into the reader's scratch table, and `store` includes folding the
graph into entities as the store takes them.

"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import out_dir, peak_rss_mb, print_table, shared_data_dir

# name -> (files relative to the shared data dir, format). Several files = one list's folder.
LISTS: dict[str, tuple[tuple[str, ...], str | None]] = {
    # The newest full SDN with the newest add/alt/comments files (2025; see ofac/SOURCE.md:
    # some add/alt rows have no primary record and are dropped by the reader).
    "ofac_sdn_csv": (
        (
            "ofac/sdn_2024-05-03/sdn.csv",
            "ofac/sdn_2025-02_add_alt_comments/add.csv",
            "ofac/sdn_2025-02_add_alt_comments/alt.csv",
            "ofac/sdn_2025-02_add_alt_comments/sdn_comments.csv",
        ),
        "ofac_csv",
    ),
    "ofac_cons_csv": (("ofac/consolidated_nonsdn_csv",), "ofac_csv"),
    "ofac_cons_xml": (("ofac/consolidated_nonsdn_xml/consolidated.xml",), "ofac_xml"),
    "ofac_cons_enhanced": (
        ("ofac/consolidated_nonsdn_enhanced_xml/CONS_ENHANCED.ZIP",), "ofac_enhanced_xml"
    ),
    "un_sc": (("un/consolidated.xml",), "un_xml"),
    "us_csl": (("csl/consolidated.csv.gz",), "csl_csv"),
    "ca_sema": (("canada/sema-lmes.xml",), "ca_sema_xml"),
    "au_dfat": (("australia/regulation8_consolidated.xlsx",), "au_dfat_xlsx"),
    "ftm_zala": (("opensanctions/yente_fixtures/zala_entities.ftm.json",), "ftm_json"),
}


SYNTH = "synth_"  # run names synth_<N>: a generated FtM file of N entities


def _synth_file(entities: int, seed: int = 1) -> Path:
    from ftm_synth import generate

    path = out_dir() / f"synth_{entities}_s{seed}.ftm.json"
    if not path.exists():
        generate(path, entities, seed)
    return path


def _stage(name: str, data: Path, into: Path) -> Path:
    """The path to hand to the reader: the file itself, or a folder of the list's files."""
    if name.startswith(SYNTH):
        return _synth_file(int(name[len(SYNTH):]))
    files, _ = LISTS[name]
    if len(files) == 1:
        return data / files[0]
    folder = into / name
    folder.mkdir()
    for rel in files:
        shutil.copy(data / rel, folder / Path(rel).name)
    return folder


def run_in_child(names: list[str], data: Path) -> dict:
    """Runs inside the child: import `names` in order into a fresh home, report the numbers."""
    from tradescreen import sources
    from tradescreen.store import SQLiteStore

    with tempfile.TemporaryDirectory(prefix="ts-bench-") as tmp:
        tmp_path = Path(tmp)
        db = tmp_path / "home" / "tradescreen.db"
        parse = store_s = iterate = 0.0
        entities = 0
        with SQLiteStore(db) as store:
            for name in names:
                path = _stage(name, data, tmp_path)
                start = time.perf_counter()
                fmt = "ftm_json" if name.startswith(SYNTH) else LISTS[name][1]
                read = sources.read(path, fmt)
                parse += time.perf_counter() - start
                start = time.perf_counter()
                result = store.import_list(read)
                store_s += time.perf_counter() - start
                entities += result.snapshot.entity_count
                del read
                start = time.perf_counter()
                count = sum(1 for _ in store.iter_entities(result.snapshot.id))
                iterate += time.perf_counter() - start
                assert count == result.snapshot.entity_count
        db_mb = sum(p.stat().st_size for p in db.parent.iterdir()) / 2**20
    return {
        "entities": entities,
        "parse": parse,
        "store": store_s,
        "iterate": iterate,
        "rss": peak_rss_mb(),
        # CPU seconds (user + system): on a shared machine, the figure load does not inflate.
        "cpu": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
        "db_mb": db_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", choices=[*LISTS, "all"], help="lists to run")
    parser.add_argument("--synth", nargs="+", type=int, metavar="N",
                        help="import generated FtM collections of N entities instead")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = shared_data_dir()

    if args.child:
        print(json.dumps(run_in_child(args.child, data)))
        return

    runs = {n: [n] for n in LISTS}
    runs["all"] = list(LISTS)
    chosen = args.only or list(runs)
    if args.synth:
        for n in args.synth:
            _synth_file(n)  # generated here, so the child's figures are the import's alone
        runs = {f"{SYNTH}{n}": [f"{SYNTH}{n}"] for n in args.synth}
        chosen = list(runs)
    rows = []
    for label in chosen:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", *runs[label]],
            capture_output=True, text=True, env={**os.environ}, check=False,
        )
        if proc.returncode != 0:
            reason = (proc.stderr.strip().splitlines() or ["failed"])[-1]
            rows.append([label, "-", "-", "-", "-", "-", "-", "-", "-", f"error: {reason[:60]}"])
            continue
        r = json.loads(proc.stdout)
        per_k = (r["parse"] + r["store"]) / max(r["entities"], 1) * 1000
        rows.append([
            label, f"{r['entities']:,}", f"{r['parse']:.2f}", f"{r['store']:.2f}",
            f"{r['parse'] + r['store']:.2f}", f"{per_k * 1000:.0f}", f"{r['iterate']:.2f}",
            f"{r['rss']:.0f}", f"{r['db_mb']:.1f}", f"{r['cpu']:.1f}",
        ])
    print_table(
        ["list", "entities", "parse s", "store s", "total s", "µs/entity", "iterate s",
         "peak RSS MiB", "db MiB", "CPU s"],
        rows,
        title="Import benchmark (each row: fresh process, fresh store)",
    )


if __name__ == "__main__":
    main()
