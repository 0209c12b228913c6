"""Every command and option says what it is for (a command without help is unfinished)."""

from __future__ import annotations

from typing import Any

import typer

from tradescreen.cli import app


def _commands(group: Any, prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for name, cmd in group.commands.items():
        found.append((f"{prefix}{name}", cmd))
        if hasattr(cmd, "commands"):
            found.extend(_commands(cmd, f"{prefix}{name} "))
    return found


def test_every_command_and_option_has_help():
    commands = _commands(typer.main.get_command(app))
    assert {"lists", "screen", "screen-file", "score-pairs"} <= {n for n, _ in commands}
    for name, cmd in commands:
        assert (cmd.help or cmd.short_help or "").strip(), f"`tradescreen {name}` has no help"
        for param in cmd.params:
            if param.param_type_name == "option" and param.name != "help":
                assert (param.help or "").strip(), f"`tradescreen {name}` {param.opts} has no help"
