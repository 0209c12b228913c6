"""Workbench pages in-process (ASGI): sessions, CSRF, scopes, headers, escaping, four-eyes."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tradescreen.api import create_app
from tradescreen.cli.screen import load_screener
from tradescreen.config import Settings
from tradescreen.store.db import connect
from tradescreen.store.keys import KeyStore

from .conftest import HOSTILE, Keys, csrf_of, sign_in

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import ui as bench_ui  # noqa: E402

PAGES = ("/ui/", "/ui/screen", "/ui/screen-tx", "/ui/queue", "/ui/lists", "/ui/books",
         "/ui/audit", "/ui/cases/1", "/ui/cases/1/report")


@pytest.fixture(scope="module")
def web_app(web_settings: Settings, web_keys: Keys) -> Iterator[object]:
    screener = load_screener(web_settings)
    # Alerts to work on: 120, through the real alerting path, on the real SDN entries.
    bench_ui.seed_alerts(web_settings, screener, 120, batch=60)
    yield create_app(web_settings, screener=screener)


def client_for(app: object, key: str | None = None, *, https: bool = False) -> TestClient:
    client = TestClient(app, base_url="https://127.0.0.1" if https else "http://127.0.0.1",
                        follow_redirects=False)
    if key is not None:
        sign_in(client, key)
    return client


def decisions_of(settings: Settings, alert_id: int) -> list[tuple]:
    with connect(settings) as db:
        return db.fetchall("SELECT decision, decided_by, approved_by FROM decisions "
                           "WHERE alert_id = ? ORDER BY id", (alert_id,))


def test_signed_out_pages_redirect_to_sign_in(web_app: object) -> None:
    client = client_for(web_app)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/ui/login"), path
    form = client.get("/ui/login")
    assert form.status_code == 200
    assert 'type="password"' in form.text and 'name="csrf_token"' in form.text


def test_session_cookie_flags_and_sign_out(web_app: object, web_keys: Keys) -> None:
    client = client_for(web_app)
    page = client.get("/ui/login")
    response = client.post("/ui/login", data={"csrf_token": csrf_of(page.text),
                                              "key": web_keys.alice})
    cookie = response.headers["set-cookie"].lower()
    assert "ts_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert "secure" not in cookie.split("ts_login")[0]  # plain http on loopback
    assert client.get("/ui/").status_code == 200
    overview = client.get("/ui/").text
    out = client.post("/ui/logout", data={"csrf_token": csrf_of(overview)})
    assert out.status_code == 303
    assert client.get("/ui/queue").status_code == 303  # the session is gone server-side

    secure = client_for(web_app, https=True)
    page = secure.get("/ui/login")
    response = secure.post("/ui/login", data={"csrf_token": csrf_of(page.text),
                                              "key": web_keys.alice})
    assert "secure" in response.headers["set-cookie"].lower()


def test_bad_keys_and_forged_sign_in_are_refused(web_app: object, web_keys: Keys) -> None:
    client = client_for(web_app)
    page = client.get("/ui/login")
    wrong = client.post("/ui/login", data={"csrf_token": csrf_of(page.text), "key": "ts_nope"})
    assert wrong.status_code == 401 and "ts_session" not in wrong.headers.get("set-cookie", "")
    # A sign-in posted from another site carries no login cookie: refused.
    other = client_for(web_app)
    forged = other.post("/ui/login", data={"csrf_token": "x", "key": web_keys.alice})
    assert forged.status_code == 403


def test_idle_session_expires_and_revoked_key_ends_it(
    web_app: object, web_settings: Settings
) -> None:
    with KeyStore(web_settings) as keys:
        secret = keys.create("temp-analyst", ["read"])[1]
    client = client_for(web_app, secret)
    assert client.get("/ui/").status_code == 200
    with connect(web_settings) as db, db.write():
        db.execute("UPDATE web_sessions SET last_seen = last_seen - 100000 "
                   "WHERE key_name = 'temp-analyst'")
    assert client.get("/ui/").status_code == 303

    client = client_for(web_app, secret)
    assert client.get("/ui/").status_code == 200
    with KeyStore(web_settings) as keys:
        keys.revoke("temp-analyst")
    assert client.get("/ui/").status_code == 303


def test_every_page_sends_csp_without_inline_script(web_app: object, web_keys: Keys) -> None:
    client = client_for(web_app, web_keys.ops)
    for path in (*PAGES, "/ui/login", "/docs"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        csp = response.headers["content-security-policy"]
        script = re.search(r"script-src ([^;]*)", csp)
        assert "'unsafe-inline'" not in (script.group(1) if script else "")
        assert "http" not in csp, csp  # no third-party origin
        assert response.headers["x-content-type-options"] == "nosniff"
        # No inline <script> and nothing loaded from another origin.
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text), path
        assert not re.search(r'(src|href)="(https?:)?//(?!127\.0\.0\.1)[^"]*"[^>]*>\s*</?'
                             r"(script|link|img)", response.text), path
        for ref in re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', response.text):
            assert ref.startswith("/"), (path, ref)
    docs = client.get("/docs").text
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', docs):
        assert client.get(asset).status_code == 200, asset


def test_report_is_self_contained(web_app: object, web_keys: Keys) -> None:
    client = client_for(web_app, web_keys.alice)
    report = client.get("/ui/cases/1/report")
    assert report.status_code == 200
    assert "<script" not in report.text and "<link" not in report.text
    assert "@page" in report.text  # print styles embedded
    assert "script-src" not in report.headers["content-security-policy"]
    assert re.search(r'id="record-hash">[0-9a-f]{64}<', report.text)


def test_csrf_missing_or_wrong_token_changes_nothing(
    web_app: object, web_keys: Keys, web_settings: Settings
) -> None:
    client = client_for(web_app, web_keys.alice)
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
        response = client.post("/ui/cases/2/decide", data={
            **data, "decision": "false_positive", "reason": "forged request"})
        assert response.status_code == 403, data
        assert "security token" in response.text
        assert client.post("/ui/alerts/2/assign", data=data).status_code == 403
        assert client.post("/ui/audit/verify", data=data).status_code in (403,)
    assert decisions_of(web_settings, 2) == []
    # Another user's token is no good either.
    bob = client_for(web_app, web_keys.bob)
    bob_token = csrf_of(bob.get("/ui/cases/2").text)
    response = client.post("/ui/cases/2/decide", data={
        "csrf_token": bob_token, "decision": "escalate", "reason": "x"})
    assert response.status_code == 403
    assert decisions_of(web_settings, 2) == []


def test_scopes_are_checked_on_the_server(web_app: object, web_keys: Keys,
                                          web_settings: Settings) -> None:
    viewer = client_for(web_app, web_keys.viewer)
    overview = viewer.get("/ui/")
    assert overview.status_code == 200
    assert "/ui/screen" not in overview.text and "/ui/audit" not in overview.text
    token = csrf_of(overview.text)
    assert viewer.get("/ui/screen").status_code == 403
    assert viewer.post("/ui/screen", data={"csrf_token": token, "name": "x"}).status_code == 403
    assert viewer.get("/ui/audit").status_code == 403
    refused = viewer.post("/ui/cases/3/decide", data={
        "csrf_token": token, "decision": "escalate", "reason": "not mine to decide"})
    assert refused.status_code == 403 and "&#39;cases&#39; scope" in refused.text
    assert decisions_of(web_settings, 3) == []
    case = viewer.get("/ui/cases/3")
    assert case.status_code == 200 and 'id="decide-form"' not in case.text


def test_four_eyes_decide_then_approve_by_another_user(
    web_app: object, web_keys: Keys, web_settings: Settings
) -> None:
    alice, bob = client_for(web_app, web_keys.alice), client_for(web_app, web_keys.bob)
    token = csrf_of(alice.get("/ui/cases/4").text)
    done = alice.post("/ui/cases/4/decide", data={
        "csrf_token": token, "decision": "false_positive", "reason": "different birth date"})
    assert done.status_code == 303
    page = alice.get("/ui/cases/4").text
    assert "awaiting four-eyes approval" in page
    own = alice.post("/ui/cases/4/approve", data={"csrf_token": token})
    assert own.status_code == 403 and "four-eyes" in own.text
    approved = bob.post("/ui/cases/4/approve",
                        data={"csrf_token": csrf_of(bob.get("/ui/cases/4").text)})
    assert approved.status_code == 303
    assert decisions_of(web_settings, 4) == [("false_positive", "key:alice", "key:bob")]
    final = bob.get("/ui/cases/4").text
    assert 'id="suppression"' in final and "status-final" in final
    report = bob.get("/ui/cases/4/report").text
    assert "key:alice" in report and "key:bob" in report and "different birth date" in report


def test_queue_filters_sort_pages_and_assign(web_app: object, web_keys: Keys) -> None:
    alice = client_for(web_app, web_keys.alice)
    first = alice.get("/ui/queue")
    assert first.status_code == 200
    assert "page 1 of" in first.text
    rows = re.findall(r'<td class="num"><a href="/ui/cases/(\d+)">', first.text)
    assert len(rows) == 50
    second = alice.get("/ui/queue?status=open&page=2")
    assert not set(rows) & set(re.findall(r'<td class="num"><a href="/ui/cases/(\d+)">',
                                          second.text))
    by_score = alice.get("/ui/queue?status=open&sort=score&order=desc").text
    scores = [float(s) for s in re.findall(r'<td class="num">(\d\.\d{3})</td>', by_score)]
    assert scores == sorted(scores, reverse=True) and scores
    review = alice.get("/ui/queue?status=open&band=review").text
    assert 'class="badge match"' not in review.split("<tbody>")[1]
    assert alice.get("/ui/queue?status=bogus").status_code == 400
    assert alice.get("/ui/queue?age=forever").status_code == 400

    pattern = r'<td class="num"><a href="/ui/cases/(\d+)">'
    # Other tests of this session may have assigned alerts to alice already.
    before = set(re.findall(pattern, alice.get("/ui/queue?assignee=me").text))
    target = next(r for r in reversed(rows) if r not in before)
    token = csrf_of(first.text)
    assigned = alice.post(f"/ui/alerts/{target}/assign", data={
        "csrf_token": token, "back": "/ui/queue?assignee=me"})
    assert assigned.status_code == 303 and assigned.headers["location"] == "/ui/queue?assignee=me"
    mine = set(re.findall(pattern, alice.get("/ui/queue?assignee=me").text))
    assert mine == before | {target}
    # An off-site "back" is never followed.
    off = alice.post(f"/ui/alerts/{target}/assign", data={"csrf_token": token,
                                                          "back": "//evil.example/"})
    assert off.headers["location"] == f"/ui/cases/{target}"


def test_hostile_listed_name_is_escaped(web_app: object, web_keys: Keys) -> None:
    alice = client_for(web_app, web_keys.alice)
    token = csrf_of(alice.get("/ui/screen").text)
    result = alice.post("/ui/screen", data={
        "csrf_token": token, "name": f"{HOSTILE} Trading Company", "schema": "Company",
        "open_alerts": "1"})
    assert result.status_code == 200
    assert "&lt;img src=x onerror=alert(1)&gt;" in result.text
    assert "<img" not in result.text and "<script>alert" not in result.text
    opened = re.findall(r'href="/ui/cases/(\d+)">alert #', result.text)
    assert opened, "the hostile entry should raise an alert"
    case = alice.get(f"/ui/cases/{opened[0]}").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in case and "<img" not in case


def test_screening_is_audited(web_app: object, web_keys: Keys, web_settings: Settings) -> None:
    alice = client_for(web_app, web_keys.alice)
    token = csrf_of(alice.get("/ui/screen").text)
    response = alice.post("/ui/screen", data={"csrf_token": token, "name": "Bank Melli Iran",
                                              "schema": "Company"})
    assert response.status_code == 200 and "Evidence (log-odds)" in response.text
    with connect(web_settings) as db:
        kind, actor = db.fetchone("SELECT kind, actor FROM audit_log ORDER BY seq DESC LIMIT 1")
    assert (kind, actor) == ("lookup", "key:alice")  # "open alerts" unticked: none opened
    bad = alice.post("/ui/screen", data={"csrf_token": token, "name": "x",
                                         "birth_date": "not a date"})
    assert bad.status_code == 400


def test_unknown_pages_and_ids(web_app: object, web_keys: Keys) -> None:
    alice = client_for(web_app, web_keys.alice)
    assert alice.get("/ui/cases/999999").status_code == 404
    assert alice.get("/ui/cases/abc").status_code == 404
    assert alice.get("/ui/cases/99999999999999999999999").status_code == 404
    assert alice.get("/ui/books/nope").status_code == 404
    assert alice.get("/ui/lists/diff?from=a&to=b").status_code == 400


def test_api_json_posts_still_checked(web_app: object, web_keys: Keys) -> None:
    """The workbench's form bodies are exempt from the API's JSON rule, nothing else is."""
    client = client_for(web_app)
    response = client.post("/screen", content=b"name=x",
                           headers={"content-type": "application/x-www-form-urlencoded",
                                    "authorization": f"ApiKey {web_keys.alice}"})
    assert response.status_code == 415
    assert isinstance(response, httpx.Response)
