"""`tradescreen media scan`: listed parties, customers and programme terms in news and text."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import orjson
import typer

from tradescreen.cli.app import app
from tradescreen.cli.output import err, errors, fail, out

media_app = typer.Typer(help="Adverse media: scan articles and free text.", no_args_is_help=True)
app.add_typer(media_app, name="media")


@media_app.command("scan")
@errors
def scan(
    inputs: Annotated[list[str], typer.Argument(
        help="Text or HTML files, folders of them, RSS/Atom feed files, or - for stdin.")],
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object per document, "
                                              "one per line.")] = False,
    book: Annotated[str | None, typer.Option("--book", help="Also look for the customers of "
                                             "this book; a customer named opens a case alert.")]
    = None,
    min_decision: Annotated[str, typer.Option(
        "--min-decision", help="Lowest party decision to report: review or match.")] = "review",
) -> None:
    """Scan documents for listed parties, customers, programme terms, places, ports, items and
    regulations: where in the text, how sure, and why."""
    from tradescreen.cases.audit import open_sink
    from tradescreen.media.documents import iter_documents
    from tradescreen.media.run import open_scanner

    if min_decision not in ("review", "match"):
        raise fail("--min-decision takes review or match")
    scanner, settings = open_scanner(book)
    failed = 0
    with open_sink(settings) as sink:
        for doc in iter_documents(inputs):
            failed += _scan_one(doc, scanner, settings, sink, book, json_output, min_decision)
    if failed:
        err().print(f"{failed} document(s) could not be read", highlight=False)


def _scan_one(doc: Any, scanner: Any, settings: Any, sink: Any, book: str | None,
              json_output: bool, min_decision: str) -> int:
    """Scan, record and print one document; 1 if it could not be read."""
    from tradescreen.media.alerts import scan_event
    from tradescreen.media.documents import DocumentError
    from tradescreen.media.run import cli_actor, record_customer_alerts

    if isinstance(doc, DocumentError):
        result: dict[str, Any] = {"document": doc.to_dict(), "error": doc.error}
        if json_output:
            _write(result)
        else:
            err().print(f"[bold red]error:[/] {doc.name}: {doc.error}", markup=True,
                        highlight=False)
        return 1
    result = scanner.scan(doc)
    if min_decision == "match":
        result["mentions"] = [m for m in result["mentions"]
                              if m.get("decision") in (None, "match")]
    sink.emit(scan_event(doc, result, actor=cli_actor()))
    if book is not None:
        result["alerts"] = record_customer_alerts(settings, doc, result)
    if json_output:
        _write(result)
    else:
        _report(result)
    return 0


def _write(result: dict[str, Any]) -> None:
    sys.stdout.write(orjson.dumps(result).decode() + "\n")
    sys.stdout.flush()


def _report(result: dict[str, Any]) -> None:
    console = out()
    doc = result["document"]
    title = f" — {doc['title']}" if doc.get("title") else ""
    console.print(f"[bold]{doc['name']}[/]{title}", markup=True, highlight=False)
    if not result["mentions"]:
        console.print("  no mentions", highlight=False)
    for m in result["mentions"]:
        where = f"{m['start']}-{m['end']}"
        if "score" in m:
            what = (f"{m['decision']} {m['score']:.2f} {m.get('source')}:{m.get('source_id')} "
                    f"{m.get('caption')}")
        else:
            cite = (m.get("citation") or {}).get("url") or ""
            what = f"{m.get('term')} {cite}"
        console.print(f"  {m['kind']:<12} {where:>11}  {m['text']!r}  {what}", markup=False,
                      highlight=False)
    for alert in result.get("alerts") or ():
        console.print(f"  alert {alert['alert']} ({'new' if alert['new'] else 'existing'})",
                      highlight=False)
