"""Plain httpx against `tradescreen serve` (auth, limits, hostile input) and in-process (audit)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import pytest

from tradescreen.api import create_app
from tradescreen.api.config import ApiConfig
from tradescreen.events import MemorySink

QODS = {"queries": {"q1": {"schema": "Company",
                           "properties": {"name": ["Qods Aviation Industry"]}}}}


@pytest.fixture()
def http(server: str, keys):
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {keys.screen}"},
                      timeout=10) as client:
        yield client


def test_health_without_key(server: str):
    assert httpx.get(f"{server}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{server}/readyz").status_code == 200
    assert httpx.get(f"{server}/openapi.json").json()["paths"]["/match/{dataset}"]


def test_match_wire_shape(http: httpx.Client):
    r = http.post("/match/default", json=QODS, params={"limit": 3})
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"responses", "matcher", "limit"} and body["limit"] == 3
    q1 = body["responses"]["q1"]
    assert q1["status"] == 200 and q1["total"]["relation"] == "eq"
    assert q1["query"] == {"id": None, "schema": "Company",
                           "properties": {"name": ["Qods Aviation Industry"]}}
    top = q1["results"][0]
    for key in ("id", "caption", "schema", "properties", "datasets", "referents", "target",
                "first_seen", "last_seen", "score", "match", "features", "explanations"):
        assert key in top
    assert top["match"] is True and top["target"] is True
    assert top["features"]["name_dice"] > 0
    assert top["tradescreen"]["decision"] == "match"
    assert top["tradescreen"]["snapshot"].startswith(top["datasets"][0])


def test_screen_and_lists(http: httpx.Client):
    r = http.post("/screen", json={"name": "Qods Aviation Industry", "schema": "Company",
                                   "country": "Iran"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["query"]["countries"] == ["ir"]
    top = data["results"][0]
    assert top["decision"] == "match" and top["explanation"] and top["snapshot"]
    assert set(data["snapshots"]) == {s["snapshot"] for s in http.get("/lists").json()["lists"]}
    assert http.post("/screen", json={"name": "x", "birth_date": "yesterday"}).status_code == 422
    assert http.post("/screen", json={"name": ""}).status_code == 422
    assert http.post("/screen-tx", json={"parties": "nobody"}).status_code == 422
    example = Path(__file__).resolve().parents[2] / "examples" / "block_vessel_by_imo.json"
    tx = http.post("/screen-tx", content=example.read_bytes(),
                   headers={"Content-Type": "application/json"})
    assert tx.status_code == 200, tx.text
    assert tx.json()["decision"] == "block" and tx.json()["reasons"]


def test_auth_errors(server: str, keys):
    r = httpx.post(f"{server}/match/default", json=QODS)
    assert r.status_code == 401 and "WWW-Authenticate" in r.headers
    r = httpx.post(f"{server}/match/default", json=QODS,
                   headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status_code == 401
    r = httpx.post(f"{server}/match/default", json=QODS,
                   headers={"Authorization": f"ApiKey {keys.read}"})
    assert r.status_code == 403 and "screen" in r.json()["detail"]
    r = httpx.get(f"{server}/lists", headers={"Authorization": f"ApiKey {keys.admin}"})
    assert r.status_code == 200


def test_rate_limit_429_with_retry_after(server: str, keys):
    headers = {"Authorization": f"ApiKey {keys.slow}"}
    codes = [httpx.post(f"{server}/screen", json={"name": "Qods"}, headers=headers)
             for _ in range(3)]
    limited = [r for r in codes if r.status_code == 429]
    assert limited, [r.status_code for r in codes]
    assert int(limited[0].headers["Retry-After"]) >= 1


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"{" * 5000 + b"}" * 5000, {}, 400),  # deep JSON
        (b"[" * 100 + b"]" * 100, {}, 400),
        (json.dumps({"queries": {"q": {"schema": "Company",
                                        "properties": {"name": ["A" * 100_000]}}}}).encode(),
         {}, 413),  # one huge string
        (b"x" * (2 << 20), {}, 413),  # over the body limit
        (b'{"queries": {"q": {"schema": "Company", "properties": {"name": ["\xff\xfe"]}}}}',
         {}, 400),  # invalid UTF-8
        (b"not json at all", {}, 400),
        (b"<xml/>", {"Content-Type": "application/xml"}, 415),
        (b'{"queries": []}', {}, 422),  # wrong types
        (b'{"queries": {"q": {"schema": 5, "properties": "x"}}}', {}, 422),
        (b'{"queries": {"q": {"schema": "Sanction", "properties": {"name": "x"}}}}', {}, 400),
        (b'{"queries": {"q": {"schema": "Nope", "properties": {"name": "x"}}}}', {}, 400),
        (b'{"queries": {"q": {"schema": "Person", "properties": {}}}}', {}, 400),
        (b'{"queries": {}}', {}, 400),
        (b'{"queries": {"q": {"schema": "Company", "properties": {"name": "x"}}},'
         b' "config": {"nm_number_mismatch": 0.4}}', {}, 400),
        (json.dumps({"queries": {f"q{i}": {"schema": "Company", "properties": {"name": "x"}}
                                 for i in range(101)}}).encode(), {}, 422),
    ],
)
def test_hostile_payloads_are_4xx(http: httpx.Client, body: bytes, headers: dict, status: int):
    sent = {"Content-Type": "application/json", **headers}
    r = http.post("/match/default", content=body, headers=sent)
    assert r.status_code == status, r.text[:300]
    assert r.json()["detail"]


def test_hostile_urls(http: httpx.Client):
    assert http.get("/search/default", params={"q": "x" * 5000}).status_code == 422
    assert http.get("/search/default?q=%ff%fe").status_code == 400
    assert http.get("/search/default", params={"limit": "many"}).status_code == 422
    assert http.get("/entities/" + "a" * 20_000).status_code == 414
    assert http.post("/match/default", json=QODS, params={"threshold": "2"}).status_code == 422


def test_one_audit_event_per_screening_request(api_settings, screener):
    sink = MemorySink()
    app = create_app(api_settings, sink=sink, screener=screener,
                     config=ApiConfig(require_keys=False))
    batch = {"queries": {"a": QODS["queries"]["q1"],
                         "b": {"schema": "Person", "properties": {"name": "Hassan Nasrallah"}}}}

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.post("/match/default", json=batch)).status_code == 200
            assert (await client.post("/screen", json={"name": "Qods"})).status_code == 200
            assert (await client.get("/catalog")).status_code == 200  # not a screening

    asyncio.run(run())
    assert app.state.tradescreen.audit.flush(timeout=10)
    assert [e.kind for e in sink.events] == ["screening", "screening"]
    match_event = sink.events[0]
    assert match_event.actor == "key:anonymous"
    assert match_event.subject.startswith("sha256:")
    assert [s["row"] for s in match_event.data["screenings"]] == ["a", "b"]
    top = match_event.data["screenings"][0]["results"][0]
    assert top["decision"] == "match" and top["source_id"] and top["content_hash"]
    assert match_event.snapshots == tuple(screener.index.snapshots)


def test_unwritable_audit_spool_refuses_the_request(api_settings, screener, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    app = create_app(api_settings, sink=MemorySink(), screener=screener,
                     config=ApiConfig(require_keys=False), audit_spool=blocker / "spool")

    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post("/screen", json={"name": "Qods"})

    r = asyncio.run(run())
    assert r.status_code == 503 and "audit" in r.json()["detail"]


def test_served_requests_reach_the_audit_log(server: str, keys, api_settings):
    from tradescreen.cases.audit import open_sink

    body = {"queries": {"audit": {"schema": "Company",
                                  "properties": {"name": ["Qods Aviation Industry"]}}}}
    r = httpx.post(f"{server}/match/default", json=body,
                   headers={"Authorization": f"ApiKey {keys.screen}"})
    assert r.status_code == 200
    log = open_sink(api_settings).log()
    deadline = time.monotonic() + 20  # appended by the server's background writer
    while True:
        rows = log.db.fetchall("SELECT actor, kind FROM audit_log WHERE kind = 'screening'")
        if ("key:client", "screening") in {tuple(row) for row in rows}:
            break
        assert time.monotonic() < deadline, "the screening never reached the audit log"
        time.sleep(0.1)
