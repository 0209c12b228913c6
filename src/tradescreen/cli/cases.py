"""`tradescreen cases list|show|decide|approve`: alerts and four-eyes decisions."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from tradescreen.cases import decisions
from tradescreen.cases.alerts import (
    STATUSES,
    Alert,
    AlertFilter,
    count_alerts,
    get_alert,
    list_alerts,
)
from tradescreen.cases.decisions import CaseError
from tradescreen.cli.app import app
from tradescreen.cli.audit import acting_user, errors, open_log
from tradescreen.cli.output import err
from tradescreen.config import load_settings

cases_app = typer.Typer(help="Alerts from screenings: review, decide, approve.",
                        no_args_is_help=True)
app.add_typer(cases_app, name="cases")

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
KeyOpt = Annotated[
    str | None,
    typer.Option("--key", help="Your API key with the cases scope (default: "
                 "$TRADESCREEN_API_KEY); its name is the acting user."),
]
UserOpt = Annotated[
    str | None,
    typer.Option("--user", help="Optional check: must equal the key's name (a typed name alone "
                 "proves nothing and is refused)."),
]
def _out() -> Console:
    console = Console(highlight=False)
    return console if console.is_terminal else Console(highlight=False, width=200)


def _print_json(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def _alert_dict(log: Any, alert: Alert, *, full: bool) -> dict[str, Any]:
    data = alert.to_dict()
    current = decisions.get_decision(log, alert.decision_id)
    data["decision"] = current.to_dict() if current else None
    if full:
        data["history"] = [d.to_dict() for d in decisions.history(log, alert.id)]
    else:
        data.pop("explanation")
    return data


@cases_app.command("list")
@errors
def list_(
    status: Annotated[
        str | None, typer.Option("--status", help="open, decided, final or suppressed.")
    ] = None,
    book: Annotated[str | None, typer.Option(
        "--book", help="Only alerts raised by `book rescreen` of this book.")] = None,
    source: Annotated[str | None, typer.Option(
        "--source", help="Only alerts on this list (us_ofac_sdn, un_sc, ...).")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="Raised on or after this date (YYYY-MM-DD) or ISO time.")] = None,
    until: Annotated[str | None, typer.Option(
        "--until", help="Raised on or before this date (the whole day) or ISO time.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="Alerts per page.")] = 1000,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many alerts first.")] = 0,
    page: Annotated[int | None, typer.Option(
        min=1, help="Page number (1 = first), pages of --limit alerts; instead of --offset."
    )] = None,
    json_output: JsonOpt = False,
) -> None:
    """List alerts, oldest first, one page at a time; says how many match in all.

    The JSON output is the page (an array); the total and the next page are said on stderr.
    """
    if status is not None and status not in STATUSES:
        raise CaseError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    if page is not None:
        if offset:
            raise CaseError("give --page or --offset, not both")
        offset = (page - 1) * limit
    try:
        where = AlertFilter(status=status, book=book, source=source, since=since, until=until)
        where.where()
    except ValueError as exc:
        raise CaseError(str(exc)) from None
    sink, log = open_log(load_settings())
    with sink, log.db.read():
        total = count_alerts(log.db, where)
        rows = [_alert_dict(log, a, full=False)
                for a in list_alerts(log.db, limit=limit, offset=offset, where=where)]
    summary = _page_summary(len(rows), offset, total, limit)
    if json_output:
        _print_json(rows)
        err().print(summary)
        return
    if not rows:
        _out().print(summary)
        return
    table = Table(title=f"Alerts {summary}")
    for col in ("id", "status", "band", "score", "query", "list entry", "book row", "decision"):
        table.add_column(col, justify="right" if col in ("id", "score") else "left")
    for r in rows:
        d = r["decision"]
        table.add_row(
            str(r["id"]), r["status"], r["band"], f"{r['score']:.3f}", r["query"].get("name", ""),
            f"{r['source']} {r['source_id']} {r['caption']}",
            f"{r['book']} {r['row_id']}" if r["book"] else "",
            f"{d['decision']} by {d['decided_by']}" if d else "-",
        )
    _out().print(table)


def _page_summary(shown: int, offset: int, total: int, limit: int) -> str:
    if not shown:
        return f"no alerts at offset {offset} ({total} match)" if total else "no alerts"
    text = f"{offset + 1}-{offset + shown} of {total}"
    if offset + shown < total:
        text += f"; next page: --offset {offset + shown} (or --page {offset // limit + 2})"
    return text


@cases_app.command("show")
@errors
def show(
    alert_id: Annotated[int, typer.Argument(help="Alert id.")],
    json_output: JsonOpt = False,
) -> None:
    """One alert with its query, list entry, explanation and decision history."""
    sink, log = open_log(load_settings())
    with sink:
        alert = get_alert(log.db, alert_id)
        if alert is None:
            raise CaseError(f"no alert {alert_id}")
        data = _alert_dict(log, alert, full=True)
    if json_output:
        _print_json(data)
        return
    out = _out()
    q = data["query"]
    out.print(f"[bold]alert {data['id']}[/] {data['status']}  ({data['band']}, score "
              f"{data['score']:.3f})")
    out.print(f"  query     {q.get('name')} ({q.get('schema')})  key {data['query_key'][:16]}")
    out.print(f"  entry     {data['source']} {data['source_id']} {data['caption']}")
    out.print(f"  snapshot  {data['snapshot']}  entry hash {data['content_hash'][:16]}")
    if data.get("party"):
        # One listed party on several lists: the decision covers every listing.
        out.print(f"  party     {data['party']}  ({len(data['listings'])} listings)",
                  markup=False)
        for li in data["listings"]:
            out.print(f"            {li['source']} {li['source_id']} {li.get('caption') or ''}",
                      markup=False)
    out.print(f"  raised    {data['created_at']} by screening record {data['screening_seq']}, "
              f"seen {data['hits']}x")
    if data["suppressed_by"]:
        out.print(f"  suppressed by alert {data['suppressed_by']}'s cleared false positive")
    for f in data["explanation"]:
        if f.get("feature") != "prior" and abs(f.get("weight", 0)) >= 0.3:
            out.print(f"  {f['weight']:+5.1f}  {f['feature']}: {f.get('label', '')}",
                      markup=False)
    for d in data["history"]:
        approved = f", approved by {d['approved_by']}" if d["approved_by"] else ""
        out.print(f"  {d['decided_at']} {d['decision']} by {d['decided_by']}{approved}: "
                  f"{d['reason']}", markup=False)


@cases_app.command("decide")
@errors
def decide(
    alert_id: Annotated[int, typer.Argument(help="Alert id.")],
    decision: Annotated[str, typer.Argument(help="true_match, false_positive or escalate.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (mandatory).")],
    key: KeyOpt = None,
    user: UserOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Record a decision; final at once unless its type needs a second user's approval.

    The acting user is the name of the API key given (--key or $TRADESCREEN_API_KEY), which
    needs the cases scope."""
    settings = load_settings()
    actor = acting_user(settings, key, user, "cases")
    sink, log = open_log(settings)
    with sink:
        alert, made = decisions.decide(
            log, alert_id, decision, reason, actor, settings.four_eyes
        )
    if json_output:
        _print_json({"alert": alert.to_dict(), "decision": made.to_dict()})
        return
    tail = "final" if alert.status == "final" else "awaiting approval by another user"
    _out().print(f"alert {alert_id}: {made.decision} by {made.decided_by}, {tail}")


@cases_app.command("approve")
@errors
def approve(
    alert_id: Annotated[int, typer.Argument(help="Alert id.")],
    key: KeyOpt = None,
    user: UserOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Approve another user's decision (four-eyes); the decision becomes final.

    The approver is the name of the API key given (--key or $TRADESCREEN_API_KEY, cases
    scope): a key that decided an alert cannot approve it."""
    settings = load_settings()
    actor = acting_user(settings, key, user, "cases")
    sink, log = open_log(settings)
    with sink:
        alert, made = decisions.approve(log, alert_id, actor)
    if json_output:
        _print_json({"alert": alert.to_dict(), "decision": made.to_dict()})
        return
    _out().print(f"alert {alert_id}: {made.decision} by {made.decided_by} approved by "
                 f"{made.approved_by}, final")
