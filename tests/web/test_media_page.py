"""The workbench's article scan page: mentions highlighted and linked, hostile text inert,
scope and CSRF checked on the server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tradescreen.api import create_app
from tradescreen.cli.screen import load_screener
from tradescreen.config import Settings

from .conftest import HOSTILE, Keys, csrf_of, sign_in

ARTICLE = ("Mahan Air flew drone parts from Amirabad to Makhachkala, officials said. "
           f"A reader wrote {HOSTILE} in the comments.")


@pytest.fixture(scope="module")
def media_app(web_settings: Settings) -> Iterator[object]:
    yield create_app(web_settings, screener=load_screener(web_settings))


def test_article_scan_page(media_app: object, web_keys: Keys) -> None:
    client = TestClient(media_app, base_url="http://127.0.0.1", follow_redirects=False)
    sign_in(client, web_keys.alice)
    form = client.get("/ui/media")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    assert "script-src 'self'" in form.headers["content-security-policy"]
    refused = client.post("/ui/media", data={"csrf_token": "forged", "body": ARTICLE})
    assert refused.status_code == 403
    page = client.post("/ui/media", data={"csrf_token": csrf_of(form.text), "body": ARTICLE})
    assert page.status_code == 200, page.text[:500]
    html = page.text
    assert 'class="mention listed_party match"' in html and ">Mahan Air</a>" in html
    assert 'class="mention port' in html and ">Makhachkala</a>" in html
    assert "MAHAN AIR" in html  # the listed entry beside the highlight
    assert HOSTILE not in html and "&lt;img src=x onerror=alert(1)&gt;" in html

    viewer = TestClient(media_app, base_url="http://127.0.0.1", follow_redirects=False)
    sign_in(viewer, web_keys.viewer)
    assert viewer.get("/ui/media").status_code == 403
