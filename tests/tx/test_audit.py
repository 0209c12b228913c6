"""Every transaction screened through the CLI leaves an audit record, as the API's do."""

from __future__ import annotations

import json

from tradescreen.cli import app

from .helpers import EXAMPLES, runner


def _records() -> list[dict]:
    result = runner.invoke(app, ["audit", "export"])
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_screen_tx_one_transaction_is_recorded(env):
    before = len(_records())
    path = EXAMPLES / "block_embargo_cuba.json"
    result = runner.invoke(app, ["screen-tx", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    records = _records()
    assert len(records) == before + 1
    last = records[-1]
    data = json.loads(last["data"])
    assert last["kind"] == "transaction" and last["actor"].startswith("cli:")
    assert last["subject"] == shown["id"]
    assert data["decision"] == shown["decision"] == "block"
    assert data["reasons"] == [f"{r['check']}:{r['code']}" for r in shown["reasons"]]
    assert json.loads(last["snapshots"]) == sorted(shown["snapshot"]["lists"])
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0


def test_screen_tx_batch_is_one_record_naming_every_transaction(env, tmp_path):
    names = sorted(p.name for p in EXAMPLES.glob("*.json"))
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(json.loads((EXAMPLES / n).read_text()))
                              for n in names) + "\n")
    before = len(_records())
    result = runner.invoke(app, ["screen-tx", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    shown = [json.loads(line) for line in result.stdout.splitlines()]
    records = _records()
    assert len(records) == before + 1
    data = json.loads(records[-1]["data"])
    assert records[-1]["kind"] == "transaction" and data["file"] == "batch.jsonl"
    assert data["items"] == data["screened"] == len(names) and len(data["sha256"]) == 64
    assert [(t["id"], t["decision"]) for t in data["transactions"]] == [
        (s["id"], s["decision"]) for s in shown]


def test_malformed_single_transaction_records_nothing(env, tmp_path):
    before = len(_records())
    path = tmp_path / "bad.json"
    path.write_text('{"parties": "nobody"}')
    result = runner.invoke(app, ["screen-tx", str(path)])
    assert result.exit_code == 1
    assert len(_records()) == before


def test_every_api_screening_path_emits_one_event(env):
    """/match, /search, /screen and /screen-tx each leave exactly one audit event."""
    import asyncio

    import httpx

    from tradescreen.api import create_app
    from tradescreen.api.config import ApiConfig
    from tradescreen.cli.screen import load_screener
    from tradescreen.config import load_settings
    from tradescreen.events import MemorySink

    settings = load_settings()
    sink = MemorySink()
    app = create_app(settings, sink=sink, screener=load_screener(settings),
                     config=ApiConfig(require_keys=False))
    tx = json.loads((EXAMPLES / "block_embargo_cuba.json").read_text())
    query = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Hassan Nasrallah"]}}}}
    kinds = []

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            for method, path, body in (("post", "/match/default", query),
                                       ("get", "/search/default?q=Nasrallah", None),
                                       ("post", "/screen", {"name": "Hassan Nasrallah"}),
                                       ("post", "/screen-tx", tx)):
                before = len(sink.events)
                response = await client.request(method, path, json=body)
                assert response.status_code == 200, (path, response.text)
                # Spooled by the request, appended by the API's audit writer thread.
                assert app.state.tradescreen.audit.flush(timeout=30), path
                assert len(sink.events) == before + 1, path
                kinds.append(sink.events[-1].kind)

    asyncio.run(run())
    assert kinds == ["screening", "search", "screening", "transaction"]
