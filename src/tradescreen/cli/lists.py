"""`tradescreen lists ...`: import, status, diff, fetch, export.

Machine output (`--json`) goes to stdout alone; messages, progress and errors go to stderr, so
`tradescreen lists status --json | jq` always gets clean JSON. Errors exit 1 with one line naming
what failed and why (usage errors exit 2, as Typer does); set TRADESCREEN_DEBUG=1 for tracebacks.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from tradescreen.cases.record import import_event
from tradescreen.cli import audit
from tradescreen.cli.app import app
from tradescreen.cli.output import err as _err
from tradescreen.cli.output import errors as _errors
from tradescreen.cli.output import fail as _fail
from tradescreen.cli.output import out as _out
from tradescreen.cli.output import print_json as _print_json
from tradescreen.config import load_settings
from tradescreen.sources.base import SourceError
from tradescreen.sources.fetch import FetchError
from tradescreen.store import ImportResult, Snapshot, StoreError, open_store

lists_app = typer.Typer(help="Manage official sanctions lists.", no_args_is_help=True)
app.add_typer(lists_app, name="lists")

# Test hook (used only by the kill -9 test): after this many rows written, the importer announces
# itself on stderr and sleeps, so the test can kill it mid-transaction deterministically.
PAUSE_HOOK_ENV = "TRADESCREEN_TEST_PAUSE_AFTER_ROWS"
PAUSE_HOOK_MESSAGE = "test hook: paused after"


JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


def _interactive(json_output: bool) -> bool:
    # Progress only for a person at a terminal; logs and pipes get the result alone.
    return not json_output and sys.stdout.isatty() and _err().is_terminal


def _new_bar(*columns: Any) -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), *columns, TimeElapsedColumn(),
        console=_err(), transient=True,
    )


@contextlib.contextmanager
def _row_progress(
    show: bool, label: str, bar: Progress | None = None, *, pause_hook: bool = True
) -> Iterator[Callable[[int, int], None]]:
    """A progress callback for the store; a bar on a terminal, plus the kill -9 test hook.

    `bar` lets a caller that already shows a progress display (fetch) add the task to it: rich
    allows only one live display at a time.
    """
    # The hook pauses only where rows are written inside the store's transaction.
    pause_after = int(os.environ.get(PAUSE_HOOK_ENV) or 0) if pause_hook else 0
    paused = False

    def hook(done: int, total: int) -> None:
        nonlocal paused
        if pause_after and not paused and done >= pause_after:
            paused = True
            sys.stderr.write(f"{PAUSE_HOOK_MESSAGE} {done} rows\n")
            sys.stderr.flush()
            time.sleep(float(os.environ.get("TRADESCREEN_TEST_PAUSE_SECONDS", "60")))

    if not show:
        yield hook
        return
    own = bar is None
    display = bar if bar is not None else _new_bar(MofNCompleteColumn())
    task: Any = None

    def update(done: int, total: int) -> None:
        nonlocal task
        # Started on the first row, not before: the "reading" spinner owns the terminal until then.
        if task is None:
            task = display.add_task(label, total=total)
            if own:
                display.start()
        display.update(task, completed=done, total=total)
        hook(done, total)

    try:
        yield update
    finally:
        if own:
            display.stop()


def _import_table(result: ImportResult) -> Table:
    snap = result.snapshot
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("status", result.status)
    table.add_row("source", snap.source)
    table.add_row("snapshot", snap.id)
    table.add_row("published", snap.published or "-")
    table.add_row("entities", f"{snap.entity_count:,}")
    table.add_row("format", snap.format)
    if encodings := result.extra.get("encoding"):
        table.add_row("encoding", ", ".join(f"{c} ({n})" for n, c in sorted(encodings.items())))
    if result.status == "imported" and not snap.active:
        table.add_row("active", "no (published before the active snapshot)")
    if result.replaced:
        table.add_row("replaced", result.replaced)
    if "base_snapshot" in result.extra:
        # An OFAC add/alt/comments supplement: say whose primary file it was read with and what
        # could not be attached, since those rows are not in the snapshot.
        table.add_row("primary from", result.extra["base_snapshot"])
        orphans = {k: n for k, n in (result.extra.get("orphans") or {}).items() if n}
        counts = ", ".join(f"{n:,} in {name}" for name, n in sorted(orphans.items()))
        table.add_row(
            "orphans", f"ent_nums without a primary record: {counts}" if counts else "none"
        )
    _add_read_counts(table, result.extra)
    for name, digest in sorted(snap.files.items()):
        table.add_row(name, digest)
    return table


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{schema} {n:,}" for schema, n in counts.items()) or "none"


def _add_read_counts(table: Table, extra: dict[str, Any]) -> None:
    """What an FtM reader kept per schema and why it dropped any record."""
    if "kept" in extra:
        table.add_row("kept", _counts(extra["kept"]))
    if extra.get("named_from_parts"):
        table.add_row("named from parts", f"{extra['named_from_parts']:,} (no name property)")
    if extra.get("folded"):
        table.add_row("folded in", _counts(extra["folded"]))
    if extra.get("duplicate_ids"):
        shown = ", ".join(f"{d['id']} ({d['first']}, {d['again']})"
                          for d in extra["duplicates"][:5])
        more = " ..." if extra["duplicate_ids"] > 5 else ""
        table.add_row(
            "duplicate ids", f"{extra['duplicate_ids']:,} merged as fragments: {shown}{more}"
        )
    for drop in extra.get("dropped") or ():
        ids = ", ".join(drop["ids"]) + (" ..." if drop["count"] > len(drop["ids"]) else "")
        table.add_row("dropped", f"{drop['schema']} {drop['count']:,}: {drop['reason']} ({ids})")


@lists_app.command("import")
@_errors
def import_(
    path: Annotated[Path, typer.Argument(help="A list file, or a folder of one list's files.")],
    format: Annotated[
        str | None, typer.Option("--format", "-f", help="Reader format; detected if omitted.")
    ] = None,
    published: Annotated[str | None, typer.Option(
        "--published", metavar="DATE",
        help="Publication date (YYYY-MM-DD) of a list whose files state none (OFAC CSV); "
        "point-in-time screening (--as-of) dates the snapshot by it.",
    )] = None,
    allow_shrink: Annotated[bool, typer.Option(
        "--allow-shrink",
        help="Activate a list that lost more than 10 % of the active snapshot's entities "
        "(refused by default: usually a truncated file).",
    )] = False,
    json_output: JsonOpt = False,
) -> None:
    """Import an official list file (or folder) as a new snapshot; identical content is a no-op."""
    from tradescreen.store.importer import import_path

    day = _published_date(published) if published is not None else None
    settings = load_settings()
    show = _interactive(json_output)
    spinner = _err().status(f"reading {path} ...") if show else None
    # One display for both phases (rich shows one live display at a time): entities prepared
    # (serialised, hashed, checked on disk), then rows written in the store's transaction.
    bar = _new_bar(MofNCompleteColumn()) if show else None

    def on_read(_read: object) -> None:
        if spinner is not None:
            spinner.stop()
        if bar is not None:
            bar.start()

    with (
        _row_progress(show, f"preparing {path.name}", bar, pause_hook=False) as prepared,
        _row_progress(show, f"storing {path.name}", bar) as progress,
    ):
        if spinner is not None:
            spinner.start()
        try:
            result = import_path(
                settings, path, format, progress=progress, prepare_progress=prepared,
                on_read=on_read, published=day, allow_shrink=allow_shrink,
            )
        finally:
            if spinner is not None:
                spinner.stop()
            if bar is not None:
                bar.stop()
    audit.record(
        settings, import_event(result, audit.current_user(), allow_shrink=allow_shrink)
    )
    if json_output:
        _print_json(result.to_dict())
    else:
        _out().print(_import_table(result))
        for warning in result.extra.get("warnings", []):
            _err().print(f"[bold yellow]warning:[/] {escape(warning)}", soft_wrap=True)


def _published_date(value: str) -> str:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise SourceError(f"--published {value!r} is not a date (YYYY-MM-DD)") from None
    if day > datetime.now(UTC).date():
        raise SourceError(f"--published {day} is in the future")
    return day.isoformat()


def _status_table(snaps: list[Snapshot]) -> Table:
    table = Table(title="Active list snapshots")
    for col in ("source", "snapshot", "published", "entities", "imported at", "format"):
        table.add_column(col, justify="right" if col == "entities" else "left")
    for s in snaps:
        table.add_row(
            s.source, s.id, s.published or "-", f"{s.entity_count:,}", s.imported_at, s.format
        )
    return table


@lists_app.command("status")
@_errors
def status(json_output: JsonOpt = False) -> None:
    """Show the active snapshot of every imported list."""
    with open_store(load_settings()) as store:
        snaps = store.active_snapshots()
    if json_output:
        _print_json([s.to_dict() for s in snaps])
    elif not snaps:
        _out().print("No lists imported yet: run `tradescreen lists import PATH` or `lists fetch`.")
    else:
        _out().print(_status_table(snaps))


def _resolve_diff(store: Any, source: str, from_id: str | None, to_id: str | None) -> tuple:
    history: list[Snapshot] = store.snapshots(source)
    if not history:
        known = ", ".join(sorted(store.sources())) or "none"
        raise StoreError(f"no snapshots of {source!r} (imported lists: {known})")
    by_id = {s.id: s for s in history}
    for sid in (from_id, to_id):
        if sid is not None and sid not in by_id:
            raise StoreError(f"{sid!r} is not a snapshot of {source}")
    if to_id is None:
        active = next((s for s in history if s.active), history[-1])
        to_id = active.id
    if from_id is None:
        position = [s.id for s in history].index(to_id)
        if position == 0:
            raise StoreError(f"{to_id} is the first snapshot of {source}: nothing to diff against")
        from_id = history[position - 1].id
    return from_id, to_id


@lists_app.command("diff")
@_errors
def diff(
    source: Annotated[str, typer.Argument(help="List id, e.g. us_ofac_sdn.")],
    from_id: Annotated[
        str | None, typer.Option("--from", help="Older snapshot (default: the one before --to).")
    ] = None,
    to_id: Annotated[
        str | None, typer.Option("--to", help="Newer snapshot (default: the active one).")
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """Entities added, removed and changed between two snapshots of a list."""
    with open_store(load_settings()) as store:
        from_id, to_id = _resolve_diff(store, source, from_id, to_id)
        result = store.diff(from_id, to_id)
    if json_output:
        _print_json({"source": source, **result.to_dict()})
        return
    out = _out()
    out.print(
        f"[bold]{source}[/]: {from_id} → {to_id}: {len(result.added)} added, "
        f"{len(result.removed)} removed, {len(result.changed)} changed"
    )
    for title, items in (("added", result.added), ("removed", result.removed),
                         ("changed", result.changed)):
        if not items:
            continue
        table = Table(title=title, title_justify="left")
        table.add_column("source_id", justify="right")
        table.add_column("schema")
        table.add_column("caption")
        for item in items:
            table.add_row(item.source_id, item.schema, item.caption)
        out.print(table)


@lists_app.command("fetch")
@_errors
def fetch(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Lists to fetch (default: all default ones).", show_default=False),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", envvar="TRADESCREEN_FETCH_BASE_URL",
            help="Replace scheme and host of the official URLs (a mirror).",
        ),
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """Download lists from their official URLs (conditional requests) and import what changed."""
    from tradescreen.sources import fetch as fetching
    from tradescreen.store.importer import fetch_and_import

    settings = load_settings()
    chosen = fetching.targets(names or [])
    show = _interactive(json_output)
    outcomes: list[dict[str, Any]] = []
    failed = 0
    bar = _new_bar(DownloadColumn()) if show else None
    with fetching.new_client() as client, bar or contextlib.nullcontext():
        for target in chosen:
            try:
                with _row_progress(show, f"{target.name}: storing", bar) as progress:
                    outcome = fetch_and_import(
                        settings, target, client=client, base_url=base_url,
                        download_progress=_download_progress(bar, target.name),
                        progress=progress,
                    )
                if outcome.result is not None:
                    audit.record(settings, import_event(outcome.result, audit.current_user()))
                outcomes.append(outcome.to_dict())
            except (SourceError, StoreError, FetchError) as exc:
                # One list failing must not stop the others (nightly jobs fetch them all).
                failed += 1
                message = f"[bold red]error:[/] {target.name}: {exc}"
                (bar.console if bar else _err()).print(message, soft_wrap=True)
                outcomes.append({"target": target.name, "status": "error", "error": str(exc)})
    if json_output:
        _print_json(outcomes)
    else:
        _out().print(_fetch_table(outcomes))
    if failed:
        raise typer.Exit(1)


def _download_progress(bar: Progress | None, label: str) -> Any:
    if bar is None:
        return None
    tasks: dict[str, Any] = {}

    def update(name: str, done: int, total: int | None) -> None:
        if name not in tasks:
            tasks[name] = bar.add_task(f"{label}/{name}", total=total)
        bar.update(tasks[name], completed=done, total=total)

    return update


def _fetch_table(outcomes: list[dict[str, Any]]) -> Table:
    table = Table(title="Fetch")
    for col in ("list", "status", "snapshot", "entities", "files"):
        table.add_column(col)
    for o in outcomes:
        counts = Counter(f["status"].replace("_", " ") for f in o.get("files", []))
        files = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        table.add_row(
            o["target"], o["status"].replace("_", " "), o.get("snapshot", "-"),
            f"{o['entities']:,}" if "entities" in o else "-", files or o.get("error", ""),
        )
    return table


@lists_app.command("export")
@_errors
def export(
    format: Annotated[str, typer.Option("--format", help="Output format (ftm).")] = "ftm",
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Only these lists (repeatable).")
    ] = None,
    out: Annotated[str, typer.Option("--out", "-o", help="Output file, or - for stdout.")] = "-",
) -> None:
    """Export the active snapshots as FollowTheMoney JSON lines."""
    if format != "ftm":
        _err().print(f"[bold red]error:[/] unknown export format {format!r} (known: ftm)")
        raise typer.Exit(2)
    try:
        from tradescreen.ftm import write_ftm_lines
    except ImportError as exc:
        raise _fail(f"FtM export is not available in this build ({exc})") from None
    settings = load_settings()
    with open_store(settings) as store:
        snaps = store.active_snapshots()
        if source:
            unknown = sorted(set(source) - {s.source for s in snaps})
            if unknown:
                raise StoreError(f"no active snapshot for {', '.join(unknown)}")
            snaps = [s for s in snaps if s.source in set(source)]

        def entities() -> Iterator[Any]:
            for snap in snaps:
                yield from store.iter_entities(snap.id)

        if out == "-":
            write_ftm_lines(entities(), sys.stdout)
            sys.stdout.flush()
        else:
            with _atomic_text(Path(out)) as fh:
                write_ftm_lines(entities(), fh)
    if out != "-":
        total = sum(s.entity_count for s in snaps)
        _err().print(f"wrote {total:,} entities from {len(snaps)} list(s) to {out}")


@contextlib.contextmanager
def _atomic_text(path: Path) -> Iterator[IO[str]]:
    # A partial export never replaces a complete one.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise



# `lists clusters` lives in its own module; registered with the rest of `lists`.
from tradescreen.cli import clusters as _clusters  # noqa: E402,F401
