"""Which database the suite runs on, and the PostgreSQL server the PostgreSQL tests need.

`TRADESCREEN_DATABASE_URL` set: the whole suite's store and audit log live on PostgreSQL (tests
that inspect the SQLite file are then skipped: they ran on the SQLite pass).
`TRADESCREEN_TEST_DATABASE_URL`: a server for the PostgreSQL-specific tests, on either pass.
Under CI=true a missing server fails those tests instead of skipping them.
"""

from __future__ import annotations

import os

import pytest

ON_POSTGRESQL = bool(os.environ.get("TRADESCREEN_DATABASE_URL"))
sqlite_only = pytest.mark.skipif(ON_POSTGRESQL, reason="inspects the SQLite file")


def pg_url() -> str:
    url = os.environ.get("TRADESCREEN_TEST_DATABASE_URL") or os.environ.get(
        "TRADESCREEN_DATABASE_URL"
    )
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no PostgreSQL: set TRADESCREEN_TEST_DATABASE_URL")
        pytest.skip("no PostgreSQL server (set TRADESCREEN_TEST_DATABASE_URL)")
    return url
