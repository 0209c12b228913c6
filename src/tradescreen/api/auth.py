"""API keys on requests: who is calling, may they, and not too often.

`Authorization: ApiKey <key>` (yente's form) or `Bearer <key>`. No or unknown key -> 401, a key
without the scope -> 403, over the key's rate -> 429 with Retry-After. Verified keys are cached
for a few seconds so a request costs no database read; a revocation takes effect within that.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request, Security
from fastapi.security import APIKeyHeader

from tradescreen.api.errors import ApiError
from tradescreen.store.keys import SCOPES, ApiKey, KeyStore

CACHE_SECONDS = 5.0
_CHALLENGE = {"WWW-Authenticate": 'ApiKey realm="tradescreen", Bearer realm="tradescreen"'}


@dataclass(frozen=True)
class Caller:
    name: str  # key name, or "anonymous" when keys are switched off
    scopes: frozenset[str]
    rate: float | None = None

    @property
    def actor(self) -> str:
        return f"key:{self.name}"


ANONYMOUS = Caller("anonymous", frozenset(SCOPES))


class KeyCache:
    def __init__(self, store: KeyStore, ttl: float = CACHE_SECONDS) -> None:
        self.store = store
        self.ttl = ttl
        self._hits: dict[str, tuple[float, ApiKey | None]] = {}
        self._lock = threading.Lock()

    def verify(self, secret: str) -> ApiKey | None:
        now = time.monotonic()
        with self._lock:
            hit = self._hits.get(secret)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        key = self.store.verify(secret)
        with self._lock:
            if len(self._hits) > 10_000:  # a flood of made-up keys must not grow memory
                self._hits.clear()
            self._hits[secret] = (now, key)
        return key


class RateLimiter:
    """A token bucket per key, in this worker's memory (N workers allow up to N x the rate)."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, name: str, rate: float | None = None) -> float:
        """0 when allowed, else the seconds until a request would be."""
        # A key's own rate gets a bucket of one second's worth; the default rate the
        # configured burst.
        burst = self.burst if rate is None else max(1.0, rate)
        rate = self.rate if rate is None else rate
        if rate <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(name, (burst, now))
            tokens = min(burst, tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._buckets[name] = (tokens - 1.0, now)
                return 0.0
            self._buckets[name] = (tokens, now)
            return (1.0 - tokens) / rate


def _secret(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() not in ("apikey", "bearer") or not value.strip():
        raise ApiError(401, "Authorization must be 'ApiKey <key>' or 'Bearer <key>'", _CHALLENGE)
    return value.strip()


# Declared so the OpenAPI spec documents the header; the value is parsed by `_secret`.
API_KEY_HEADER = APIKeyHeader(
    name="Authorization", auto_error=False, scheme_name="ApiKey",
    description="`ApiKey <key>` or `Bearer <key>` (create keys with `tradescreen keys create`)",
)


def require(scope: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency: the caller, once authenticated, authorised for `scope` and rate-limited."""

    async def dependency(
        request: Request, _header: str | None = Security(API_KEY_HEADER)
    ) -> Caller:
        state = request.app.state.tradescreen
        secret = _secret(request)
        if secret is None:
            if not state.config.require_keys:
                return ANONYMOUS
            raise ApiError(401, "an API key is required (Authorization: ApiKey <key>)",
                           _CHALLENGE)
        key = state.keys.verify(secret)
        if key is None:
            raise ApiError(401, "unknown or revoked API key", _CHALLENGE)
        if not key.allows(scope):
            raise ApiError(403, f"this key lacks the {scope!r} scope "
                                f"(it has: {', '.join(sorted(key.scopes))})")
        caller = Caller(key.name, key.scopes, key.rate_limit)
        wait = state.limiter.take(caller.name, caller.rate)
        if wait > 0:
            raise ApiError(429, f"rate limit exceeded for key {caller.name!r}; retry later",
                           {"Retry-After": str(max(1, math.ceil(wait)))})
        request.state.caller = caller
        return caller

    return dependency
