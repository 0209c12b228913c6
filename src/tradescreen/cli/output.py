"""What every command shares: where output goes, and how failures end.

Machine output goes to stdout alone, messages to stderr, so `--json | jq` always gets clean
JSON. An expected failure (bad input, a refused file, a rule of the cases workflow, a database or
file error) ends as one `error:` line and exit 1, never a traceback; set TRADESCREEN_DEBUG=1 to
see the traceback of an unexpected one.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
import typer
from rich.console import Console
from rich.markup import escape

F = TypeVar("F", bound=Callable[..., Any])


def err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def out() -> Console:
    console = Console(highlight=False)
    # Piped or captured output: no 80-column squeeze that would cut snapshot ids.
    return console if console.is_terminal else Console(highlight=False, width=200)


def print_json(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
    sys.stdout.flush()


def fail(message: str) -> typer.Exit:
    err().print(f"[bold red]error:[/] {escape(message)}", markup=True)
    return typer.Exit(1)


def _expected() -> tuple[type[BaseException], ...]:
    # Imported when a command fails, not when it starts: the CLI stays quick to load.
    from tradescreen.books.storage import BookError
    from tradescreen.cases.audit import AuditError
    from tradescreen.cases.decisions import CaseError
    from tradescreen.sources.base import SourceError
    from tradescreen.sources.fetch import FetchError
    from tradescreen.store import StoreError

    return (SourceError, StoreError, FetchError, CaseError, AuditError, BookError, ValueError,
            OSError)


def _database() -> tuple[type[BaseException], ...]:
    from tradescreen.store.db import DB_ERRORS

    return DB_ERRORS


def errors(func: F) -> F:
    """Expected failures become one stderr line and exit 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except _database() as exc:
            raise fail(f"{type(exc).__name__}: {exc}") from None
        except _expected() as exc:
            raise fail(str(exc)) from None
        except Exception as exc:
            if os.environ.get("TRADESCREEN_DEBUG"):
                raise
            raise fail(
                f"unexpected {type(exc).__name__}: {exc} (TRADESCREEN_DEBUG=1 for details)"
            ) from None

    return wrapper  # type: ignore[return-value]
