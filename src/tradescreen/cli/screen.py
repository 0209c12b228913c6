"""`tradescreen screen`, `screen-file`, `score-pairs`: the matching core on the command line.

The matching stack (index, normaliser, store) is imported inside the commands: this module is
loaded for `--help` of these commands too, which should not wait for it.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer

from tradescreen.cli.app import app
from tradescreen.cli.output import err as _err
from tradescreen.cli.output import errors as _errors
from tradescreen.config import Settings, load_settings
from tradescreen.screen.inputs import InputError

if TYPE_CHECKING:
    from tradescreen.screen.party import Screener


def load_screener(settings: Settings, as_of: date | None = None) -> Screener:
    from tradescreen.books.asof import in_force_at
    from tradescreen.index.cache import load_index
    from tradescreen.screen.party import Screener, Thresholds
    from tradescreen.store import open_store

    with open_store(settings) as store:
        # --as-of: the snapshots in force on that date (look-backs on past shipments).
        snapshots = store.active_snapshots() if as_of is None else in_force_at(store, as_of)
        if not snapshots and as_of is not None and store.active_snapshots():
            from tradescreen.books.asof import missing_at

            # Refused rather than answered "clear" against no list at all; each list says why
            # (an undated OFAC CSV import is dated by its import day: give --published).
            reasons = "; ".join(m.message(as_of) for m in missing_at(store, as_of))
            raise InputError(f"no list snapshot was in force on {as_of.isoformat()}: {reasons}")
        if not snapshots:
            raise InputError("no lists imported yet: run `tradescreen lists import PATH` first")
        ids = None if as_of is None else sorted(s.id for s in snapshots)
        index = load_index(store, settings.index_dir, ids)
    return Screener(index, Thresholds(settings.match_threshold, settings.review_threshold))


def _write_json(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def _report(data: dict[str, Any]) -> None:
    from rich.console import Console

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
            shown = f["feature"] in ("shared_attribute", "relation")
            if f["feature"] == "prior" or (abs(f["weight"]) < 0.3 and not shown):
                continue
            detail = f"  ({f['detail']})" if f["detail"] and (
                f["feature"] == "name_dice" or shown) else ""
            console.print(
                f"{'':14}{f['weight']:+5.1f}  {f['feature']}: {f['label']}{detail}", markup=False
            )


EncodingOpt = Annotated[str | None, typer.Option(
    "--encoding", help="The file's text encoding (default: detected; UTF-8, UTF-16 and the "
    "Windows code pages are recognised).")]


@app.command()
@_errors
def screen(
    name: Annotated[str, typer.Argument(help="Name to screen, in any script.")],
    schema: Annotated[
        str | None,
        typer.Option(help="Person, Company, Organization, LegalEntity, Vessel or Aircraft."),
    ] = None,
    birth_date: Annotated[str | None, typer.Option(
        "--birth-date", help="YYYY, YYYY-MM, YYYY-MM-DD, or as written: 16/07/1969, 16 Jul 1969."
    )] = None,
    country: Annotated[
        list[str] | None, typer.Option("--country", help="ISO code or country name; repeatable.")
    ] = None,
    ident: Annotated[
        list[str] | None,
        typer.Option("--id", help="Identifier (IMO, registration, passport...); repeatable."),
    ] = None,
    address: Annotated[list[str] | None, typer.Option(
        "--address", help="Postal address, compared with every listed party's; repeatable."
    )] = None,
    phone: Annotated[list[str] | None, typer.Option(
        "--phone", help="Phone number in any format; repeatable.")] = None,
    email: Annotated[list[str] | None, typer.Option(
        "--email", help="E-mail address (its domain is compared too); repeatable.")] = None,
    website: Annotated[list[str] | None, typer.Option(
        "--website", help="Website or URL; repeatable.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Most results to return.")] = 10,
    json_output: Annotated[bool, typer.Option("--json", help="Machine-readable JSON.")] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Screen against the lists in force on this date (YYYY-MM-DD)."
    )] = None,
) -> None:
    """Screen one name against every active list, best match first, with explanations.

    A field that cannot be read (a birth date, a country) is left out with a warning on stderr
    (and in `warnings` with --json); the name is screened all the same. A listed party sharing
    an --address, --phone, --email (or its domain) or --website is reported whatever the names
    say, with a `shared_attribute` explanation row; common values (free-mail domains, a
    registered agent's address) are marked weak and do not raise an alert by themselves.
    """
    from tradescreen.books.asof import parse_date
    from tradescreen.screen.batch import screen_one
    from tradescreen.screen.inputs import read_query

    try:
        attributes = [(k, v) for k, values in (("address", address), ("phone", phone),
                                                ("email", email), ("website", website))
                      for v in values or ()]
        query, warnings = read_query(name, schema, birth_date, country or [], ident or [],
                                     attributes=attributes)
    except InputError as exc:
        raise InputError(f"{exc}: give a name or an --id to screen") from None
    settings = load_settings()
    when = parse_date(as_of) if as_of else None
    screener = load_screener(settings, when)
    data = screen_one(screener, query, limit)
    data["snapshots"] = list(screener.index.snapshots)
    data["warnings"] = warnings
    for warning in warnings:
        _err().print(f"warning: {warning}", markup=False)
    if when is not None:  # say which lists a look-back could not use: its "clear" excludes them
        from tradescreen.books.asof import add_as_of, missing_at
        from tradescreen.store import open_store

        with open_store(settings) as store:
            add_as_of(data, missing_at(store, when), when)
    from tradescreen.cli.audit import audit_screening

    audit_screening(settings, [data], data["snapshots"])
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
    encoding: EncodingOpt = None,
) -> None:
    """Screen every row of a CSV file; output rows in input order, same shape as `screen --json`.

    Recognised columns: name / full_name (or first_name, middle_name, last_name), schema,
    birth_date / date_of_birth / dob, country / nationality (ISO code or name), id (an
    identifier), address, phone, email, website (shared-attribute alerts), and row_id / key /
    customer_id (the row's own key, echoed as `row_id` on its output line). Every line has
    `row` (line number), `row_id` and `warnings` (fields left out);
    a row with nothing to screen (no name, or a field too long to be one) gets `error` instead
    of results and is not counted as screened.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from tradescreen.screen.batch import screen_lines
    from tradescreen.screen.csvinput import encoding_note, read_csv
    from tradescreen.screen.inputs import read_rows

    table = read_csv(input_path, encoding)
    rows = list(read_rows(table.fields, table.rows, input_path.name))
    if note := encoding_note(table, input_path.name):
        _err().print(f"warning: {note}", markup=False)
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
    with tmp.open("wb") as fh, progress:
        task = progress.add_task("screen", total=len(rows))
        lines = screen_lines(screener, rows, workers=workers, limit=limit)
        for i, line in enumerate(lines):
            if b'"decision":"match"' in line or b'"decision":"review"' in line:
                hits.append(orjson.loads(line))
            fh.write(line)
            if show and i % 200 == 0:
                progress.update(task, completed=i)
    tmp.replace(out)
    snapshots = list(screener.index.snapshots)
    from tradescreen.cli.audit import audit_screening

    audit_screening(settings, hits, snapshots, file=input_path, rows=len(rows))
    elapsed = time.perf_counter() - started
    failed = [r for r in rows if r.query is None]
    warned = [r for r in rows if r.warnings]
    screened = len(rows) - len(failed)
    rate = screened / elapsed if elapsed else 0.0
    noted = [r for r in rows if r.error or r.warnings]
    for row in noted[:20]:
        for message in (row.error,) if row.error else row.warnings:
            prefix = "" if row.error else f"row {row.number}: "
            _err().print(f"{'error' if row.error else 'warning'}: {prefix}{message}", markup=False)
    if len(noted) > 20:
        _err().print(f"... and {len(noted) - 20} more rows with errors or warnings (see `error` "
                     f"and `warnings` in {out.name})")
    _err().print(f"screened {screened} of {len(rows)} rows in {elapsed:.1f} s ({rate:.0f}/s); "
                 f"{len(failed)} rows not screened (errors), {len(warned)} rows with warnings "
                 f"(fields left out) -> {out}")


@app.command("score-pairs")
@_errors
def score_pairs(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT.csv", help="schema,name1,name2")],
    out: Annotated[Path, typer.Option("--out", help="The input rows plus score and match.")],
    threshold: Annotated[float | None, typer.Option(
        min=0.0, max=1.0, help="Score at or above which `match` is true (default: "
        "$TRADESCREEN_MATCH_THRESHOLD, 0.70).")] = None,
    encoding: EncodingOpt = None,
) -> None:
    """Score name pairs: adds `score` (0..1) and `match` (true/false) to every row, in order.

    `match` uses the product's match threshold, as screening does. A row that cannot be scored
    (a name too long to be one) gets empty `score` and `match` and an error line on stderr.
    """
    import csv

    from tradescreen.match.names import score_names
    from tradescreen.screen.csvinput import encoding_note, read_csv
    from tradescreen.screen.inputs import MAX_FIELD, read_schema

    cut = threshold if threshold is not None else load_settings().match_threshold
    table = read_csv(input_path, encoding)
    missing = {"name1", "name2"} - set(table.fields)
    if missing:
        raise InputError(f"{input_path.name}: missing column(s) {', '.join(sorted(missing))}; "
                         "expected schema,name1,name2")
    if note := encoding_note(table, input_path.name):
        _err().print(f"warning: {note}", markup=False)
    tmp = out.with_name(out.name + ".part")
    problems = count = 0
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*table.fields, "score", "match"])
        writer.writeheader()
        for number, row in enumerate(table.rows, start=2):
            count += 1
            name1, name2 = (" ".join((row.get(k) or "").split()) for k in ("name1", "name2"))
            schema, message = read_schema(row.get("schema"))
            if max(len(name1), len(name2)) > MAX_FIELD:
                problems += 1
                _err().print(f"error: row {number}: a name of more than {MAX_FIELD:,} characters "
                             "is not a name: not scored", markup=False)
                writer.writerow({**row, "score": "", "match": ""})
                continue
            if message:
                _err().print(f"warning: row {number}: {message}", markup=False)
            score = score_names(schema, name1, name2).score
            writer.writerow({**row, "score": f"{score:.4f}",
                             "match": "true" if score >= cut else "false"})
    tmp.replace(out)
    _err().print(f"scored {count - problems} of {count} pairs (match at {cut:g}) -> {out}")
