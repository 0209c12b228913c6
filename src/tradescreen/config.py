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
    # PostgreSQL instead of the SQLite file (postgresql://...); None = SQLite under home.
    database_url: str | None = None
    # PostgreSQL schema: a name, or "per-home" (one schema per TRADESCREEN_HOME, so several
    # homes can share one server). None = the server's default search_path.
    database_schema: str | None = None
    # Decision types final only once a second user approves them (four-eyes).
    four_eyes: tuple[str, ...] = ("true_match", "false_positive", "escalate")
    audit_retention_days: int = 3653  # ten years, OFAC's record-keeping period

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
    extra: dict[str, object] = {}
    if os.environ.get("TRADESCREEN_DATABASE_URL"):
        extra["database_url"] = os.environ["TRADESCREEN_DATABASE_URL"]
    if os.environ.get("TRADESCREEN_DATABASE_SCHEMA"):
        extra["database_schema"] = os.environ["TRADESCREEN_DATABASE_SCHEMA"]
    if "TRADESCREEN_FOUR_EYES" in os.environ:
        raw = os.environ["TRADESCREEN_FOUR_EYES"].replace(",", " ").split()
        extra["four_eyes"] = tuple(x for x in raw if x != "none")
    if os.environ.get("TRADESCREEN_AUDIT_RETENTION_DAYS"):
        extra["audit_retention_days"] = int(os.environ["TRADESCREEN_AUDIT_RETENTION_DAYS"])
    return Settings(home=home, **kwargs, **extra)  # type: ignore[arg-type]
