"""Settings, read once and passed down. Nothing below the edges reads the environment itself."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs


def home_dir() -> Path:
    """Where the store and index live: `$TRADESCREEN_HOME`, else the per-user data directory."""
    env = os.environ.get("TRADESCREEN_HOME")
    path = Path(env) if env else Path(platformdirs.user_data_dir("tradescreen"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class Settings:
    home: Path
    match_threshold: float = 0.70
    review_threshold: float = 0.50

    @property
    def db_path(self) -> Path:
        return self.home / "tradescreen.db"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"


def load_settings() -> Settings:
    home = home_dir()
    kwargs: dict[str, float] = {}
    if "TRADESCREEN_MATCH_THRESHOLD" in os.environ:
        kwargs["match_threshold"] = float(os.environ["TRADESCREEN_MATCH_THRESHOLD"])
    if "TRADESCREEN_REVIEW_THRESHOLD" in os.environ:
        kwargs["review_threshold"] = float(os.environ["TRADESCREEN_REVIEW_THRESHOLD"])
    return Settings(home=home, **kwargs)
