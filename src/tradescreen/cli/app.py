"""The root Typer app; command modules attach themselves to it."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="tradescreen",
    help="Restricted-party and export-control screening.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
