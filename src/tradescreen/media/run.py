"""Open a scanner for the CLI and the API: the active lists, controls and optional book."""

from __future__ import annotations

import gc
import logging
from typing import Any

from tradescreen.config import Settings, load_settings
from tradescreen.media.alerts import customer_event
from tradescreen.media.documents import Document
from tradescreen.media.scan import Scanner
from tradescreen.screen.party import Screener, Thresholds

log = logging.getLogger("tradescreen.media")


def build_scanner(settings: Settings, screener: Screener, book: str | None = None) -> Scanner:
    from tradescreen.controls import ControlsError, load_controls

    try:
        reference = load_controls(settings.home, None)
    except (ControlsError, OSError, ValueError) as exc:
        # Parties are still found; the terms need `tradescreen controls import`.
        log.warning("no controls reference data (%s): programme terms, places, ports and "
                    "items are not scanned", exc)
        reference = None
    customers = None
    if book is not None:
        from tradescreen.books.storage import BookStore
        from tradescreen.media.customers import customer_screener
        from tradescreen.store import open_store

        thresholds = Thresholds(settings.match_threshold, settings.review_threshold)
        with open_store(settings) as store:
            customers = customer_screener(BookStore(store._conn), book, thresholds)
    scanner = Scanner(screener, reference=reference, customers=customers, book=book)
    # The index, the gazetteers and the term tables live as long as the process: a full
    # garbage collection would walk them all again every few articles (~0.3 s each time, a
    # fifth of a 5 KB article's scan on average), and none of them is ever garbage.
    gc.freeze()
    return scanner


def open_scanner(book: str | None) -> tuple[Scanner, Settings]:
    from tradescreen.cli.screen import load_screener

    settings = load_settings()
    return build_scanner(settings, load_screener(settings), book), settings


def record_customer_alerts(settings: Settings, document: Document, result: dict[str, Any],
                           actor: str | None = None) -> list[dict[str, Any]]:
    """Open (or count on) a case alert for each customer the article names."""
    from tradescreen.cases.alerts import record_screening
    from tradescreen.cases.audit import open_sink

    event = customer_event(document, result, actor=actor or cli_actor(), book=result["book"])
    if event is None:
        return []
    with open_sink(settings) as sink:
        return record_screening(sink.log(), event)


def cli_actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"
