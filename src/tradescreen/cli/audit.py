"""`tradescreen audit verify|export|purge`, and the helpers other commands use to record events.

Recording is not optional: a command whose audit record cannot be written fails (exit 1), so
nothing happens unrecorded without somebody seeing an error.
"""

from __future__ import annotations

import getpass
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from tradescreen.cases import chain
from tradescreen.cases.audit import AuditLog, config_hash, open_sink, utc_now
from tradescreen.cli.app import app
from tradescreen.cli.output import err, errors, fail
from tradescreen.config import Settings, load_settings
from tradescreen.events import Event

audit_app = typer.Typer(help="Verify and export the tamper-evident audit log.",
                        no_args_is_help=True)
app.add_typer(audit_app, name="audit")



def current_user() -> str:
    """The acting user: $TRADESCREEN_USER, else the operating-system login."""
    return os.environ.get("TRADESCREEN_USER") or getpass.getuser()


KEY_ENV = "TRADESCREEN_API_KEY"


def acting_user(settings: Settings, key: str | None, user: str | None, scope: str) -> str:
    """The user an action that changes a case or the audit log is recorded under: the name of
    a live API key with `scope`, as `key:<name>`, exactly as the API records it, so four-eyes
    holds across CLI and API.

    A typed --user is no identity (anyone can type anyone's name): without a key the action
    is refused, and a --user that differs from the key's name is refused too."""
    from tradescreen.cases.decisions import CaseError
    from tradescreen.store.keys import KeyStore

    secret = (key or os.environ.get(KEY_ENV) or "").strip()
    if not secret:
        raise CaseError(
            f"this action needs your API key with the {scope} scope: pass --key or set "
            f"${KEY_ENV} (an operator creates it with `tradescreen keys create NAME --scope "
            f"{scope}`); --user alone does not identify anyone"
        )
    with KeyStore(settings) as keys:
        found = keys.verify(secret)
    if found is None:
        raise CaseError("unknown or revoked API key")
    if not found.allows(scope):
        raise CaseError(f"key {found.name!r} lacks the {scope} scope "
                        f"(it has: {', '.join(sorted(found.scopes))})")
    if user is not None and user.strip() not in (found.name, f"key:{found.name}"):
        raise CaseError(f"--user {user!r} is not the name of the key given ({found.name!r}): "
                        "the key decides who acts")
    return f"key:{found.name}"


def record(settings: Settings, event: Event) -> None:
    """Write one event to the audit log (screenings also raise alerts)."""
    with open_sink(settings) as sink:
        sink.emit(event)


def open_log(settings: Settings) -> tuple[Any, AuditLog]:
    sink = open_sink(settings)
    return sink, sink.log()


@audit_app.command("verify")
@errors
def verify(
    file: Annotated[
        Path | None, typer.Option("--file", help="Verify an exported JSON-lines file instead.")
    ] = None,
) -> None:
    """Re-compute the hash chain; exit 1 naming the first altered, deleted or reordered record."""
    if file is not None:
        with file.open("rb") as fh:
            verdict = chain.verify(orjson.loads(line) for line in fh if line.strip())
    else:
        sink, log = open_log(load_settings())
        with sink:
            verdict = log.verify()
    if verdict.ok:
        print(verdict.message())
        return
    raise fail(verdict.message())


@audit_app.command("export")
@errors
def export(
    out: Annotated[str, typer.Option("--out", "-o", help="Output file, or - for stdout.")] = "-",
) -> None:
    """Write every audit record as JSON lines (all stored fields, in chain order)."""
    sink, log = open_log(load_settings())
    with sink:
        if out == "-":
            count = log.export(sys.stdout)
            sys.stdout.flush()
        else:
            path = Path(out)
            tmp = path.with_name(path.name + ".part")
            with tmp.open("w", encoding="utf-8") as fh:
                count = log.export(fh)
            tmp.replace(path)
    err().print(f"exported {count} audit records" + (f" to {out}" if out != "-" else ""))


_AGE = re.compile(r"^(\d+)\s*(d|y)$")


def parse_age(text: str, now: datetime) -> datetime:
    """`3650d`, `10y` (365.25-day years) or an ISO date: the purge cutoff."""
    m = _AGE.match(text.strip().lower())
    if m:
        days = int(m.group(1)) * (1 if m.group(2) == "d" else 365.25)
        return now - timedelta(days=days)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--older-than {text!r}: use e.g. 10y, 3650d or 2015-01-01") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@audit_app.command("purge")
@errors
def purge(
    older_than: Annotated[
        str | None,
        typer.Option("--older-than", help="10y, 3650d or an ISO date (default: the retention "
                     "period, $TRADESCREEN_AUDIT_RETENTION_DAYS, 10 years)."),
    ] = None,
    key: Annotated[str | None, typer.Option(
        "--key", help="Your API key with the admin scope (default: $TRADESCREEN_API_KEY).")] = None,
    user: Annotated[str | None, typer.Option(
        "--user", help="Optional check: must equal the key's name.")] = None,
) -> None:
    """Delete audit records past retention; the purge itself is a record in the chain.

    Needs an API key with the admin scope: the purge is recorded under the key's name."""
    settings = load_settings()
    now = utc_now()
    age = older_than or f"{settings.audit_retention_days}d"
    cutoff = parse_age(age, now)
    actor = acting_user(settings, key, user, "admin")
    sink, log = open_log(settings)
    with sink:
        record_ = log.purge(cutoff, actor)
    data = orjson.loads(record_.data)
    print(f"purged {data['count']} records older than {data['older_than']} "
          f"(purge record {record_.seq})")


def screening_config_hash(settings: Settings) -> str:
    return config_hash(settings)


def audit_screening(
    settings: Settings,
    screenings: list[dict[str, Any]],
    snapshots: list[str],
    *,
    file: Path | None = None,
    rows: int = 0,
    batch: dict[str, Any] | None = None,
) -> None:
    """Record a screening (one party, a file's rows with hits, or a book re-screen's new
    alerts as `batch`) and raise its alerts; says on stderr which were opened or suppressed."""
    from tradescreen.cases.alerts import record_screening
    from tradescreen.cases.record import screening_event

    if file is not None:
        import hashlib

        batch = {"file": file.name, "sha256": hashlib.sha256(file.read_bytes()).hexdigest(),
                 "rows": rows}
    event = screening_event(
        screenings, current_user(), snapshots, config_hash=config_hash(settings), batch=batch
    )
    with open_sink(settings) as sink:
        outcomes = record_screening(sink.log(), event)
    opened = [o["alert"] for o in outcomes if o["new"] and o["status"] == "open"]
    known = sorted({o["alert"] for o in outcomes if not o["new"]})
    suppressed = [o["alert"] for o in outcomes if o["status"] == "suppressed"]
    parts = []
    if opened:
        parts.append(f"{len(opened)} new ({_ids(opened)})")
    if known:
        parts.append(f"{len(known)} already open ({_ids(known)})")
    if suppressed:
        parts.append(f"{len(suppressed)} suppressed as cleared false positives "
                     f"({_ids(suppressed)})")
    if parts:
        err().print(f"alerts: {', '.join(parts)}; see `tradescreen cases list`")


def audit_rescreen(
    settings: Settings, result: Any, events: list[Event], queries: dict[str, Any],
    *, as_of: str | None = None,
) -> None:
    """Record a book re-screen (always, even one that found nothing new) and open a case alert
    for each new book alert, carrying its book, row id and explanation."""
    from tradescreen.screen.party import query_to_dict

    by_row: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        data = dict(event.data)
        by_row.setdefault(data["row_id"], []).append(
            {**data, "content_hash": data.get("entity_hash")})
    grouper = _book_grouper(settings, list(result.snapshots)) if by_row else None
    screenings = [
        {"query": query_to_dict(q), "row": row_id, "book": result.book,
         "results": grouper.group(hits) if grouper is not None else hits}
        for row_id, hits in sorted(by_row.items())
        if (q := queries.get(row_id)) is not None
    ]
    batch = {"book": result.book, "mode": result.mode, "rows": result.rows,
             "alerts_total": len(result.alerts), "new": len(result.changes.new),
             "removed": len(result.changes.removed), "updated": len(result.changes.updated)}
    if as_of is not None:
        batch["as_of"] = as_of
    audit_screening(settings, screenings, list(result.snapshots), batch=batch)


def _book_grouper(settings: Settings, snapshots: list[str]) -> Any:
    """One case alert per listed party, not per listing (screen.listings.HitGrouper)."""
    from tradescreen.index.cache import load_index
    from tradescreen.screen.listings import HitGrouper
    from tradescreen.store import open_store

    with open_store(settings) as store:
        return HitGrouper(load_index(store, settings.index_dir, snapshots))


def audit_transactions(
    settings: Settings, events: list[Event], *, file: Path | None = None, items: int = 0
) -> None:
    """Record screened transactions: each event as it is for one transaction (as the API does),
    one record for a batch, naming the input and every transaction's decision and reasons."""
    if file is None:
        for event in events:
            record(settings, event)
        return
    import hashlib

    source = {"file": "-" if str(file) == "-" else file.name, "items": items}
    if str(file) != "-":
        source["sha256"] = hashlib.sha256(file.read_bytes()).hexdigest()
    data: dict[str, Any] = {
        **source,
        "screened": len(events),
        "transactions": [{"id": e.subject or None, **e.data} for e in events],
    }
    snapshots = sorted({s for e in events for s in e.snapshots})
    actor = events[0].actor if events else f"cli:{current_user()}"
    record(settings, Event("transaction", actor, f"file:{source['file']}", data,
                           tuple(snapshots)))


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:10])
    return shown + (", ..." if len(ids) > 10 else "")
