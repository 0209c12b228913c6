"""Settings, read once and passed down. Nothing below the edges reads the environment itself."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the variable and what it should be."""


def home_dir() -> Path:
    """Where the store and index live: `$TRADESCREEN_HOME`, else the per-user data directory."""
    env = os.environ.get("TRADESCREEN_HOME")
    path = Path(env) if env else Path(platformdirs.user_data_dir("tradescreen"))
    where = f"TRADESCREEN_HOME={path}" if env else f"the data directory {path}"
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{where} is a file, not a directory: point TRADESCREEN_HOME at a "
                          "directory (it is created if missing)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{where}: cannot create the directory ({exc.strerror or exc})") from None
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


def _env_number(name: str, kind: type[float] | type[int], what: str) -> float | int | None:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        value = kind(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number: expected {what}") from None
    if not math.isfinite(value):
        raise ConfigError(f"{name}={raw!r} is not a number: expected {what}")
    return value


def _threshold(name: str) -> float | None:
    value = _env_number(name, float, "a score between 0 and 1, e.g. 0.7")
    if value is not None and not 0.0 <= value <= 1.0:
        raise ConfigError(f"{name}={value:g} is out of range: expected a score between 0 and 1")
    return value


def load_settings() -> Settings:
    """Settings from the environment; a malformed one is a ConfigError naming the variable.

    Thresholds are checked before the home directory is touched, so a typo changes nothing."""
    kwargs: dict[str, object] = {}
    match = _threshold("TRADESCREEN_MATCH_THRESHOLD")
    review = _threshold("TRADESCREEN_REVIEW_THRESHOLD")
    if match is not None:
        kwargs["match_threshold"] = match
    if review is not None:
        kwargs["review_threshold"] = review
    match = kwargs.get("match_threshold", Settings.match_threshold)
    review = kwargs.get("review_threshold", Settings.review_threshold)
    if match < review:  # type: ignore[operator]
        raise ConfigError(
            f"TRADESCREEN_MATCH_THRESHOLD ({match:g}) is below TRADESCREEN_REVIEW_THRESHOLD "
            f"({review:g}): a match must score at least as high as a review"
        )
    if os.environ.get("TRADESCREEN_DATABASE_URL"):
        kwargs["database_url"] = os.environ["TRADESCREEN_DATABASE_URL"]
    if os.environ.get("TRADESCREEN_DATABASE_SCHEMA"):
        kwargs["database_schema"] = os.environ["TRADESCREEN_DATABASE_SCHEMA"]
    if "TRADESCREEN_FOUR_EYES" in os.environ:
        raw = os.environ["TRADESCREEN_FOUR_EYES"].replace(",", " ").split()
        kwargs["four_eyes"] = tuple(x for x in raw if x != "none")
    days = _env_number("TRADESCREEN_AUDIT_RETENTION_DAYS", int, "a whole number of days")
    if days is not None:
        if days < 1:
            raise ConfigError(f"TRADESCREEN_AUDIT_RETENTION_DAYS={days}: expected 1 day or more")
        kwargs["audit_retention_days"] = days
    return Settings(home=home_dir(), **kwargs)  # type: ignore[arg-type]
