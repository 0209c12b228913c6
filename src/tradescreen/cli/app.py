"""The root Typer app. Command modules attach themselves to it when first used.

Start-up time is the product for a one-name screening: importing every command module (the API
stack, Dask, the database drivers) cost most of a second before any work. So the root group knows
its commands by name and imports a command's module only when that command runs; `--help` lists
them from the table below without importing anything (tests/test_docs.py checks the table
against the commands' own help).
"""

from __future__ import annotations

import importlib
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

# command -> (module that registers it, the one-line help `tradescreen --help` shows), in the
# order `--help` lists them. A new command module adds its line here.
COMMANDS: dict[str, tuple[str, str]] = {
    "lists": ("tradescreen.cli.lists", "Manage official sanctions lists."),
    "screen": ("tradescreen.cli.screen",
               "Screen one name against every active list, best match first, with explanations."),
    "screen-file": ("tradescreen.cli.screen",
                    "Screen every row of a CSV file; output rows in input order, same shape as "
                    "`screen --json`."),
    "score-pairs": ("tradescreen.cli.screen",
                    "Score name pairs: adds `score` (0..1) and `match` (true/false) to every row, "
                    "in order."),
    "screen-tx": ("tradescreen.cli.tx",
                  "Screen whole transactions: parties, 50 % ownership, goods, route, red flags."),
    "controls": ("tradescreen.cli.tx",
                 "Export-control reference data (CHPL, UAV items, red flags, jurisdictions, "
                 "ports) as versioned snapshots."),
    "book": ("tradescreen.cli.book",
             "Customer books: import, re-screen after list updates, alerts."),
    "cases": ("tradescreen.cli.cases", "Alerts from screenings: review, decide, approve."),
    "audit": ("tradescreen.cli.audit", "Verify and export the tamper-evident audit log."),
    "keys": ("tradescreen.cli.keys", "Manage API keys for the HTTP API."),
    "media": ("tradescreen.cli.media", "Adverse media: scan articles and free text."),
    "serve": ("tradescreen.cli.serve",
              "Serve the HTTP API (yente-compatible /match and /search, /screen, /lists)."),
}


class LazyGroup(TyperGroup):
    """A root group whose commands are imported on first use."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(dict.fromkeys([*COMMANDS, *self.commands]))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in COMMANDS:
            return None
        module, summary = COMMANDS[cmd_name]
        if self._listing:
            return TyperCommand(name=cmd_name, help=summary)
        importlib.import_module(module)
        # The module registered its commands on `app`; build the click command for this one.
        command = typer.main.get_group(app).commands.get(cmd_name)
        if command is not None:
            self.commands[cmd_name] = command
        return command

    def invoke(self, ctx: Any) -> Any:
        # A bad setting is the user's to fix, whichever command read it: one line, exit 1.
        from tradescreen.config import ConfigError

        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            from tradescreen.cli.output import fail

            raise fail(str(exc)) from None

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def _version(value: bool) -> None:
    if value:
        from tradescreen import __version__

        print(f"tradescreen {__version__}")
        raise typer.Exit()


app = typer.Typer(
    name="tradescreen",
    help="Restricted-party and export-control screening.",
    cls=LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_version, help="Print the version and exit."
    )] = False,
) -> None:
    """Restricted-party and export-control screening."""
