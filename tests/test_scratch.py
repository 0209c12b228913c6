"""Scratch folders of large imports: removed on exit, and swept after a kill -9."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tradescreen.scratch import Scratch, sweep

CHILD = """
import sys, time
from pathlib import Path
from tradescreen.scratch import Scratch
scratch = Scratch("ts-test-", Path(sys.argv[1]))
(scratch.path / "big.sqlite").write_bytes(b"x" * 1000)
print(scratch.path, flush=True)
time.sleep(60)
"""


def test_folder_removed_on_close(tmp_path: Path) -> None:
    with Scratch("ts-test-", tmp_path) as scratch:
        assert scratch.path.is_dir() and scratch.path.parent == tmp_path
    assert not scratch.path.exists()


def test_killed_process_leaves_a_folder_the_next_one_sweeps(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        orphan = Path(proc.stdout.readline().strip())
        assert orphan.is_dir()
        assert sweep(tmp_path, "ts-test-") == []  # alive: left alone
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert orphan.is_dir()  # kill -9 ran no cleanup
    with Scratch("ts-test-", tmp_path) as scratch:
        assert not orphan.exists()
        assert scratch.path.is_dir()
        # A live folder (this one) survives another sweep.
        assert sweep(tmp_path, "ts-test-") == [] and scratch.path.is_dir()
