"""POST /media/scan against a real `tradescreen serve`: scope checked, same answer as the CLI."""

from __future__ import annotations

import httpx


def test_media_scan(server: str, keys) -> None:
    article = {"html": "<html><body><nav>Home | World</nav><article><p>Mahan Air flew drone "
                       "parts from Amirabad; the State Department objected.</p></article>"
                       "<footer>All rights reserved</footer></body></html>"}
    with httpx.Client(base_url=server, timeout=120) as http:
        denied = http.post("/media/scan", json=article,
                           headers={"Authorization": f"Bearer {keys.read}"})
        assert denied.status_code == 403
        r = http.post("/media/scan", json=article,
                      headers={"Authorization": f"Bearer {keys.screen}"})
        assert r.status_code == 200, r.text
        data = r.json()
        text = data["document"]["text"]
        assert "All rights reserved" not in text
        kinds = {(m["kind"], m["text"]) for m in data["mentions"]}
        assert ("listed_party", "Mahan Air") in kinds and ("port", "Amirabad") in kinds
        assert not any(m["kind"] == "listed_party" and "State" in m["text"]
                       for m in data["mentions"])
        for m in data["mentions"]:
            assert text[m["start"]:m["end"]] == m["text"]
        assert data["snapshots"]
        bad = http.post("/media/scan", json={"text": "a", "html": "<p>b</p>"},
                        headers={"Authorization": f"Bearer {keys.screen}"})
        assert bad.status_code == 422
