"""Cases and audit over HTTP against the real server: four-eyes between keys, scopes, verify."""

from __future__ import annotations

import httpx

from tradescreen.store.keys import KeyStore


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"ApiKey {key}"}


def test_four_eyes_between_keys(server: str, keys, api_settings):
    with KeyStore(api_settings) as store:
        alice = store.create("alice", ["read,cases"])[1]
        bob = store.create("bob", ["read,cases"])[1]
    body = {"queries": {"q": {"schema": "Company",
                              "properties": {"name": ["Qods Aviation Industries"]}}}}
    assert httpx.post(f"{server}/match/default", json=body,
                      headers=_auth(keys.screen)).status_code == 200

    listed = httpx.get(f"{server}/cases", params={"status": "open"}, headers=_auth(alice))
    assert listed.status_code == 200
    alert = next(a for a in listed.json()["alerts"]
                 if "QODS AVIATION" in a["caption"].upper())
    url = f"{server}/cases/{alert['id']}"
    assert httpx.get(url, headers=_auth(alice)).json()["explanation"]

    refused = httpx.post(f"{url}/decide", json={"decision": "true_match", "reason": "x"},
                         headers=_auth(keys.read))
    assert refused.status_code == 403  # a read-only key may look, not decide
    bad = httpx.post(f"{url}/decide", json={"decision": "maybe", "reason": "x"},
                     headers=_auth(alice))
    assert bad.status_code == 422

    decided = httpx.post(f"{url}/decide", headers=_auth(alice),
                         json={"decision": "true_match", "reason": "same entity, same IMO"})
    assert decided.status_code == 200
    assert decided.json()["decision"]["decided_by"] == "key:alice"
    own = httpx.post(f"{url}/approve", headers=_auth(alice))
    assert own.status_code == 403 and "four-eyes" in own.json()["detail"]
    approved = httpx.post(f"{url}/approve", headers=_auth(bob))
    assert approved.status_code == 200
    assert approved.json()["alert"]["status"] == "final"
    again = httpx.post(f"{url}/approve", headers=_auth(bob))
    assert again.status_code == 409

    assert httpx.get(f"{server}/cases/999999", headers=_auth(alice)).status_code == 404


def test_audit_endpoints_need_admin(server: str, keys):
    assert httpx.get(f"{server}/audit/verify", headers=_auth(keys.read)).status_code == 403
    verdict = httpx.get(f"{server}/audit/verify", headers=_auth(keys.admin)).json()
    assert verdict["valid"] is True and verdict["records"] >= 1
    export = httpx.get(f"{server}/audit/export", headers=_auth(keys.admin))
    assert export.status_code == 200
    assert len(export.text.splitlines()) == verdict["records"]
