"""Every command and option says what it is for (a command without help is unfinished)."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path
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


# ---- the README's install and test commands, which .ci/run runs verbatim ----------------------

REPO = Path(__file__).resolve().parent.parent


def readme_command(name: str) -> str:
    """The shell line .ci/run takes from README.md: the ```sh block after `<!-- ci:NAME -->`."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(rf"<!-- ci:{name} -->\s*```sh\n(.*?)\n```", text, re.S)
    assert block, f"README.md has no ```sh block after <!-- ci:{name} -->"
    return block.group(1).strip()


def test_readme_install_and_test_commands_are_what_ci_runs():
    install, test = readme_command("install"), readme_command("test")
    # PyICU compiles against the system ICU: the install line installs it itself.
    assert "apt-get install" in install and "libicu-dev" in install and "g++" in install
    assert "sudo" in install and "apt-get update" in install
    assert re.search(r"pip install (-q )?-e '\.\[dev\]'", install)
    assert test.startswith(".venv/bin/pytest")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert 'readme_command install' in ci and 'readme_command test' in ci
    assert 'bash -euo pipefail -c "$INSTALL"' in ci
    assert ci.count('bash -euo pipefail -c "$TEST"') == 2  # SQLite, then PostgreSQL
    # .ci/run's own extraction finds the same lines.
    for name, expected in (("install", install), ("test", test)):
        script = ci[ci.index("readme_command() {"):ci.index("INSTALL=")] + f"readme_command {name}"
        run = subprocess.run(["bash", "-c", script], cwd=REPO, capture_output=True, text=True,
                             check=True)
        assert run.stdout.strip() == expected


def _extras(name: str) -> list[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [*project["dependencies"], *project["optional-dependencies"][name]]


def _installed_with(requirements: list[str]) -> set[str]:
    """Distributions that installing `requirements` brings in (from the installed metadata)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: set[tuple[str, tuple[str, ...]]] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        key = (canonicalize_name(req.name), tuple(sorted(req.extras)))
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = importlib.metadata.requires(req.name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for line in requires:
            sub = Requirement(line)
            extras = req.extras or {""}
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras):
                todo.append(sub)
    return {name for name, _ in seen}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "importorskip"
              and node.args and isinstance(node.args[0], ast.Constant)):
            found.add(str(node.args[0].value).split(".")[0])
    return found


def test_dev_extra_installs_everything_the_tests_import():
    """Issue 14: `.[dev]` lacked faker, which the tests import (through bench/screening.py), so
    the README's test command failed on a clean install."""
    from packaging.utils import canonicalize_name

    local = {p.stem for p in (REPO / "bench").glob("*.py")} | {"tradescreen", "conftest"}
    local |= {p.stem for p in (REPO / "tests").rglob("*.py")} | {"tests"}
    files = list((REPO / "tests").rglob("*.py"))
    modules: set[str] = set()
    done: set[Path] = set()
    while files:  # tests, and the bench modules they import
        path = files.pop()
        if path in done:
            continue
        done.add(path)
        for module in _imported_modules(path):
            if (REPO / "bench" / f"{module}.py").is_file():
                files.append(REPO / "bench" / f"{module}.py")
            modules.add(module)
    third_party = sorted(m for m in modules - local if m not in sys.stdlib_module_names)
    dists = importlib.metadata.packages_distributions()
    installed = _installed_with(_extras("dev"))
    missing = []
    for module in third_party:
        owners = {canonicalize_name(d) for d in dists.get(module, [])}
        if not owners & installed:
            missing.append(f"{module} ({', '.join(sorted(owners)) or 'not installed'})")
    assert not missing, f"tests import these, but `pip install -e '.[dev]'` does not: {missing}"
