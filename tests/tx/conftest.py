"""Real lists (OFAC SDN 2024-05-03 + the 2025 add/alt/comments, UN, Canada) and the real domain
folder, imported once into a temporary home shared by the transaction tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradescreen.cli import app
from tradescreen.cli.screen import load_screener
from tradescreen.config import load_settings
from tradescreen.controls import load_controls
from tradescreen.screen.policy import load_policy
from tradescreen.screen.tx import TxScreener

from .helpers import runner


@pytest.fixture(scope="session")
def domain_dir(data_dir: Path) -> Path:
    return data_dir / "domain"


@pytest.fixture(scope="session")
def tx_home(tmp_path_factory: pytest.TempPathFactory, data_dir: Path, domain_dir: Path):
    home = tmp_path_factory.mktemp("tx-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRADESCREEN_HOME", str(home))
        mp.delenv("TRADESCREEN_CONTROLS", raising=False)
        for path in ("ofac/sdn_2024-05-03", "ofac/sdn_2025-02_add_alt_comments",
                     "canada/sema-lmes.xml", "un/consolidated.xml"):
            result = runner.invoke(app, ["lists", "import", str(data_dir / path)])
            assert result.exit_code == 0, result.stderr
        result = runner.invoke(app, ["controls", "import", str(domain_dir)])
        assert result.exit_code == 0, result.stderr
        yield home


@pytest.fixture()
def env(tx_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRADESCREEN_HOME", str(tx_home))
    monkeypatch.delenv("TRADESCREEN_CONTROLS", raising=False)
    return tx_home


@pytest.fixture(scope="session")
def txs(tx_home: Path) -> TxScreener:
    """An in-process screener on the same home (no list relations: the lists carry no shares)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRADESCREEN_HOME", str(tx_home))
        settings = load_settings()
        return TxScreener(load_screener(settings), load_controls(settings.home), load_policy())
