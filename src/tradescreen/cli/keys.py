"""`tradescreen keys create|list|revoke`: API keys for `tradescreen serve`."""

from __future__ import annotations

import sys
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from tradescreen.cli.app import app
from tradescreen.cli.output import fail as _fail
from tradescreen.config import load_settings
from tradescreen.store import StoreError
from tradescreen.store.keys import SCOPES, KeyStore

keys_app = typer.Typer(help="Manage API keys for the HTTP API.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="A name for the key (who or what uses it).")],
    scope: Annotated[
        list[str], typer.Option("--scope", help=f"Comma-separated: {', '.join(SCOPES)}.")
    ] = ["read", "screen"],  # noqa: B006 (Typer copies it)
    rate: Annotated[
        float | None, typer.Option(min=0.001, help="Requests per second (default: server's).")
    ] = None,
) -> None:
    """Create a key; it is printed once, as the last word of the last line: store it now."""
    try:
        with KeyStore(load_settings()) as store:
            key, secret = store.create(name, scope, rate_limit=rate)
    except StoreError as exc:
        raise _fail(str(exc)) from None
    print(f"created key {key.name!r} with scopes {', '.join(sorted(key.scopes))}; "
          "it is shown only this once:")
    print(f"key: {secret}")


@keys_app.command("list")
def list_keys(
    all_keys: Annotated[bool, typer.Option("--all", help="Include revoked keys.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Machine-readable JSON.")] = False,
) -> None:
    """List keys (names, scopes, prefixes; never the keys themselves)."""
    with KeyStore(load_settings()) as store:
        keys = store.list_keys(include_revoked=all_keys)
    if json_output:
        sys.stdout.write(orjson.dumps([k.to_dict() for k in keys]).decode() + "\n")
        return
    table = Table("name", "scopes", "prefix", "rate/s", "created", "revoked")
    for k in keys:
        table.add_row(k.name, ",".join(sorted(k.scopes)), k.prefix + "…",
                      "" if k.rate_limit is None else f"{k.rate_limit:g}", k.created_at,
                      k.revoked_at or "")
    Console().print(table)


@keys_app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke a key; running servers refuse it within a few seconds."""
    try:
        with KeyStore(load_settings()) as store:
            key = store.revoke(name)
    except StoreError as exc:
        raise _fail(str(exc)) from None
    print(f"revoked key {key.name!r} at {key.revoked_at}")
