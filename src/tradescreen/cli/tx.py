"""`tradescreen screen-tx` (whole transactions) and `tradescreen controls` (reference data)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from tradescreen.cli.app import app
from tradescreen.cli.audit import audit_transactions, current_user
from tradescreen.cli.output import errors as _errors
from tradescreen.cli.output import fail as _fail
from tradescreen.cli.screen import load_screener
from tradescreen.config import load_settings
from tradescreen.controls import ControlsError, import_controls, list_controls, load_controls
from tradescreen.events import EventSink, MemorySink
from tradescreen.index.records import Record
from tradescreen.model import Relation
from tradescreen.screen.inputs import InputError
from tradescreen.screen.policy import PolicyError, load_policy
from tradescreen.screen.tx import TxScreener
from tradescreen.screen.tx_model import TxInputError, parse_transaction
from tradescreen.store import open_store

controls_app = typer.Typer(help="Export-control reference data (CHPL, UAV items, red flags, "
                           "jurisdictions, ports) as versioned snapshots.", no_args_is_help=True)
app.add_typer(controls_app, name="controls")


def _guard(func):  # type: ignore[no-untyped-def]
    """Controls and policy errors are expected input errors too: one line, exit 1."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ControlsError, PolicyError) as exc:
            raise _fail(str(exc)) from None

    return wrapper


@controls_app.command("import")
@_errors
@_guard
def controls_import(
    path: Annotated[Path, typer.Argument(help="Folder with chpl.yaml, red_flags.yaml, ...")],
    json_output: Annotated[bool, typer.Option("--json", help="Machine-readable JSON.")] = False,
) -> None:
    """Import a folder of control YAML files as the active controls snapshot.

    Every file is parsed and checked first: a malformed file is refused and nothing changes.
    Importing the same content again is a no-op (`unchanged`).
    """
    result = import_controls(load_settings().home, path)
    if json_output:
        sys.stdout.write(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    console = Console(highlight=False)
    console.print(f"{result['status']}: {result['id']}"
                  + (f" (replaces {result['replaced']})" if result.get("replaced") else ""))
    for name, digest in sorted(result["files"].items()):
        console.print(f"  {name:<30} {digest}")


@controls_app.command("status")
@_errors
@_guard
def controls_status(
    json_output: Annotated[bool, typer.Option("--json", help="Machine-readable JSON.")] = False,
) -> None:
    """List the stored controls snapshots; the active one is marked."""
    rows = list_controls(load_settings().home)
    if json_output:
        sys.stdout.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    if not rows:
        Console(stderr=True).print("no controls imported: run `tradescreen controls import PATH`")
        return
    table = Table("active", "snapshot", "imported_at", "files")
    for row in rows:
        table.add_row("*" if row["active"] else "", row["id"], row["imported_at"],
                      str(len(row["files"])))
    Console().print(table)


def read_transactions(path: Path) -> tuple[list[Any], bool]:
    """(decoded items, whether the input held many): one object, an array, or JSON lines."""
    raw = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    # JSON is UTF-8 (RFC 8259); a Latin-1 file decoded with replacement screened names full of
    # U+FFFD and answered "clear". UTF-16/32 with a byte-order mark are read; anything else is
    # refused with the place of the first bad byte.
    import codecs

    encoding = next((enc for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"),
                                          (codecs.BOM_UTF32_BE, "utf-32"),
                                          (codecs.BOM_UTF16_LE, "utf-16"),
                                          (codecs.BOM_UTF16_BE, "utf-16"))
                     if raw.startswith(bom)), "utf-8-sig")
    try:
        text = raw.decode(encoding).strip()
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}: not {'UTF-8' if encoding == 'utf-8-sig' else encoding.upper()} (byte "
            f"{raw[exc.start]:#04x} on line {line}, offset {exc.start}); "
            "JSON input must be UTF-8: convert it first, e.g. iconv -f latin1 -t utf-8"
        ) from None
    if not text:
        raise InputError(f"{path}: empty input")
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        data = None
        if not text.startswith(("{", "[")):
            raise InputError(
                f"{path}: not JSON (a transaction object, an array or JSON lines): {exc}"
            ) from None
    if isinstance(data, dict):
        return [data], False
    if isinstance(data, list):
        return data, True
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            raise InputError(f"{path}: line {number}: invalid JSON ({exc})") from None
    return items, True


def build_tx_screener(controls: Path | None, policy: Path | None,
                      store: Any, sink: EventSink | None = None) -> TxScreener:
    settings = load_settings()
    folder = controls or (Path(os.environ["TRADESCREEN_CONTROLS"])
                          if os.environ.get("TRADESCREEN_CONTROLS") else None)
    reference = load_controls(settings.home, folder)
    pol = load_policy(policy)
    screener = load_screener(settings)
    titles = {s.source: s.title for s in store.active_snapshots() if s.title}

    @lru_cache(maxsize=65536)
    def relations(record: Record) -> tuple[Relation, ...]:
        entity = store.entity(record.snapshot, record.source_id)
        return entity.relations if entity is not None else ()

    try:
        actor = f"cli:{current_user()}"
    except OSError:
        actor = "cli"
    return TxScreener(screener, reference, pol, relations=relations, list_titles=titles,
                      actor=actor, sink=sink)


def _report(console: Console, data: dict[str, Any]) -> None:
    style = {"block": "bold red", "review": "bold yellow", "clear": "bold green"}
    if data.get("error"):
        console.print(f"[bold red]error[/] item {data.get('index')}: {data['error']}")
        return
    console.print(f"[{style[data['decision']]}]{data['decision'].upper()}[/]  "
                  f"transaction {data['id'] or '(no id)'}")
    for party in data["parties"]:
        top = party["matches"][0] if party["matches"] else None
        hit = (f" -> {top['caption']} ({top['source']} {top['source_id']}, {top['score']:.2f})"
               if top else "")
        console.print(f"  party  {party['decision']:<6} {party['role']:<22} {party['name']}{hit}",
                      markup=False)
    for r in data["reasons"]:
        if r["severity"] == "info":
            continue
        colour = "red" if r["severity"] == "block" else "yellow"
        console.print(f"  [{colour}]{r['severity']:<6}[/] {r['check']}/{r['code']}: ", end="")
        console.print(r["text"], markup=False)
        c = r["citation"] or {}
        console.print(f"{'':9}source: {c.get('source')} — {c.get('title')} <{c.get('url')}>",
                      markup=False)
    info = [r for r in data["reasons"] if r["severity"] == "info"]
    if info:
        console.print(f"  [dim]{len(info)} informational finding(s): "
                      + ", ".join(f"{r['check']}/{r['code']}" for r in info) + "[/]")


def _results(items: list[Any], tx: TxScreener, workers: int | None) -> Iterator[dict[str, Any]]:
    # Forking pays off only for a batch; one transaction stays in this process.
    count = workers or (os.cpu_count() or 1)
    yield from tx.screen_many(items, workers=count if len(items) >= 200 else 1)


@app.command("screen-tx")
@_errors
@_guard
def screen_tx(
    input_path: Annotated[Path, typer.Argument(
        metavar="FILE.json", help="A transaction object, a JSON array of them, or JSON lines "
        "('-' reads stdin).")],
    json_output: Annotated[bool, typer.Option(
        "--json", help="JSON: one object for one transaction, JSON lines for many.")] = False,
    controls: Annotated[Path | None, typer.Option(
        "--controls", help="Read control data from this folder instead of the active snapshot "
        "(also $TRADESCREEN_CONTROLS).")] = None,
    policy: Annotated[Path | None, typer.Option(
        "--policy", help="Policy YAML (default: the packaged conservative policy).")] = None,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", help="Exit 2 when any decision is at least this: review or block.")] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Processes for a batch of 200 or more (default: all cores).")] = None,
) -> None:
    """Screen whole transactions: parties, 50 % ownership, goods, route, red flags.

    Output per transaction: decision (clear / review / block), reasons with citations, parties,
    snapshot. A malformed transaction is an error naming the field (JSON pointer), exit 1.
    """
    if fail_on not in (None, "review", "block"):
        raise InputError("--fail-on: use review or block")
    if str(input_path) != "-" and not input_path.is_file():
        raise InputError(f"{input_path}: no such file")
    items, many = read_transactions(input_path)
    if not many:
        parse_transaction(items[0])  # fail fast, before loading anything, on a bad single one
    settings = load_settings()
    # Screened transactions are recorded like every other screening (one audit record for
    # one transaction, one for a whole batch); a screening that cannot be recorded fails.
    screened = MemorySink()
    with open_store(settings) as store:
        tx = build_tx_screener(controls, policy, store, screened)
        console = Console(highlight=False, soft_wrap=True)
        errors, worst = 0, 0
        out = sys.stdout
        results = _results(items, tx, workers)
        if not many:
            results = iter(list(results))  # recorded before anything is shown
            if screened.events:
                audit_transactions(settings, screened.events)
        for data in results:
            if data.get("error"):
                errors += 1
                if not many:
                    raise TxInputError(data["field"], data["error"].split(": ", 1)[1])
            else:
                worst = max(worst, {"clear": 0, "review": 1, "block": 2}[data["decision"]])
            if json_output:
                option = orjson.OPT_INDENT_2 if not many else 0
                out.write(orjson.dumps(data, option=option).decode() + "\n")
            else:
                _report(console, data)
    if many:
        audit_transactions(settings, screened.events, file=input_path, items=len(items))
    if errors:
        raise _fail(f"{errors} of {len(items)} transactions are malformed (see their `error`)")
    if fail_on and worst >= {"review": 1, "block": 2}[fail_on]:
        raise typer.Exit(2)
