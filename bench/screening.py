"""End-to-end screening benchmark: every real list loaded, recall, false positives, speed, memory.

One run, in a fresh temporary TRADESCREEN_HOME:

1. Setup: import every list in the shared data dir, build the index cold (`load_index` with no
   cache file), load it warm from the cache in a fresh subprocess that then screens 1,000 queries
   and reports its peak RSS.
2. Recall: listed people and companies sampled (seeded) from OFAC SDN and UN, each made into a
   noisy query (typo, reordered parts, dropped middle name, transliteration spelling). A hit is a
   top-5 result with decision match or review that is the same entity: same source and source_id,
   or any record whose caption has the same words as the original's (case, accents, punctuation
   and word order ignored), which counts the same person listed on another list.
3. False positives: ordinary names and company names made by `faker` in 15 locales, in their
   native scripts, minus any name that is literally on a list. Rate of top result = match / review.
4. Speed: in-process latency per query, q/s, and `tradescreen screen-file` end to end (process
   start included) on 5,000 and 20,000 rows with `--workers 2`.
5. Anchor on the same queries: a naive brute-force RapidFuzz screener (see `Anchor`).

    python bench/screening.py [--quick] [--seed 7] [--out bench/out/screening.json]

`--quick`: 200 recall + 400 false-positive queries, 200 queries in the RSS child, no 20k run;
it writes bench/out/screening_quick.json so the full result is not overwritten.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from random import Random
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fmt, out_dir, peak_rss_mb, print_table, rel, rss_mb, shared_data_dir  # noqa: E402

from tradescreen.config import Settings  # noqa: E402
from tradescreen.index.build import Index  # noqa: E402
from tradescreen.index.records import Record  # noqa: E402
from tradescreen.match.entity import Query  # noqa: E402
from tradescreen.screen.party import PartyResult, Screener  # noqa: E402

# Every list in the shared data dir, in import order (paths under the shared data dir).
LISTS: tuple[str, ...] = (
    "ofac/sdn_2024-05-03",
    "ofac/consolidated_nonsdn_csv",
    "un/consolidated.xml",
    "csl/consolidated.csv.gz",
    "canada/sema-lmes.xml",
    "australia/regulation8_consolidated.xlsx",
    "opensanctions/yente_fixtures/zala_entities.ftm.json",
)
RECALL_SOURCES = ("us_ofac_sdn", "un_sc")
CATEGORIES = ("typo", "reorder", "drop_middle", "translit")
PERSON_SHARE = 0.8  # of the recall set; the rest are companies and organisations
TOP_K = 5
HIT_DECISIONS = ("match", "review")

FAKER_LOCALES = (
    "en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "ru_RU", "uk_UA", "tr_TR", "ar_AA",
    "fa_IR", "zh_CN", "ko_KR", "hi_IN", "pt_BR",
)
FP_COMPANY_SHARE = 0.3

# The anchor: brute-force RapidFuzz token_sort_ratio (default_process) over every listed name.
ANCHOR_MATCH = 85.0
ANCHOR_REVIEW = 75.0
ANCHOR_POOL = 50  # best names fetched before collapsing them to distinct records

# Targets from the brief, checked and printed at the end.
TARGETS = {
    "fp_match_rate": 0.005,
    "fp_review_rate": 0.05,
    "screen_file_qps_2cores": 2000.0,
    "screen_file_5k_end_to_end": 500.0,
    "p99_ms": 5.0,
}


@dataclass(frozen=True, slots=True)
class RecallQuery:
    query: Query
    category: str
    source: str
    source_id: str
    caption: str  # the listed record's caption (the expected entity)
    original: str  # the list name the variant was made from


@dataclass(frozen=True, slots=True)
class FPQuery:
    query: Query
    locale: str
    kind: str  # person | company


@dataclass(frozen=True, slots=True)
class Hit:
    """One result row, the same shape for tradescreen and the anchor."""

    source: str
    source_id: str
    caption: str
    matched_name: str
    score: float
    decision: str
    # Every listing of the listed party the result stands for (consolidation): a query for
    # one listing is answered by its party, led by whichever of its listings scored best.
    listings: tuple[str, ...] = ()


@dataclass
class EngineRun:
    hits: list[list[Hit]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds, one per query
    wall: float = 0.0


def norm_name(text: str) -> str:
    """Case- and whitespace-insensitive form used for 'literally the same name'."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _title(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split(" "))


# ---------------------------------------------------------------- setup


def import_lists(settings: Settings, data_dir: Path) -> list[dict[str, Any]]:
    """Import every list into the store of `settings`; per-list source, entity count, seconds."""
    from tradescreen import sources
    from tradescreen.store import open_store

    rows = []
    with open_store(settings) as store:
        for relpath in LISTS:
            start = time.perf_counter()
            result = store.import_list(sources.read(data_dir / relpath))
            rows.append({
                "list": relpath,
                "source": result.snapshot.source,
                "entities": result.snapshot.entity_count,
                "seconds": time.perf_counter() - start,
            })
    return rows


def build_index_cold(settings: Settings) -> tuple[Index, float, int]:
    """`load_index` with no index on disk: read records, build, write. (index, s, bytes)."""
    from tradescreen.index.cache import load_index
    from tradescreen.store import open_store

    for old in settings.index_dir.glob("index-*") if settings.index_dir.is_dir() else ():
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    start = time.perf_counter()
    with open_store(settings) as store:
        index = load_index(store, settings.index_dir)
    seconds = time.perf_counter() - start
    size = sum(p.stat().st_size for p in settings.index_dir.glob("index-*/*"))
    return index, seconds, size


def listed_names(index: Index) -> set[str]:
    return {norm_name(value) for r in index.records for value, _kind, _strength in r.names}


# ---------------------------------------------------------------- recall set


def _split_person(name: str) -> tuple[list[str], list[str]] | None:
    import variants

    return variants.split_person(name)


def make_reorder(rec: Record, rng: Random) -> str | None:
    """SDN 'LAST, First Middle' -> 'First Middle Last' (variants.make_reorder); UN persons are
    already 'First ... Last', so they go the other way: 'Last First ...' as many customer files
    store them. Organisations: the legal form moved front <-> back (variants.make_reorder)."""
    import variants

    shim = SimpleNamespace(schema=_bench_schema(rec), primary=rec.caption)
    if shim.schema == "Person" and _split_person(rec.caption) is None:
        tokens = rec.caption.split()
        if len(tokens) < 2:
            return None
        text = " ".join([tokens[-1], *tokens[:-1]])
        return _title(text) if rng.random() < 0.5 else text
    return variants.make_reorder(shim, rng)  # type: ignore[arg-type]


def make_drop_middle(rec: Record, rng: Random) -> str | None:
    """Drop one non-first given name / patronymic (variants.make_drop_middle for 'LAST, Given');
    for natural-order UN names, drop one token that is neither the first nor the last."""
    import variants

    if _bench_schema(rec) != "Person":
        return None
    shim = SimpleNamespace(schema="Person", primary=rec.caption)
    if _split_person(rec.caption) is not None:
        return variants.make_drop_middle(shim, rng)  # type: ignore[arg-type]
    tokens = rec.caption.split()
    if len(tokens) < 3:
        return None
    drop = rng.randrange(1, len(tokens) - 1)
    text = " ".join(tokens[:drop] + tokens[drop + 1:])
    return _title(text) if rng.random() < 0.5 else text


def _bench_schema(rec: Record) -> str | None:
    import variants

    return variants.bench_schema(rec)  # type: ignore[arg-type]  # needs .schema and .caption


def _makers(rng: Random) -> dict[str, Callable[[Record], str | None]]:
    import variants

    return {
        "typo": lambda r: variants.make_typo(r.caption, rng),
        "reorder": lambda r: make_reorder(r, rng),
        "drop_middle": lambda r: make_drop_middle(r, rng),
        "translit": lambda r: variants.make_translit(r.caption, rng),
    }


def make_recall_set(index: Index, n: int, seed: int = 7) -> list[RecallQuery]:
    """About `n` noisy queries for distinct OFAC SDN / UN records, categories kept balanced."""
    import variants

    rng = Random(seed)
    pool = [
        r for r in index.records
        if r.source in RECALL_SOURCES
        and _bench_schema(r) in ("Person", "Company", "Organization")
        and variants.is_latin(r.caption)
        and len(re.findall(r"\w+", r.caption)) >= 2
    ]
    pool.sort(key=lambda r: (r.source, r.source_id))
    rng.shuffle(pool)
    quota = {"Person": round(n * PERSON_SHARE)}
    quota["Org"] = n - quota["Person"]
    counts: Counter[str] = Counter()
    taken: Counter[str] = Counter()
    makers = _makers(rng)
    out: list[RecallQuery] = []
    for rec in pool:
        kind = "Person" if _bench_schema(rec) == "Person" else "Org"
        if taken[kind] >= quota[kind]:
            if all(taken[k] >= quota[k] for k in quota):
                break
            continue
        # The least-used category that applies to this record.
        for category in sorted(CATEGORIES, key=lambda c: (counts[c], CATEGORIES.index(c))):
            variant = makers[category](rec)
            if variant and variant.strip() and norm_name(variant) != norm_name(rec.caption):
                schema = "Person" if kind == "Person" else rec.schema
                out.append(RecallQuery(Query(variant, schema), category, rec.source,
                                       rec.source_id, rec.caption, rec.caption))
                counts[category] += 1
                taken[kind] += 1
                break
    return out


# ---------------------------------------------------------------- false-positive set


def faker_names(n: int, seed: int, company_share: float = FP_COMPANY_SHARE
                ) -> list[tuple[str, str, str]]:
    """`n` (locale, kind, name) from faker, spread evenly over the locales, native script."""
    from faker import Faker

    out: list[tuple[str, str, str]] = []
    per = [n // len(FAKER_LOCALES) + (i < n % len(FAKER_LOCALES))
           for i in range(len(FAKER_LOCALES))]
    for i, (locale, count) in enumerate(zip(FAKER_LOCALES, per, strict=True)):
        fake = Faker(locale)
        fake.seed_instance(seed * 1000 + i)
        n_company = round(count * company_share)
        for j in range(count):
            kind = "company" if j < n_company else "person"
            name = fake.company() if kind == "company" else fake.name()
            out.append((locale, kind, " ".join(name.split())))
    return out


def make_fp_set(listed: set[str], n: int, seed: int = 7) -> tuple[list[FPQuery], int]:
    """About `n` distinct non-listed names; also returns how many generated names were listed."""
    out: list[FPQuery] = []
    seen: set[str] = set()
    dropped = 0
    attempt = 0
    while len(out) < n and attempt < 5:
        for locale, kind, name in faker_names(n - len(out), seed + 101 * attempt):
            key = norm_name(name)
            if key in listed:
                dropped += 1
                continue
            if key in seen or not key:
                continue
            seen.add(key)
            out.append(FPQuery(Query(name, "Person" if kind == "person" else "Company"),
                               locale, kind))
        attempt += 1
    out.sort(key=lambda q: (FAKER_LOCALES.index(q.locale), q.kind))
    return out, dropped


# ---------------------------------------------------------------- engines


def _hit(result: PartyResult) -> Hit:
    r = result.score.record
    return Hit(r.source, r.source_id, r.caption, result.score.matched_name,
               float(result.score.score), result.decision,
               tuple(li.record.id for li in result.listings))


def run_tradescreen(screener: Screener, queries: Sequence[Query], limit: int = TOP_K
                    ) -> EngineRun:
    run = EngineRun()
    clock = time.perf_counter
    start = clock()
    for query in queries:
        t0 = clock()
        results = screener.screen(query, limit=limit)
        run.latencies.append(clock() - t0)
        run.hits.append([_hit(r) for r in results])
    run.wall = clock() - start
    return run


class Anchor:
    """Naive brute-force screener: RapidFuzz `token_sort_ratio` with `default_process` against
    every name (primary and aliases) of every listed record; no schema, no index, no other
    evidence. The best `ANCHOR_POOL` names are collapsed to distinct records; a record scoring
    >= 85 is a match, >= 75 a review, below that it is not returned.

    Implementation: choices are `default_process`ed and their tokens sorted once up front, and
    each query is scored with `fuzz.ratio` on its own sorted tokens. That is exactly what
    `token_sort_ratio(q, c, processor=default_process)` computes (the test checks it), only
    without redoing the choice side on every query (about 5x faster), which any real brute-force
    screener would also precompute.
    """

    def __init__(self, records: Sequence[Record]) -> None:
        from rapidfuzz import utils

        self.records = records
        self.owner: list[int] = []
        self.names: list[str] = []
        self.choices: list[str] = []
        for pos, rec in enumerate(records):
            for value, _kind, _strength in rec.names:
                self.owner.append(pos)
                self.names.append(value)
                self.choices.append(self.prepare(value))
        self._process = utils.default_process

    @staticmethod
    def prepare(text: str) -> str:
        from rapidfuzz import utils

        return " ".join(sorted(utils.default_process(text).split()))

    def screen(self, name: str, limit: int = TOP_K) -> list[Hit]:
        from rapidfuzz import fuzz, process

        query = self.prepare(name)
        if not query:
            return []
        found = process.extract(query, self.choices, scorer=fuzz.ratio, processor=None,
                                limit=ANCHOR_POOL, score_cutoff=ANCHOR_REVIEW)
        out: list[Hit] = []
        seen: set[int] = set()
        for _choice, score, idx in found:
            pos = self.owner[idx]
            if pos in seen:
                continue
            seen.add(pos)
            rec = self.records[pos]
            decision = "match" if score >= ANCHOR_MATCH else "review"
            out.append(Hit(rec.source, rec.source_id, rec.caption, self.names[idx],
                           score / 100.0, decision))
            if len(out) >= limit:
                break
        return out


def run_anchor(anchor: Anchor, queries: Sequence[Query], limit: int = TOP_K) -> EngineRun:
    run = EngineRun()
    clock = time.perf_counter
    start = clock()
    for query in queries:
        t0 = clock()
        hits = anchor.screen(query.name, limit)
        run.latencies.append(clock() - t0)
        run.hits.append(hits)
    run.wall = clock() - start
    return run


# ---------------------------------------------------------------- metrics


def caption_key(text: str) -> str:
    """Case-, accent-, punctuation- and order-free: 'KIM, Kyong Il' == 'Kim Kyong-Il'."""
    import variants

    return variants.norm_key(text)


def is_hit(rq: RecallQuery, hit: Hit) -> bool:
    """Same entity: same record, or a record on any list whose caption has the same words
    (lists write one person as 'KIM, Kyong Il' and 'Kim Kyong Il')."""
    if hit.source == rq.source and hit.source_id == rq.source_id:
        return True
    if f"{rq.source}:{rq.source_id}" in hit.listings:
        return True
    return caption_key(hit.caption) == caption_key(rq.caption)


def found_rank(rq: RecallQuery, hits: Sequence[Hit], decisions: Iterable[str]) -> int | None:
    wanted = set(decisions)
    for rank, hit in enumerate(hits[:TOP_K], start=1):
        if hit.decision in wanted and is_hit(rq, hit):
            return rank
    return None


def recall_metrics(recall: Sequence[RecallQuery], hits: Sequence[Sequence[Hit]]
                   ) -> dict[str, Any]:
    """recall@5 (match|review) and recall@5 (match only), overall, per category, per kind."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, rq in enumerate(recall):
        groups["all"].append(i)
        groups[f"cat:{rq.category}"].append(i)
        groups["kind:person" if rq.query.schema == "Person" else "kind:org"].append(i)
    out: dict[str, Any] = {}
    for key, idxs in groups.items():
        mr = sum(found_rank(recall[i], hits[i], HIT_DECISIONS) is not None for i in idxs)
        m = sum(found_rank(recall[i], hits[i], ("match",)) is not None for i in idxs)
        out[key] = {"n": len(idxs), "recall": mr / len(idxs), "recall_match": m / len(idxs)}
    return out


def fp_metrics(fps: Sequence[FPQuery], hits: Sequence[Sequence[Hit]]) -> dict[str, Any]:
    """Share of queries whose top result is match / review, overall, per kind, per locale."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(fps):
        groups["all"].append(i)
        groups[f"kind:{q.kind}"].append(i)
        groups[f"locale:{q.locale}"].append(i)
    out: dict[str, Any] = {}
    for key, idxs in groups.items():
        top = [hits[i][0].decision if hits[i] else "no_match" for i in idxs]
        out[key] = {
            "n": len(idxs),
            "match_rate": top.count("match") / len(idxs),
            "review_rate": top.count("review") / len(idxs),
        }
    return out


def worst_fps(fps: Sequence[FPQuery], hits: Sequence[Sequence[Hit]], n: int = 20
              ) -> list[dict[str, Any]]:
    rows = [
        {"query": q.query.name, "schema": q.query.schema, "locale": q.locale,
         "listed": h[0].caption, "matched_name": h[0].matched_name,
         "record": f"{h[0].source}:{h[0].source_id}", "score": round(h[0].score, 4),
         "decision": h[0].decision}
        for q, h in zip(fps, hits, strict=True)
        if h and h[0].decision in HIT_DECISIONS
    ]
    rows.sort(key=lambda r: (-r["score"], r["query"]))
    return rows[:n]


def recall_misses(screener: Screener, recall: Sequence[RecallQuery],
                  hits: Sequence[Sequence[Hit]]) -> list[dict[str, Any]]:
    """Every miss, with what came back and where (if anywhere) the expected entity ranked when
    nothing is cut: absent = candidate generation lost it; present = it scored too low."""
    out = []
    for rq, h in zip(recall, hits, strict=True):
        if found_rank(rq, h, HIT_DECISIONS) is not None:
            continue
        deep = screener.screen(rq.query, limit=200, min_score=0.0)
        where = next(((rank, r) for rank, r in enumerate(deep, start=1)
                      if is_hit(rq, _hit(r))), None)
        out.append({
            "category": rq.category,
            "query": rq.query.name,
            "schema": rq.query.schema,
            "expected": f"{rq.source}:{rq.source_id}",
            "expected_caption": rq.caption,
            "returned": [
                {"caption": x.caption, "record": f"{x.source}:{x.source_id}",
                 "score": round(x.score, 4), "decision": x.decision} for x in h[:3]
            ],
            "expected_rank_uncut": where[0] if where else None,
            "expected_score_uncut": round(where[1].score.score, 4) if where else None,
        })
    return out


def latency_stats(latencies: Sequence[float], wall: float) -> dict[str, float]:
    import numpy as np

    arr = np.asarray(latencies) * 1000.0
    return {
        "n": len(arr),
        "p50_ms": float(np.percentile(arr, 50)),
        "p95_ms": float(np.percentile(arr, 95)),
        "p99_ms": float(np.percentile(arr, 99)),
        "max_ms": float(arr.max()),
        "mean_ms": float(arr.mean()),
        "qps": len(arr) / wall if wall else 0.0,
    }


# ---------------------------------------------------------------- subprocess measurements


def child_rss(queries_path: Path) -> dict[str, Any]:
    """Runs in a fresh process: load the index warm (from the cache), screen the queries."""
    from tradescreen.cli.screen import load_screener
    from tradescreen.config import load_settings

    rss_start = rss_mb()
    start = time.perf_counter()
    screener = load_screener(load_settings())
    load_s = time.perf_counter() - start
    rss_loaded = rss_mb()
    raw = json.loads(queries_path.read_text(encoding="utf-8"))
    start = time.perf_counter()
    for name, schema in raw:
        screener.screen(Query(name, schema), limit=TOP_K)
    return {
        "load_s": load_s,
        "queries": len(raw),
        "screen_s": time.perf_counter() - start,
        "rss_start_mb": rss_start,
        "rss_loaded_mb": rss_loaded,
        "peak_rss_mb": peak_rss_mb(),
    }


def _child_env(home: Path) -> dict[str, str]:
    # The benchmark measures the embedded SQLite store it built; a PostgreSQL URL in the
    # caller's environment would send the child to an empty database.
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADESCREEN_DATABASE")}
    env["TRADESCREEN_HOME"] = str(home)
    return env


def measure_warm_process(home: Path, queries: Sequence[Query], work: Path) -> dict[str, Any]:
    path = work / "rss_queries.json"
    path.write_text(json.dumps([[q.name, q.schema] for q in queries]), encoding="utf-8")
    env = _child_env(home)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child-rss", str(path)], env=env,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"RSS child failed: {proc.stderr.strip()[-2000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data["process_wall_s"] = wall
    return data


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("tradescreen")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from tradescreen.cli import main; main()"]


def write_screen_csv(path: Path, rows: Sequence[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name", "schema"])
        writer.writerows(rows)


_SCREENED = re.compile(r"screened\s+(\d+)\s+(?:of\s+\d+\s+)?rows\s+in\s+([\d.]+)\s*s")


def run_screen_file(home: Path, rows: Sequence[tuple[str, str]], work: Path,
                    workers: int = 2) -> dict[str, Any]:
    """`tradescreen screen-file` in a subprocess; wall time includes interpreter start and the
    warm index load. The CLI's own 'screened N rows in X s' gives the screening-only rate."""
    src = work / f"screen_{len(rows)}.csv"
    out = work / f"screen_{len(rows)}.jsonl"
    write_screen_csv(src, rows)
    env = _child_env(home)
    cmd = [*_cli(), "screen-file", str(src), "--out", str(out), "--workers", str(workers),
           "--limit", str(TOP_K)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"screen-file failed: {proc.stderr.strip()[-2000:]}")
    with out.open("rb") as fh:
        lines = sum(1 for _ in fh)
    match = _SCREENED.search(" ".join(proc.stderr.split()))
    screen_s = float(match.group(2)) if match else None
    return {
        "rows": len(rows),
        "output_rows": lines,
        "workers": workers,
        "wall_s": wall,
        "rows_per_s_end_to_end": len(rows) / wall,
        "screen_s": screen_s,
        "rows_per_s_screening": len(rows) / screen_s if screen_s else None,
    }


def screen_file_rows(n: int, base: Sequence[Query], seed: int) -> list[tuple[str, str]]:
    """`n` rows: the benchmark's own queries first, then more faker names (another seed)."""
    rows = [(q.name, q.schema) for q in base][:n]
    if len(rows) < n:
        for _locale, kind, name in faker_names(n - len(rows), seed + 7919):
            rows.append((name, "Person" if kind == "person" else "Company"))
    return rows


# ---------------------------------------------------------------- report


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}x"


def _ok(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def report(s: dict[str, Any]) -> None:
    print(f"\nScreening benchmark ({s['mode']}, seed {s['seed']}): "
          f"{s['index']['records']:,} records, {s['index']['names']:,} names on "
          f"{len(s['lists'])} lists")
    eng = s["engine"]
    print(f"engine: HEAD {eng['head']}" + (
        f" + uncommitted changes in {len(eng['dirty_src'])} src file(s): "
        + ", ".join(Path(f).name for f in eng["dirty_src"]) if eng["dirty_src"] else " (clean)"))
    print_table(
        ["list", "source", "entities", "import s"],
        [[x["list"], x["source"], f"{x['entities']:,}", f"{x['seconds']:.2f}"]
         for x in s["lists"]],
        title="Lists imported (fresh temporary TRADESCREEN_HOME)",
    )
    ix, warm = s["index"], s["warm_process"]
    print_table(
        ["what", "value"],
        [
            ["index build, cold (load_index, no cache file) s", f"{ix['cold_build_s']:.2f}"],
            ["index cache file MiB", f"{ix['cache_mb']:.1f}"],
            ["index load, warm (fresh process, from cache) s", f"{warm['load_s']:.2f}"],
            ["fresh process wall: start + load + queries s", f"{warm['process_wall_s']:.2f}"],
            ["RSS before load MiB", f"{warm['rss_start_mb']:.0f}"],
            ["RSS after load MiB", f"{warm['rss_loaded_mb']:.0f}"],
            [f"peak RSS after {warm['queries']:,} queries MiB", f"{warm['peak_rss_mb']:.0f}"],
        ],
        title="Index and memory",
    )

    ts, an = s["tradescreen"], s["anchor"]
    rows: list[list[object]] = []
    n_recall = ts["recall"]["all"]["n"]
    rows.append([f"recall@5 match|review (n={n_recall})", pct(ts["recall"]["all"]["recall"]),
                 pct(an["recall"]["all"]["recall"]),
                 ratio(ts["recall"]["all"]["recall"], an["recall"]["all"]["recall"])])
    keys = [f"cat:{c}" for c in CATEGORIES] + ["kind:person", "kind:org"]
    for key in keys:
        if key not in ts["recall"]:
            continue
        t, a = ts["recall"][key], an["recall"][key]
        rows.append([f"  {key.split(':', 1)[1]} (n={t['n']})", pct(t["recall"]),
                     pct(a["recall"]), ratio(t["recall"], a["recall"])])
    rows.append(["recall@5 match only", pct(ts["recall"]["all"]["recall_match"]),
                 pct(an["recall"]["all"]["recall_match"]),
                 ratio(ts["recall"]["all"]["recall_match"],
                       an["recall"]["all"]["recall_match"])])
    for key in keys:
        if key not in ts["recall"]:
            continue
        t, a = ts["recall"][key], an["recall"][key]
        rows.append([f"  {key.split(':', 1)[1]}", pct(t["recall_match"]),
                     pct(a["recall_match"]), ratio(t["recall_match"], a["recall_match"])])
    fp_t, fp_a = ts["fp"]["all"], an["fp"]["all"]
    rows.append([f"FP top=match (n={fp_t['n']}; target <= 0.5%)", pct(fp_t["match_rate"]),
                 pct(fp_a["match_rate"]), ratio(fp_t["match_rate"], fp_a["match_rate"])])
    rows.append(["FP top=review (target <= 5%)", pct(fp_t["review_rate"]),
                 pct(fp_a["review_rate"]), ratio(fp_t["review_rate"], fp_a["review_rate"])])
    for kind in ("person", "company"):
        t, a = ts["fp"][f"kind:{kind}"], an["fp"][f"kind:{kind}"]
        rows.append([f"  {kind} (n={t['n']}) match / review",
                     f"{pct(t['match_rate'])} / {pct(t['review_rate'])}",
                     f"{pct(a['match_rate'])} / {pct(a['review_rate'])}", ""])
    lt, la = ts["latency"], an["latency"]
    rows.append(["latency p50 ms (in-process, after warm-up)", fmt(lt["p50_ms"], 2),
                 fmt(la["p50_ms"], 2), ratio(lt["p50_ms"], la["p50_ms"])])
    rows.append(["latency p95 ms", fmt(lt["p95_ms"], 2), fmt(la["p95_ms"], 2),
                 ratio(lt["p95_ms"], la["p95_ms"])])
    rows.append(["latency p99 ms (target < 5)", fmt(lt["p99_ms"], 2), fmt(la["p99_ms"], 2),
                 ratio(lt["p99_ms"], la["p99_ms"])])
    rows.append(["latency max ms", fmt(lt["max_ms"], 1), fmt(la["max_ms"], 1),
                 ratio(lt["max_ms"], la["max_ms"])])
    rows.append(["queries/s, single process", f"{lt['qps']:.0f}", f"{la['qps']:.0f}",
                 ratio(lt["qps"], la["qps"])])
    print_table(["same queries", "tradescreen", "anchor", "ratio ts/anchor"], rows,
                title=f"Quality and speed against the anchor (RapidFuzz token_sort_ratio brute "
                      f"force over every listed name; match >= {ANCHOR_MATCH:.0f}, review >= "
                      f"{ANCHOR_REVIEW:.0f})")

    loc_rows = []
    for locale in FAKER_LOCALES:
        key = f"locale:{locale}"
        if key in ts["fp"]:
            t, a = ts["fp"][key], an["fp"][key]
            loc_rows.append([locale, t["n"], pct(t["match_rate"]), pct(t["review_rate"]),
                             pct(a["match_rate"]), pct(a["review_rate"])])
    print_table(["locale", "n", "ts match", "ts review", "anchor match", "anchor review"],
                loc_rows, title="False positives by faker locale (top result)")

    sf_rows = []
    for run in s["screen_file"]:
        sf_rows.append([f"{run['rows']:,} rows, --workers {run['workers']}",
                        f"{run['wall_s']:.1f}", f"{run['rows_per_s_end_to_end']:.0f}",
                        fmt(run["screen_s"], 1),
                        f"{run['rows_per_s_screening']:.0f}" if run["rows_per_s_screening"]
                        else "-", run["output_rows"]])
    print_table(["screen-file (subprocess)", "wall s", "rows/s end-to-end", "screen s",
                 "rows/s screening", "out rows"], sf_rows,
                title="screen-file end to end (process start and warm index load included)")

    print("\nRatios, tradescreen vs anchor (same queries):")
    for label, a, b in (
        ("recall@5 match|review", ts["recall"]["all"]["recall"], an["recall"]["all"]["recall"]),
        ("recall@5 match only", ts["recall"]["all"]["recall_match"],
         an["recall"]["all"]["recall_match"]),
        ("FP rate top=match", fp_t["match_rate"], fp_a["match_rate"]),
        ("FP rate top=review", fp_t["review_rate"], fp_a["review_rate"]),
        ("queries/s single process", lt["qps"], la["qps"]),
    ):
        print(f"  {label:28s} {ratio(a, b):>8}  ({fmt(a, 4)} vs {fmt(b, 4)})")

    print("\nTargets:")
    sf5 = next((r for r in s["screen_file"] if r["rows"] == 5000), None)
    sf_best = max((r["rows_per_s_screening"] or 0.0 for r in s["screen_file"]), default=0.0)
    checks = [
        (f"FP top=match <= {pct(TARGETS['fp_match_rate'])}", fp_t["match_rate"],
         fp_t["match_rate"] <= TARGETS["fp_match_rate"], pct(fp_t["match_rate"])),
        (f"FP top=review <= {pct(TARGETS['fp_review_rate'])}", fp_t["review_rate"],
         fp_t["review_rate"] <= TARGETS["fp_review_rate"], pct(fp_t["review_rate"])),
        ("p99 latency < 5 ms", lt["p99_ms"], lt["p99_ms"] < TARGETS["p99_ms"],
         f"{lt['p99_ms']:.2f} ms"),
        (">= 2,000 rows/s screening on 2 cores", sf_best,
         sf_best >= TARGETS["screen_file_qps_2cores"], f"{sf_best:.0f}/s"),
    ]
    if sf5:
        checks.append((">= 500 rows/s at 5k rows incl. start", sf5["rows_per_s_end_to_end"],
                       sf5["rows_per_s_end_to_end"] >= TARGETS["screen_file_5k_end_to_end"],
                       f"{sf5['rows_per_s_end_to_end']:.0f}/s"))
    for label, _value, passed, shown in checks:
        print(f"  {_ok(passed)}  {label:40s} {shown}")

    print(f"\nWorst {len(s['worst_fps'])} false positives (tradescreen top result):")
    for r in s["worst_fps"]:
        shown = r["listed"] if r["matched_name"] == r["listed"] else \
            f"{r['listed']} [via {r['matched_name']}]"
        print(f"  {r['score']:.3f} {r['decision']:<6} {r['locale']} {r['schema']:<7} "
              f"{r['query']!r} -> {shown} ({r['record']})")

    misses = s["recall_misses"]
    print(f"\nRecall misses: {len(misses)} (first 20, round-robin over categories; all in the "
          "JSON). 'uncut' = rank/score of the expected entity with no limit and no min score:")
    for m in pick_round_robin(misses, 20):
        got = "; ".join(f"{r['decision']} {r['score']:.3f} {r['caption']}"
                        for r in m["returned"][:2]) or "nothing"
        uncut = (f"rank {m['expected_rank_uncut']} score {m['expected_score_uncut']:.3f}"
                 if m["expected_rank_uncut"] else "not a candidate")
        print(f"  [{m['category']}] {m['query']!r} ({m['schema']}) expected "
              f"{m['expected_caption']} ({m['expected']}); got {got}; uncut: {uncut}")


def pick_round_robin(items: Sequence[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    by_cat: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_cat[item["category"]].append(item)
    out: list[dict[str, Any]] = []
    depth = 0
    while len(out) < n and any(depth < len(v) for v in by_cat.values()):
        for cat in CATEGORIES:
            if depth < len(by_cat[cat]) and len(out) < n:
                out.append(by_cat[cat][depth])
        depth += 1
    return out


# ---------------------------------------------------------------- main


def engine_state() -> dict[str, Any]:
    """Which engine was measured: HEAD and any uncommitted change under src/ (others edit the
    engine concurrently, so a number is only meaningful with the code it came from)."""
    from common import REPO

    def git(*args: str) -> str:
        try:
            proc = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                                  check=False, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return ""
        return proc.stdout.strip() if proc.returncode == 0 else ""

    dirty = [line[3:] for line in git("status", "--porcelain", "--", "src").splitlines()]
    return {"head": git("rev-parse", "--short=12", "HEAD") or None, "dirty_src": dirty}



def run(quick: bool, seed: int, data_dir: Path, work: Path) -> dict[str, Any]:
    n_recall, n_fp = (200, 400) if quick else (1000, 2000)
    n_rss = 200 if quick else 1000
    sizes = (5000,) if quick else (5000, 20000)
    home = work / "home"
    home.mkdir()
    settings = Settings(home=home)
    summary: dict[str, Any] = {"mode": "quick" if quick else "full", "seed": seed,
                               "engine": engine_state()}

    print("importing lists ...", flush=True)
    summary["lists"] = import_lists(settings, data_dir)
    print("building index (cold) ...", flush=True)
    index, cold_s, cache_bytes = build_index_cold(settings)
    summary["index"] = {"records": len(index.records), "names": index.name_count,
                        "cold_build_s": cold_s, "cache_mb": cache_bytes / 2**20}
    screener = Screener(index)

    print("making query sets ...", flush=True)
    recall = make_recall_set(index, n_recall, seed)
    listed = listed_names(index)
    fps, dropped = make_fp_set(listed, n_fp, seed)
    summary["sets"] = {
        "recall": len(recall), "recall_categories": dict(Counter(q.category for q in recall)),
        "fp": len(fps), "fp_kinds": dict(Counter(q.kind for q in fps)),
        "fp_dropped_listed": dropped,
    }
    queries = [q.query for q in recall] + [q.query for q in fps]

    print(f"fresh process: warm load + {n_rss} queries ...", flush=True)
    summary["warm_process"] = measure_warm_process(home, queries[:n_rss], work)

    print(f"screening {len(queries)} queries with tradescreen ...", flush=True)
    warm = [Query(name, "Person" if kind == "person" else "Company")
            for _l, kind, name in faker_names(100 if quick else 300, seed + 4242)]
    run_tradescreen(screener, warm)  # warm-up: caches, branch paths; not timed
    ts_run = run_tradescreen(screener, queries)
    print("screening with the anchor ...", flush=True)
    anchor = Anchor(index.records)
    run_anchor(anchor, warm[:20])
    an_run = run_anchor(anchor, queries)

    k = len(recall)
    for label, res in (("tradescreen", ts_run), ("anchor", an_run)):
        summary[label] = {
            "recall": recall_metrics(recall, res.hits[:k]),
            "fp": fp_metrics(fps, res.hits[k:]),
            "latency": latency_stats(res.latencies, res.wall),
        }
    summary["worst_fps"] = worst_fps(fps, ts_run.hits[k:], 20)
    summary["anchor"]["worst_fps"] = worst_fps(fps, an_run.hits[k:], 20)
    summary["recall_misses"] = recall_misses(screener, recall, ts_run.hits[:k])

    summary["screen_file"] = []
    for size in sizes:
        print(f"screen-file, {size:,} rows ...", flush=True)
        rows = screen_file_rows(size, queries, seed)
        summary["screen_file"].append(run_screen_file(home, rows, work, workers=2))
    summary["recall_queries"] = [
        {"category": q.category, "query": q.query.name, "schema": q.query.schema,
         "expected": f"{q.source}:{q.source_id}", "caption": q.caption} for q in recall
    ]
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="200 recall + 400 FP queries, no 20k screen-file run")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--child-rss", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_rss:
        print(json.dumps(child_rss(args.child_rss)))
        return
    data_dir = shared_data_dir()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ts-screen-bench-") as tmp:
        summary = run(args.quick, args.seed, data_dir, Path(tmp))
    summary["total_s"] = time.perf_counter() - started
    report(summary)
    out = args.out or out_dir() / ("screening_quick.json" if args.quick else "screening.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=1, ensure_ascii=False, default=_json_default),
                   encoding="utf-8")
    print(f"\ntotal {summary['total_s']:.0f} s; summary -> {rel(out)}")


def _json_default(value: object) -> object:
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)  # type: ignore[arg-type]
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


if __name__ == "__main__":
    main()
