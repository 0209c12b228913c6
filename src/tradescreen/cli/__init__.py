"""The `tradescreen` command. Each module registers one command group on the root app."""

from __future__ import annotations

from tradescreen.cli import lists, screen  # noqa: F401  (registers commands)
from tradescreen.cli.app import app


def main() -> None:
    app()
