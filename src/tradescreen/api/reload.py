"""A new index, built off the serving path.

Building the index for a new snapshot set is seconds of pure-Python work; in the server's own
process it held the GIL against every request (p99 5 s during a reload). So the build runs in a
child process (`python -m tradescreen.api.reload ID...`), which writes the index cache
(`tradescreen.index.cache.load_index`); the server then opens the cached index in a thread and
swaps it in with one assignment. The child is given the snapshot ids to build, so the server
serves exactly what it asked for even if another import lands meanwhile.
"""

from __future__ import annotations

import os
import subprocess
import sys

from tradescreen.config import Settings, load_settings
from tradescreen.index.cache import load_index
from tradescreen.screen.party import Screener, Thresholds
from tradescreen.store import open_store

BUILD_TIMEOUT = 1800.0  # seconds; an OpenSanctions-size build takes minutes on one core


class BuildError(RuntimeError):
    """The child process could not build the index; the message has its last words."""


def _child_env(settings: Settings) -> dict[str, str]:
    # The child reads the same store as this server, whatever this process's environment says
    # (tests and embedders pass Settings, not variables).
    env = {**os.environ, "TRADESCREEN_HOME": str(settings.home)}
    for name, value in (("TRADESCREEN_DATABASE_URL", settings.database_url),
                        ("TRADESCREEN_DATABASE_SCHEMA", settings.database_schema)):
        if value:
            env[name] = value
        else:
            env.pop(name, None)
    return env


def build_in_child(settings: Settings, snapshot_ids: tuple[str, ...]) -> None:
    """Build (or find cached) the index of these snapshots in a child process."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tradescreen.api.reload", *snapshot_ids],
            env=_child_env(settings), capture_output=True, timeout=BUILD_TIMEOUT, check=False,
        )
    except subprocess.TimeoutExpired:
        raise BuildError(f"index build took over {BUILD_TIMEOUT:.0f} s") from None
    if done.returncode != 0:
        words = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise BuildError(f"index build failed (exit {done.returncode}): {words[0]}")


def open_screener(settings: Settings, snapshot_ids: tuple[str, ...]) -> Screener:
    """The screener over these snapshots' index (cheap once `build_in_child` has run)."""
    with open_store(settings) as store:
        index = load_index(store, settings.index_dir, sorted(snapshot_ids))
    return Screener(index, Thresholds(settings.match_threshold, settings.review_threshold))


def main(argv: list[str]) -> int:
    settings = load_settings()
    with open_store(settings) as store:
        load_index(store, settings.index_dir, sorted(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
