"""API keys: created, listed, revoked and verified against the `api_keys` table.

A key is 32 random bytes (URL-safe base64 with a `ts_` prefix), so a plain sha256 of it is
enough to store: there is nothing to brute-force, unlike a password. Only the hash and a short
display prefix are kept; the key itself is shown once, when created.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tradescreen.config import Settings
from tradescreen.store import StoreError, open_store
from tradescreen.store.db import (
    Database,
    open_postgresql,
    psycopg,
    schema_name,
    writer_lock_path,
)

# cases: decide and approve alerts (four-eyes runs between keys, so give each analyst one)
SCOPES = ("read", "screen", "cases", "admin")
KEY_PREFIX = "ts_"


@dataclass(frozen=True)
class ApiKey:
    name: str
    prefix: str
    scopes: frozenset[str]
    rate_limit: float | None  # requests per second; None = the server's default
    created_at: str
    revoked_at: str | None = None

    def allows(self, scope: str) -> bool:
        # admin implies every other scope: an operator key can do what any client can.
        return scope in self.scopes or "admin" in self.scopes

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "prefix": self.prefix,
            "scopes": sorted(self.scopes),
            "rate_limit": self.rate_limit,
            "created_at": self.created_at,
            "revoked_at": self.revoked_at,
        }


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def parse_scopes(values: Iterable[str]) -> frozenset[str]:
    scopes = {s.strip().lower() for v in values for s in v.split(",") if s.strip()}
    unknown = scopes - set(SCOPES)
    if unknown:
        raise StoreError(f"unknown scope(s) {', '.join(sorted(unknown))}; use {', '.join(SCOPES)}")
    if not scopes:
        raise StoreError(f"give at least one scope: {', '.join(SCOPES)}")
    return frozenset(scopes)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


_COLUMNS = "name, prefix, scopes, rate_limit, created_at, revoked_at, key_hash"


def _row(row: tuple) -> tuple[ApiKey, str]:
    name, prefix, scopes, rate, created, revoked, key_hash = row
    key = ApiKey(name, prefix, frozenset(scopes.split(",")), rate, created, revoked)
    return key, key_hash


_INTEGRITY_ERRORS: tuple[type[BaseException], ...] = (sqlite3.IntegrityError,)
if psycopg is not None:
    _INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg.IntegrityError)


class KeyStore:
    """The keys table of the settings' database. Safe to share between threads."""

    def __init__(self, settings: Settings) -> None:
        # Opening the store applies pending migrations (the api_keys table among them).
        open_store(settings).close()
        if settings.database_url:
            self._conn: Database = open_postgresql(settings.database_url, schema_name(settings))
        else:
            # API worker threads share this connection behind the lock.
            raw = sqlite3.connect(
                settings.db_path, isolation_level=None, timeout=30.0, check_same_thread=False
            )
            self._conn = Database(
                raw, "sqlite", label=settings.db_path.name,
                lock_path=writer_lock_path(settings.db_path),
            )
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> KeyStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def create(
        self, name: str, scopes: Iterable[str], *, rate_limit: float | None = None
    ) -> tuple[ApiKey, str]:
        """A new key; returns it with the secret, which is never retrievable again."""
        name = name.strip()
        if not name or len(name) > 100 or any(c.isspace() for c in name):
            raise StoreError("key name must be 1-100 characters without spaces")
        if rate_limit is not None and rate_limit <= 0:
            raise StoreError("rate limit must be positive (requests per second)")
        scope_set = parse_scopes(scopes)
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        key = ApiKey(name, secret[:10], scope_set, rate_limit, _now())
        with self._lock:
            try:
                self._conn.execute(
                    "INSERT INTO api_keys (name, key_hash, prefix, scopes, rate_limit, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (name, hash_key(secret), key.prefix, ",".join(sorted(scope_set)),
                     rate_limit, key.created_at),
                )
            except _INTEGRITY_ERRORS:
                raise StoreError(f"a live key named {name!r} exists; revoke it first") from None
        return key, secret

    def list_keys(self, *, include_revoked: bool = False) -> list[ApiKey]:
        where = "" if include_revoked else " WHERE revoked_at IS NULL"
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM api_keys{where} ORDER BY name, id"
            ).fetchall()
        return [_row(r)[0] for r in rows]

    def revoke(self, name: str) -> ApiKey:
        with self._lock:
            cur = self._conn.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                (_now(), name),
            )
            if cur.rowcount == 0:
                raise StoreError(f"no live key named {name!r}")
            row = self._conn.execute(
                f"SELECT {_COLUMNS} FROM api_keys WHERE name = ? ORDER BY id DESC LIMIT 1",
                (name,),
            ).fetchone()
        return _row(row)[0]

    def verify(self, secret: str) -> ApiKey | None:
        """The live key with this secret, or None (unknown or revoked)."""
        if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
            return None
        digest = hash_key(secret)
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_COLUMNS} FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
                (digest,),
            ).fetchone()
        if row is None:
            return None
        key, stored = _row(row)
        # The lookup was by hash already; the constant-time compare keeps it that way if the
        # lookup ever changes to a prefix scan.
        return key if hmac.compare_digest(stored, digest) else None
