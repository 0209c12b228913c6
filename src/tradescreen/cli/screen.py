"""`tradescreen screen`, `screen-file`, `score-pairs`: the matching core on the command line."""

from __future__ import annotations

import csv
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tradescreen.books.asof import add_as_of, in_force_at, missing_at, parse_date
from tradescreen.cli import audit
from tradescreen.cli.app import app
from tradescreen.cli.output import err as _err
from tradescreen.cli.output import errors as _errors
from tradescreen.config import Settings, load_settings
from tradescreen.index.cache import load_index
from tradescreen.match.pairs import compare_names
from tradescreen.screen.batch import screen_lines, screen_one
from tradescreen.screen.inputs import InputError, make_query, read_queries, schema_of
from tradescreen.screen.party import Screener, Thresholds
from tradescreen.store import open_store


def load_screener(settings: Settings, as_of: date | None = None) -> Screener:
    with open_store(settings) as store:
        # --as-of: the snapshots in force on that date (look-backs on past shipments).
        snapshots = store.active_snapshots() if as_of is None else in_force_at(store, as_of)
        if not snapshots and as_of is not None and store.active_snapshots():
            raise InputError(f"no list snapshot was in force on {as_of.isoformat()}: "
                             "the oldest import is later")
        if not snapshots:
            raise InputError("no lists imported yet: run `tradescreen lists import PATH` first")
        ids = None if as_of is None else sorted(s.id for s in snapshots)
        index = load_index(store, settings.index_dir, ids)
    return Screener(index, Thresholds(settings.match_threshold, settings.review_threshold))


def _write_json(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def _report(data: dict[str, Any]) -> None:
    console = Console(highlight=False, soft_wrap=True)
    q = data["query"]
    console.print(f"[bold]{q['name']}[/] ({q['schema']})", markup=True)
    for warning in data.get("warnings", []):
        console.print(f"  warning: {warning}", markup=False)
    if not data["results"]:
        console.print("  no candidates on the active lists: clear")
        return
    for r in data["results"]:
        style = {"match": "bold red", "review": "yellow"}.get(r["decision"], "dim")
        console.print(
            f"  [{style}]{r['decision']:<8}[/] {r['score']:.3f}  {r['source']} {r['source_id']}"
            f"  [bold]{r['caption']}[/]", markup=True,
        )
        if r["matched_name"] != r["caption"]:
            console.print(f"{'':14}matched {r['matched_name_kind']}: {r['matched_name']}")
        for f in r["explanation"]:
            if f["feature"] == "prior" or abs(f["weight"]) < 0.3:
                continue
            detail = f"  ({f['detail']})" if f["detail"] and f["feature"] == "name_dice" else ""
            console.print(
                f"{'':14}{f['weight']:+5.1f}  {f['feature']}: {f['label']}{detail}", markup=False
            )


@app.command()
@_errors
def screen(
    name: Annotated[str, typer.Argument(help="Name to screen, in any script.")],
    schema: Annotated[
        str | None,
        typer.Option(help="Person, Company, Organization, LegalEntity, Vessel or Aircraft."),
    ] = None,
    birth_date: Annotated[
        str | None, typer.Option("--birth-date", help="YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    country: Annotated[
        list[str] | None, typer.Option("--country", help="ISO code or country name; repeatable.")
    ] = None,
    ident: Annotated[
        list[str] | None,
        typer.Option("--id", help="Identifier (IMO, registration, passport...); repeatable."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Most results to return.")] = 10,
    json_output: Annotated[bool, typer.Option("--json", help="Machine-readable JSON.")] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Screen against the lists in force on this date (YYYY-MM-DD)."
    )] = None,
) -> None:
    """Screen one name against every active list, best match first, with explanations."""
    query = make_query(name, schema, birth_date, country or [], ident or [])
    if not query.name and not query.identifiers:
        raise InputError("give a name or an --id to screen")
    settings = load_settings()
    when = parse_date(as_of) if as_of else None
    screener = load_screener(settings, when)
    data = screen_one(screener, query, limit)
    data["snapshots"] = list(screener.index.snapshots)
    if when is not None:  # say which lists a look-back could not use: its "clear" excludes them
        with open_store(settings) as store:
            add_as_of(data, missing_at(store, when), when)
    audit.audit_screening(settings, [data], data["snapshots"])
    if json_output:
        _write_json(data)
    else:
        _report(data)


@app.command("screen-file")
@_errors
def screen_file(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT.csv", help="CSV of parties.")],
    out: Annotated[Path, typer.Option("--out", help="JSON lines, one per input row.")],
    limit: Annotated[int, typer.Option(min=1, max=100, help="Results per row.")] = 10,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Processes (default: all cores).")
    ] = None,
) -> None:
    """Screen every row of a CSV file; output rows in input order, same shape as `screen --json`.

    Recognised columns: name / full_name (or first_name, middle_name, last_name), schema,
    birth_date / date_of_birth / dob, country / nationality (ISO code or name), id.
    """
    if not input_path.is_file():
        raise InputError(f"{input_path}: no such file")
    rows = list(read_queries(input_path))
    settings = load_settings()
    screener = load_screener(settings)
    hits: list[dict[str, Any]] = []  # rows with review/match results: they raise alerts
    started = time.perf_counter()
    tmp = out.with_name(out.name + ".part")
    show = _err().is_terminal
    progress = Progress(
        TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=_err(), transient=True, disable=not show,
    )
    errors = 0
    with tmp.open("wb") as fh, progress:
        task = progress.add_task("screen", total=len(rows))
        items = [(number, query) for number, query, _ in rows]
        lines = screen_lines(screener, items, workers=workers, limit=limit)
        for i, line in enumerate(lines):
            errors += line.startswith(b'{"query":null,"error"')
            if b'"decision":"match"' in line or b'"decision":"review"' in line:
                hits.append(orjson.loads(line))
            fh.write(line)
            if show and i % 200 == 0:
                progress.update(task, completed=i)
    tmp.replace(out)
    snapshots = list(screener.index.snapshots)
    audit.audit_screening(settings, hits, snapshots, file=input_path, rows=len(rows))
    elapsed = time.perf_counter() - started
    rate = len(rows) / elapsed if elapsed else 0.0
    _err().print(f"screened {len(rows)} rows in {elapsed:.1f} s ({rate:.0f}/s), "
                 f"{errors} rows with errors -> {out}")


@app.command("score-pairs")
@_errors
def score_pairs(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT.csv", help="schema,name1,name2")],
    out: Annotated[Path, typer.Option("--out", help="The input rows plus score and match.")],
) -> None:
    """Score name pairs: adds `score` (0..1) and `match` (true/false) to every row, in order."""
    if not input_path.is_file():
        raise InputError(f"{input_path}: no such file")
    with input_path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        missing = {"name1", "name2"} - set(fields)
        if missing:
            raise InputError(f"{input_path.name}: missing column(s) {', '.join(sorted(missing))}; "
                             "expected schema,name1,name2")
        rows = list(reader)
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*fields, "score", "match"])
        writer.writeheader()
        for number, row in enumerate(rows, start=2):
            try:
                schema = schema_of(row.get("schema"))
            except InputError as exc:
                raise InputError(f"row {number}: {exc}") from None
            score, verdict = compare_names(schema, row["name1"] or "", row["name2"] or "")
            verdict_text = "true" if verdict else "false"
            writer.writerow({**row, "score": f"{score:.4f}", "match": verdict_text})
    tmp.replace(out)
    _err().print(f"scored {len(rows)} pairs -> {out}")
