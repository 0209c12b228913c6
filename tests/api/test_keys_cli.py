"""`tradescreen keys create|list|revoke` and the keys table."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tradescreen.cli import app
from tradescreen.config import load_settings
from tradescreen.store.keys import KeyStore, hash_key

runner = CliRunner()


def test_create_list_revoke(home):
    result = runner.invoke(app, ["keys", "create", "erp", "--scope", "read,screen"])
    assert result.exit_code == 0, result.stderr
    secret = result.stdout.strip().splitlines()[-1].split()[-1]
    assert secret.startswith("ts_") and len(secret) > 40
    with KeyStore(load_settings()) as store:
        key = store.verify(secret)
        assert key is not None and key.scopes == {"read", "screen"}
        assert store.verify(secret + "x") is None
        stored = [row[0] for row in store._conn.execute("SELECT key_hash FROM api_keys")]
    assert stored == [hash_key(secret)]  # only the hash is kept
    listed = json.loads(runner.invoke(app, ["keys", "list", "--json"]).stdout)
    assert [k["name"] for k in listed] == ["erp"] and secret not in json.dumps(listed)
    assert runner.invoke(app, ["keys", "create", "erp"]).exit_code == 1  # live name taken
    assert runner.invoke(app, ["keys", "create", "x", "--scope", "root"]).exit_code == 1
    assert runner.invoke(app, ["keys", "revoke", "erp"]).exit_code == 0
    with KeyStore(load_settings()) as store:
        assert store.verify(secret) is None
    assert runner.invoke(app, ["keys", "revoke", "erp"]).exit_code == 1
    assert runner.invoke(app, ["keys", "create", "erp"]).exit_code == 0  # name reusable


def test_no_auth_refused_off_loopback(home):
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--no-auth"])
    assert result.exit_code == 2
