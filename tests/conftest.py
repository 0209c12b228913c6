"""Shared fixtures. Real list files come from ../shared/data (or $TRADESCREEN_SHARED_DATA)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("TRADESCREEN_SHARED_DATA", REPO.parent / "shared" / "data"))

if not (DATA / "ofac").is_dir():
    # Fail loudly: every test here reads the real official files.
    raise RuntimeError(f"shared data not found at {DATA}; set TRADESCREEN_SHARED_DATA")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty TRADESCREEN_HOME for one test."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("TRADESCREEN_HOME", str(path))
    return path
