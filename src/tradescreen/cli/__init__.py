"""The `tradescreen` command. Each module registers one command group on the root app."""

from __future__ import annotations

import tradescreen.cli.audit  # noqa: F401  (registers `audit`)
import tradescreen.cli.book  # noqa: F401  (registers `book`)
import tradescreen.cli.cases  # noqa: F401  (registers `cases`)
import tradescreen.cli.keys  # noqa: F401  (registers `keys`)
import tradescreen.cli.media  # noqa: F401  (registers `media`)
import tradescreen.cli.serve  # noqa: F401  (registers `serve`)
import tradescreen.cli.tx  # noqa: F401  (registers `screen-tx`, `controls`)
from tradescreen.cli import lists, screen  # noqa: F401  (registers commands)
from tradescreen.cli.app import app


def main() -> None:
    app()
