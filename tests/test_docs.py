"""Every command and option says what it is for (a command without help is unfinished)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import typer

from tradescreen.cli import app
from tradescreen.cli.app import COMMANDS


def _commands(group: Any, ctx: Any, prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None, f"`tradescreen {prefix}{name}` is listed but cannot be loaded"
        found.append((f"{prefix}{name}", cmd))
        if hasattr(cmd, "list_commands"):
            found.extend(_commands(cmd, ctx, f"{prefix}{name} "))
    return found


def _root() -> tuple[Any, Any]:
    group = typer.main.get_command(app)
    return group, group.make_context("tradescreen", ["--help"], resilient_parsing=True)


def test_every_command_and_option_has_help():
    group, ctx = _root()
    commands = _commands(group, ctx)
    assert {"lists", "screen", "screen-file", "score-pairs"} <= {n for n, _ in commands}
    for name, cmd in commands:
        assert (cmd.help or cmd.short_help or "").strip(), f"`tradescreen {name}` has no help"
        for param in cmd.params:
            if param.param_type_name == "option" and param.name != "help":
                assert (param.help or "").strip(), f"`tradescreen {name}` {param.opts} has no help"


def test_root_help_lists_each_command_with_its_own_summary():
    """`tradescreen --help` reads the summaries from cli/app.py's table without importing the
    commands: each must be the first paragraph of the command's own help, and every command a
    module registers must be in the table."""
    group, ctx = _root()
    loaded = {name: group.get_command(ctx, name) for name in COMMANDS}
    for name, cmd in loaded.items():
        assert cmd is not None, name
        first = " ".join((cmd.help or "").strip().split("\n\n")[0].split())
        assert COMMANDS[name][1] == first, f"cli/app.py's summary of `{name}` differs from its help"
    registered = set(typer.main.get_group(app).commands)
    assert registered <= set(COMMANDS), f"missing in cli/app.py: {registered - set(COMMANDS)}"


def test_help_and_version_import_no_command_module():
    """Start-up: `--help` and `--version` load no command module, no API stack, no database
    driver (each cost a large share of a one-name screening's time)."""
    code = (
        "import sys\n"
        "from tradescreen.cli import main\n"
        "for args in (['--help'], ['--version']):\n"
        "    sys.argv = ['tradescreen', *args]\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('fastapi', 'uvicorn', 'psycopg', 'numpy', 'dask', 'httpx', 'icu', 'pyarrow')\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & set(heavy))\n"
        "cmds = sorted(m for m in sys.modules if m.startswith('tradescreen.cli.')\n"
        "              and m not in ('tradescreen.cli.app',))\n"
        "print('LOADED', loaded, cmds)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "LOADED [] []" in run.stdout, run.stdout[-500:]


def test_version():
    from typer.testing import CliRunner

    from tradescreen import __version__

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"tradescreen {__version__}"


def test_screen_command_does_not_load_the_api_stack():
    code = (
        "import sys\n"
        "from tradescreen.cli import app\n"
        "import typer\n"
        "group = typer.main.get_command(app)\n"
        "ctx = group.make_context('tradescreen', ['screen', 'x'], resilient_parsing=True)\n"
        "for name in ('screen', 'screen-file', 'score-pairs'):\n"
        "    group.get_command(ctx, name)\n"
        "heavy = ('fastapi', 'uvicorn', 'psycopg', 'dask', 'httpx', 'pyarrow', 'starlette')\n"
        "print('LOADED', sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "LOADED []" in run.stdout, run.stdout[-500:]
