"""HTTP API: yente-compatible matching plus tradescreen's own screening endpoints."""

from __future__ import annotations

from tradescreen.api.app import app_from_env, create_app

__all__ = ["app_from_env", "create_app"]
