"""`tradescreen book import|rescreen|alerts`: customer books under continuous monitoring."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from tradescreen.cli.app import app
from tradescreen.cli.output import err as _err
from tradescreen.cli.output import errors as _errors
from tradescreen.cli.output import print_json as _json
from tradescreen.config import load_settings

# The books, screening and store stacks are imported inside the commands (start-up time).
if TYPE_CHECKING:
    from tradescreen.books.rescreen import Runner

book_app = typer.Typer(help="Customer books: import, re-screen after list updates, alerts.",
                       no_args_is_help=True)
app.add_typer(book_app, name="book")

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@book_app.command("import")
@_errors
def import_(
    name: Annotated[str, typer.Argument(help="Book name (your key for this customer file).")],
    path: Annotated[
        Path, typer.Argument(metavar="FILE", help="CSV or Parquet, with an id column.")
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="Delete rows whose id is not in FILE.")
    ] = False,
    json_output: JsonOpt = False,
) -> None:
    """Import or update a book by row id; new and changed rows are screened on the next rescreen.

    Columns as for screen-file (name / first_name+last_name, schema, birth_date, country), plus
    `id`, the row's own key, and `identifier` for an official id (IMO, registration, passport).
    """
    from tradescreen.books.readers import read_book
    from tradescreen.books.storage import BookStore
    from tradescreen.store import open_store

    rows = read_book(path)
    with open_store(load_settings()) as store:
        counts = BookStore(store._conn).import_rows(name, rows, _now(), replace=replace)
    problems = _problems((r.row_id, r.query is not None, r.error) for r in rows)
    data = {"book": name, "rows": len(rows), **counts.to_dict(), **problems}
    if json_output:
        _json(data)
    else:
        _err().print(f"book {name}: {len(rows)} rows read; {counts.added} added, "
                     f"{counts.changed} changed, {counts.unchanged} unchanged, "
                     f"{counts.deleted} deleted, {counts.errors} cannot be screened, "
                     f"{len(problems['warnings'])} with fields left out")
        _print_problems(problems)


def _problems(rows: Any) -> dict[str, list[dict[str, str]]]:
    """Rows that cannot be screened (`row_errors`) and rows screened with a field left out
    (`warnings`), each with its row id: a book says which customer needs fixing."""
    out: dict[str, list[dict[str, str]]] = {"row_errors": [], "warnings": []}
    for row_id, screenable, message in rows:
        if message:
            kind = "warnings" if screenable else "row_errors"
            out[kind].append({"row_id": row_id, "message": message})
    return out


def _print_problems(problems: dict[str, list[dict[str, str]]], shown: int = 20) -> None:
    for kind, label in (("row_errors", "error"), ("warnings", "warning")):
        items = problems[kind]
        for item in items[:shown]:
            _err().print(f"  {label}: row {item['row_id']}: {item['message']}", markup=False)
        if len(items) > shown:
            _err().print(f"  ... and {len(items) - shown} more {label}s (--json lists all)")


def _runner(dask: str | None, workers: int | None, home: Path) -> Runner:
    from tradescreen.books.rescreen import in_process

    if dask is None:
        return in_process(workers)
    from tradescreen.books.dask_batch import dask_runner

    return dask_runner(dask, home / "dask-runs")


@book_app.command("rescreen")
@_errors
def rescreen_(
    name: Annotated[str, typer.Argument(help="Book name.")],
    delta: Annotated[bool, typer.Option(
        "--delta", help="Screen only against entries added or changed since the last rescreen."
    )] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Screen against the snapshots in force on this date (YYYY-MM-DD)."
    )] = None,
    dask: Annotated[str | None, typer.Option(
        "--dask", metavar="SCHEDULER_ADDRESS", help="Run on this Dask scheduler (tcp://...)."
    )] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Processes for in-process runs (default: all cores)."
    )] = None,
    json_output: JsonOpt = False,
) -> None:
    """Re-screen a book; alerts are every match/review result per row (no top-K cut)."""
    from tradescreen.books.asof import add_as_of, missing_at, parse_date
    from tradescreen.books.rescreen import rescreen
    from tradescreen.books.storage import BookStore
    from tradescreen.events import MemorySink
    from tradescreen.screen.party import Thresholds
    from tradescreen.store import open_store

    settings = load_settings()
    when = parse_date(as_of) if as_of else None
    thresholds = Thresholds(settings.match_threshold, settings.review_threshold)
    sink = MemorySink()
    with open_store(settings) as store:
        books = BookStore(store._conn)
        result = rescreen(
            store, books, settings.index_dir, name, now=_now(),
            thresholds=thresholds, delta=delta, as_of=when,
            runner=_runner(dask, workers, settings.home),
            actor=f"cli:{os.environ.get('USER', 'unknown')}", sink=sink,
            save=when is None,  # a look-back reports; it does not rewrite the book's alerts
        )
        stored = books.rows(name)
        queries = {r.row_id: r.query for r in stored} if sink.events else {}
        missing = missing_at(store, when) if when is not None else []
    problems = _problems((r.row_id, r.query is not None, r.error) for r in stored)
    from tradescreen.cli import audit

    # A look-back (--as-of) is recorded too, but opens no cases: it reports the past.
    audit.audit_rescreen(settings, result, sink.events if when is None else [], queries,
                         as_of=as_of)
    if json_output:
        data = {**result.to_dict(with_alerts=result.mode == "full"), **problems}
        _json(add_as_of(data, missing, when) if when is not None else data)
        return
    for m in missing if when is not None else []:
        _err().print(f"[bold yellow]warning:[/] {escape(m.message(when))}", soft_wrap=True)
    ch = result.changes
    why = f" ({result.reason})" if result.reason else ""
    _err().print(
        f"book {name}: {result.mode} re-screen of {result.rows} rows in {result.seconds:.1f} s "
        f"against {', '.join(result.snapshots)}{why}"
    )
    _err().print(f"  {len(result.alerts)} alerts: {len(ch.new)} new, {len(ch.removed)} removed, "
                 f"{len(ch.updated)} updated, {ch.unchanged} unchanged")
    for label, alerts in (("new", ch.new), ("removed", ch.removed), ("updated", ch.updated)):
        for a in alerts[:50]:
            _err().print(f"  {label:<8}{a.row_id}  {a.decision:<6} {a.score:.3f}  "
                         f"{a.source} {a.source_id}  {a.caption}")
    if problems["row_errors"] or problems["warnings"]:
        _err().print(f"  {len(problems['row_errors'])} rows not screened, "
                     f"{len(problems['warnings'])} screened with fields left out:")
        _print_problems(problems)


@book_app.command("alerts")
@_errors
def alerts_(
    name: Annotated[str, typer.Argument(help="Book name.")],
    json_output: JsonOpt = False,
) -> None:
    """The book's current alerts (as of its last rescreen)."""
    from tradescreen.books.storage import BookStore
    from tradescreen.index.cache import load_index
    from tradescreen.screen.listings import HitGrouper
    from tradescreen.store import open_store

    settings = load_settings()
    with open_store(settings) as store:
        books = BookStore(store._conn)
        info = books.require(name)
        stored = books.alerts(name)
        # One alert per row and listed party, its listings inside (the store keeps them per
        # listing so that a delta re-screen stays exact).
        grouper = None
        if stored and info.snapshots:
            grouper = HitGrouper(load_index(store, settings.index_dir, list(info.snapshots)))
    by_row: dict[str, list[dict[str, Any]]] = {}
    for a in stored:
        by_row.setdefault(a.row_id, []).append(a.to_dict())
    alerts = [hit for hits in by_row.values()
              for hit in (grouper.group(hits) if grouper is not None else hits)]
    if json_output:
        _json({"book": name, "snapshot": list(info.snapshots or ()), "alerts": alerts})
        return
    for a in alerts:
        more = f"\t+{len(a['listings']) - 1} listings" if len(a.get("listings", ())) > 1 else ""
        print(f"{a['row_id']}\t{a['decision']}\t{a['score']:.4f}\t{a['source']}\t"
              f"{a['source_id']}\t{a['caption']}{more}")
