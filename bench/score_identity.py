"""Name scoring before and after a speed change: identical scores, and the CPU per comparison.

    python bench/score_identity.py pairs --home DIR [--out FILE] [--variants 6000]
    python bench/score_identity.py dump --pairs FILE --out FILE [--home DIR]
    python bench/score_identity.py compare DUMP_A DUMP_B
    python bench/score_identity.py time --pairs FILE [--other-src DIR] [--passes 3] [--home DIR]

`pairs` collects the (query, listed) name forms the scorer is asked to compare on realistic
work: the dev pairs and generated variants (bench/variants.py), screening queries of
bench/screening.py and bench/api.py against the index of the lists imported in DIR (every
candidate the screener scores), and the spans an adverse-media scan of bench/media_corpus
scores. They are stored as name forms, so that two versions of the code score the same forms.

`dump` writes every comparison's logit, the measurements, the alignment and the explanation
rows (and, with --home, the screening results of the queries: scores and explanations) as JSON
lines; `compare` counts the lines that differ (exit 1 if any). Run `dump` with the sources of
each version first on the path (PYTHONPATH=OTHER/src) and compare the two files.

`time` scores every pair in a fresh process (first pass: every pair new to the process's caches,
as with new names; further passes: warm) and reports CPU microseconds per comparison; with
--other-src the same runs in a second process on another checkout's sources, the two driven
in lockstep 500 pairs at a time (a loaded machine slows both alike), and the ratio is printed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import BENCH, out_dir, rel, shared_data_dir

FIELDS = ("raw", "tokens", "legal_forms", "legal_words", "dropped", "script", "kind")


def form_row(form: Any) -> list[Any]:
    return [list(v) if isinstance(v, tuple) else v for v in (getattr(form, f) for f in FIELDS)]


def row_form(row: list[Any]) -> Any:
    from tradescreen.normalize.names import NameForm

    return NameForm(*(tuple(v) if isinstance(v, list) else v for v in row))


# ---------------------------------------------------------------------------- collecting pairs


def _name_pairs() -> list[tuple[str, str, str]]:
    """(schema, query name, listed name) of the dev pairs and the generated variants."""
    rows = []
    with open(shared_data_dir() / "bench" / "name_pairs_dev.csv", encoding="utf-8") as fh:
        rows += [(r["schema"], r["name1"], r["name2"]) for r in csv.DictReader(fh)]
    return rows


def _variant_pairs(n: int) -> list[tuple[str, str, str]]:
    import variants

    path = out_dir() / f"score_identity_variants_{n}.csv"
    if not path.exists():
        variants.build(n, variants.DEFAULT_SEED, path, quiet=True)
    with open(path, encoding="utf-8") as fh:
        return [(r["schema"], r["name1"], r["name2"]) for r in csv.DictReader(fh)]


def _screen_queries(screener: Any, n: int) -> list[tuple[str, str]]:
    import api
    from screening import faker_names, make_recall_set

    out = [(q.query.schema, q.query.name) for q in make_recall_set(screener.index, n, 7)]
    out += [("Person" if kind == "person" else "Company", name)
            for _lang, kind, name in faker_names(n, 11)]
    settings = screener_settings()
    out += api.make_queries(n, 7, settings)
    return out


def screener_settings() -> Any:
    from tradescreen.config import load_settings

    return load_settings()


def collect(home: Path, n_variants: int, n_queries: int) -> dict[str, Any]:
    os.environ["TRADESCREEN_HOME"] = str(home)
    import tradescreen.match.entity as entity_mod
    from tradescreen.cli.screen import load_screener
    from tradescreen.match.entity import Query
    from tradescreen.normalize.names import name_form

    seen: dict[str, list[Any]] = {}

    def keep(q: Any, c: Any) -> None:
        row = [form_row(q), form_row(c)]
        seen.setdefault(json.dumps(row, ensure_ascii=False), row)

    for schema, n1, n2 in _name_pairs() + _variant_pairs(n_variants):
        keep(name_form(n1, schema, query=True), name_form(n2, schema))
    print(f"name pairs: {len(seen)}", flush=True)

    original = entity_mod.score_forms

    def spy(q: Any, c: Any, **kw: Any) -> Any:
        keep(q, c)
        return original(q, c, **kw)

    entity_mod.score_forms = spy  # type: ignore[assignment]
    screener = load_screener(screener_settings())
    queries = _screen_queries(screener, n_queries)
    for schema, name in queries:
        screener.screen(Query(name, schema), limit=5)
    print(f"+ screening {len(queries)} queries: {len(seen)}", flush=True)
    try:
        from media import documents

        import tradescreen.media.spanscore as span_mod
        from tradescreen.controls import import_controls
        from tradescreen.media.run import build_scanner

        try:
            import_controls(home, shared_data_dir() / "domain")
        except Exception as exc:  # already imported: same content
            print(f"controls: {exc}", file=sys.stderr)
        span_mod.score_forms = spy  # type: ignore[assignment]
        scanner = build_scanner(screener_settings(), screener)
        for _name, doc in documents():
            scanner.mentions(doc.text)
        print(f"+ media corpus spans: {len(seen)}", flush=True)
    except Exception as exc:  # the media scanner needs the controls data imported
        print(f"media spans left out: {exc}", file=sys.stderr)
    return {"pairs": list(seen.values()), "queries": queries}


# ---------------------------------------------------------------------------- dumping scores


def _num(x: Any) -> Any:
    return repr(x) if isinstance(x, float) else x


def score_row(ns: Any) -> dict[str, Any]:
    cmp = ns.comparison
    al = cmp.alignment
    return {
        "logit": repr(ns.logit),
        "values": {k: repr(v) for k, v in cmp.values.items()},
        "pairs": [[list(p.query), list(p.candidate), repr(p.sim), p.kind] for p in al.pairs],
        "align": [repr(al.query_weight), repr(al.candidate_weight), repr(al.query_matched),
                  repr(al.candidate_matched), list(al.query_unmatched),
                  list(al.candidate_unmatched), al.numbers_conflict],
        "features": [[f.feature, f.label, repr(f.weight), _num(f.value), f.detail]
                     for f in ns.features],
    }


def dump(pairs_file: Path, out: Path, home: Path | None) -> None:
    from tradescreen.match.names import score_forms

    data = json.loads(pairs_file.read_text("utf-8"))
    with open(out, "w", encoding="utf-8") as fh:
        for q, c in data["pairs"]:
            row = score_row(score_forms(row_form(q), row_form(c)))
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        if home is not None:
            os.environ["TRADESCREEN_HOME"] = str(home)
            from tradescreen.cli.screen import load_screener
            from tradescreen.match.entity import Query

            screener = load_screener(screener_settings())
            for schema, name in data["queries"]:
                results = screener.screen(Query(name, schema), limit=5)
                fh.write(json.dumps([
                    [r.score.record.id, repr(r.score.score), r.decision,
                     [[f.feature, f.label, repr(f.weight), _num(f.value), f.detail]
                      for f in r.score.features]]
                    for r in results], ensure_ascii=False, default=str) + "\n")
    print(f"{len(data['pairs'])} pairs -> {rel(out)}")


def compare(a: Path, b: Path) -> int:
    la = a.read_text("utf-8").splitlines()
    lb = b.read_text("utf-8").splitlines()
    diff = [i for i, (x, y) in enumerate(zip(la, lb, strict=False)) if x != y]
    print(f"{len(la)} vs {len(lb)} lines, {len(diff)} differ")
    for i in diff[:5]:
        print(f"line {i}:\n  {la[i][:400]}\n  {lb[i][:400]}")
    return 0 if not diff and len(la) == len(lb) else 1


# ---------------------------------------------------------------------------- timing


def time_child(pairs_file: Path, home: Path | None = None) -> None:
    """Serve timing requests on stdin: "N START END" scores pairs START..END (pass N), or with
    `home` screens queries START..END against its index, and answers the CPU seconds it
    took. Two children (two versions of the code) are driven in lockstep, chunk by chunk, so
    that both see the same machine load."""
    data = json.loads(pairs_file.read_text("utf-8"))
    from tradescreen.match.names import score_forms
    from tradescreen.match.weights import corpus_weight
    from tradescreen.normalize import vocab

    # One-time loads (token table, name symbols, the model) are not per comparison.
    vocab.known_names(), vocab.equivalents(), corpus_weight("a")
    if home is None:
        forms = [(row_form(q), row_form(c)) for q, c in data["pairs"]]
        score_forms(*forms[0])

        def run(items: list) -> None:
            for q, c in items:
                score_forms(q, c)
    else:
        os.environ["TRADESCREEN_HOME"] = str(home)
        from tradescreen.cli.screen import load_screener
        from tradescreen.match.entity import Query

        screener = load_screener(screener_settings())
        forms = [Query(name, schema) for schema, name in data["queries"]]
        screener.screen(Query("warm up", "Person"))

        def run(items: list) -> None:
            for query in items:
                screener.screen(query, limit=5)
    print(len(forms), flush=True)
    for line in sys.stdin:
        _pass, lo, hi = (int(x) for x in line.split())
        cpu = time.process_time()
        run(forms[lo:hi])
        print(repr(time.process_time() - cpu), flush=True)


def time_ab(pairs_file: Path, other_src: Path | None, passes: int, chunk: int = 500,
            home: Path | None = None) -> None:
    here = BENCH.parent / "src"
    sides = [("this", here)] + ([("other", other_src)] if other_src else [])
    procs = {}
    for label, src in sides:
        env = dict(os.environ, PYTHONPATH=str(src))
        procs[label] = subprocess.Popen(
            [sys.executable, __file__, "time-child", "--pairs", str(pairs_file)]
            + (["--home", str(home)] if home else []), env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    n = 0
    for proc in procs.values():
        n = int(proc.stdout.readline())
    cpu = {label: [0.0] * passes for label in procs}
    order = list(procs)
    for p in range(passes):
        for k, lo in enumerate(range(0, n, chunk)):
            # Alternate who goes first, so neither always runs right after the other.
            for label in order if k % 2 == 0 else order[::-1]:
                proc = procs[label]
                proc.stdin.write(f"{p} {lo} {min(n, lo + chunk)}\n")
                proc.stdin.flush()
                cpu[label][p] += float(proc.stdout.readline())
    for proc in procs.values():
        proc.stdin.close()
        proc.wait()
    what = "screening queries, CPU us per query" if home else "comparisons, CPU us per comparison"
    print(f"{n} {what}; versions interleaved every {chunk}")
    for label, _src in sides:
        runs = "  ".join(f"{t / n * 1e6:7.1f}" for t in cpu[label])
        print(f"  {label:6} first pass, then warm passes: {runs}")
    if other_src:
        for p in range(passes):
            ratio = cpu["other"][p] / cpu["this"][p]
            print(f"  pass {p + 1}{' (first)' if p == 0 else ''}: other / this = {ratio:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pairs")
    p.add_argument("--home", type=Path, required=True)
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--variants", type=int, default=6000)
    p.add_argument("--queries", type=int, default=400)
    d = sub.add_parser("dump")
    d.add_argument("--pairs", type=Path, required=True)
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--home", type=Path, default=None)
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    t = sub.add_parser("time")
    t.add_argument("--pairs", type=Path, required=True)
    t.add_argument("--other-src", type=Path, default=None)
    t.add_argument("--passes", type=int, default=3)
    t.add_argument("--home", type=Path, default=None,
                   help="time the pair file's screening queries against this home's index")
    t.add_argument("--chunk", type=int, default=500)
    tc = sub.add_parser("time-child")
    tc.add_argument("--pairs", type=Path, required=True)
    tc.add_argument("--home", type=Path, default=None)
    args = ap.parse_args()
    if args.cmd == "pairs":
        out = args.out or out_dir() / "score_identity_pairs.json"
        data = collect(args.home, args.variants, args.queries)
        out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        print(f"{len(data['pairs'])} pairs, {len(data['queries'])} queries -> {rel(out)}")
    elif args.cmd == "dump":
        dump(args.pairs, args.out, args.home)
    elif args.cmd == "compare":
        sys.exit(compare(args.a, args.b))
    elif args.cmd == "time":
        time_ab(args.pairs, args.other_src, args.passes, args.chunk, args.home)
    else:
        time_child(args.pairs, args.home)


if __name__ == "__main__":
    main()
