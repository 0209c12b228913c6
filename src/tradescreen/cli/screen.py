"""`tradescreen screen`, `screen-file`, `score-pairs`."""

from __future__ import annotations

from tradescreen.cli.app import app  # noqa: F401
