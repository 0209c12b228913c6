"""The `tradescreen` command. Command modules are imported when their command runs (cli/app.py)."""

from __future__ import annotations

from tradescreen.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
