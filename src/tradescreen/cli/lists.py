"""`tradescreen lists ...`: import, status, diff, fetch, export."""

from __future__ import annotations

import typer

from tradescreen.cli.app import app

lists_app = typer.Typer(help="Manage official sanctions lists.", no_args_is_help=True)
app.add_typer(lists_app, name="lists")
