"""API settings: auth, rate and size limits. Read once from the environment at the edge."""

from __future__ import annotations

import os
from dataclasses import dataclass

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True)
class ApiConfig:
    # Keys are required unless explicitly switched off, and only on a loopback host (see serve).
    require_keys: bool = True
    rate: float = 50.0  # requests per second per key (token refill); 0 = unlimited
    burst: float = 100.0  # bucket size: short bursts above the rate are allowed
    max_body: int = 1 << 20  # bytes
    max_batch: int = 100  # queries per /match request (yente's default)
    max_string: int = 1000  # characters in any one JSON string value
    max_depth: int = 16  # JSON nesting
    max_values: int = 50  # values per FtM property in a query
    reload_seconds: float = 2.0  # how often to look for newly activated list snapshots


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw not in (None, "") else default


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def load_api_config() -> ApiConfig:
    """From `TRADESCREEN_API_*` variables (documented in the README's HTTP API section)."""
    return ApiConfig(
        require_keys=os.environ.get("TRADESCREEN_API_NO_AUTH", "") not in ("1", "true", "yes"),
        rate=_float("TRADESCREEN_API_RATE", ApiConfig.rate),
        burst=_float("TRADESCREEN_API_BURST", ApiConfig.burst),
        max_body=_int("TRADESCREEN_API_MAX_BODY", ApiConfig.max_body),
        max_batch=_int("TRADESCREEN_API_MAX_BATCH", ApiConfig.max_batch),
        reload_seconds=_float("TRADESCREEN_API_RELOAD", ApiConfig.reload_seconds),
    )
