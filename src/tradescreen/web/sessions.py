"""Workbench sessions: a signed-in API key, kept server-side in `web_sessions`.

Signing in checks a named user key (`tradescreen keys create NAME --scope ...`); the browser then
holds only a random session token. The table keeps its sha256, the key's hash (so a revoked key
ends its sessions at once: every lookup joins the live key) and the session's CSRF token. A
session idle longer than `idle_seconds` is gone; `last_seen` is written at most once a minute, so
reading a page costs no write.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from tradescreen.store.db import Database
from tradescreen.store.keys import ApiKey, hash_key

COOKIE = "ts_session"
LOGIN_COOKIE = "ts_login"  # double-submit CSRF token for the sign-in form (no session yet)
TOUCH_SECONDS = 60


@dataclass(frozen=True)
class Session:
    token_hash: str
    user: str  # the key's name: decisions are made as `key:<user>`, like the API's
    scopes: frozenset[str]
    csrf: str

    @property
    def actor(self) -> str:
        return f"key:{self.user}"

    def allows(self, scope: str) -> bool:
        # As for API keys: admin implies every other scope.
        return scope in self.scopes or "admin" in self.scopes


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def open_session(db: Database, key: ApiKey, secret: str) -> tuple[str, Session]:
    """A new session for a verified key; returns the cookie token and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = int(time.time())
    created = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    with db.write():
        db.execute(
            "INSERT INTO web_sessions (token_hash, key_name, key_hash, csrf, created_at, "
            "last_seen) VALUES (?, ?, ?, ?, ?, ?)",
            (_digest(token), key.name, hash_key(secret), csrf, created, now),
        )
    return token, Session(_digest(token), key.name, key.scopes, csrf)


def find_session(db: Database, token: str | None, idle_seconds: int) -> Session | None:
    """The live session of a cookie token, or None (unknown, idle too long, key revoked)."""
    if not token or len(token) > 200:
        return None
    digest = _digest(token)
    row = db.fetchone(
        "SELECT s.key_name, s.csrf, s.last_seen, k.scopes FROM web_sessions s "
        "JOIN api_keys k ON k.key_hash = s.key_hash AND k.revoked_at IS NULL "
        "WHERE s.token_hash = ?",
        (digest,),
    )
    if row is None:
        return None
    name, csrf, last_seen, scopes = row
    now = int(time.time())
    if now - int(last_seen) > idle_seconds:
        close_session(db, token)
        return None
    if now - int(last_seen) > TOUCH_SECONDS:
        with db.write():
            db.execute("UPDATE web_sessions SET last_seen = ? WHERE token_hash = ?", (now, digest))
    return Session(digest, str(name), frozenset(str(scopes).split(",")), str(csrf))


def close_session(db: Database, token: str) -> None:
    with db.write():
        db.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_digest(token),))


def purge_idle(db: Database, idle_seconds: int) -> None:
    """Forget sessions idle past expiry (called at sign-in, so the table stays small)."""
    with db.write():
        db.execute("DELETE FROM web_sessions WHERE last_seen < ?",
                   (int(time.time()) - idle_seconds,))


def same_token(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())
