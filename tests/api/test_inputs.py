"""Every name of a query is scored, and a value the API cannot read is a 422 naming it, never a
200 that silently left something out (issue 14, "API under pressure")."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tradescreen.api import create_app
from tradescreen.api.config import ApiConfig
from tradescreen.api.ftm_query import MAX_NAMES


@pytest.fixture(scope="module")
def app(api_settings, screener):
    return create_app(api_settings, screener=screener, config=ApiConfig(require_keys=False, rate=0))


def call(app, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(run())


def match(app, properties: dict[str, Any], schema: str = "Company") -> httpx.Response:
    body = {"queries": {"q": {"schema": schema, "properties": properties}}}
    return call(app, "POST", "/match/default", json=body)


def test_every_name_of_a_query_is_scored(app):
    # The listed name comes after twelve unknown ones: it used to be dropped (only the first
    # ten names were scored) and the answer was a 200 with no result.
    names = [f"Unlisted Trading Partner {i}" for i in range(12)] + ["Qods Aviation Industry"]
    r = match(app, {"name": names})
    assert r.status_code == 200, r.text
    results = r.json()["responses"]["q"]["results"]
    assert results and results[0]["caption"].lower() == "qods aviation industries"
    assert results[0]["tradescreen"]["matched_name"].lower().startswith("qods aviation")


def test_names_over_the_limit_are_refused_not_cut(app):
    names = [f"Unlisted Trading Partner {i}" for i in range(MAX_NAMES)] + ["Qods Aviation"]
    r = match(app, {"name": names[:40], "alias": names[40:]})
    assert r.status_code == 422
    assert f"limit is {MAX_NAMES}" in r.json()["detail"]
    # More values in one property than the per-property limit: refused too.
    r = match(app, {"alias": [f"Partner {i}" for i in range(51)], "name": "Qods"})
    assert r.status_code == 422 and "properties.alias" in r.json()["detail"]


def test_batch_over_the_limit_is_a_422_not_cut(app):
    limit = ApiConfig().max_batch
    queries = {f"q{i}": {"schema": "Company", "properties": {"name": [f"Partner {i}"]}}
               for i in range(limit + 1)}
    r = call(app, "POST", "/match/default", json={"queries": queries})
    assert r.status_code == 422, r.text
    assert f"the limit is {limit}" in r.json()["detail"]
    del queries[f"q{limit}"]
    r = call(app, "POST", "/match/default", json={"queries": queries})
    assert r.status_code == 200 and len(r.json()["responses"]) == limit


@pytest.mark.parametrize(
    ("properties", "field"),
    [
        ({"name": "Qods\u0000Aviation"}, "NUL"),
        ({"name": ["Qods Aviation\u0007"]}, "properties.name"),
        ({"name": ["Qods"], "birthDate": "1971-13-45"}, "properties.birthDate"),
        ({"name": ["Qods"], "birthDate": "1971-02-30"}, "properties.birthDate"),
        ({"name": ["Qods"], "birthDate": "last spring"}, "properties.birthDate"),
        ({"name": ["Qods"], "country": "Atlantis"}, "properties.country"),
        ({"name": [["Qods Aviation"]]}, "properties.name"),
        ({"name": [{"first": "Qods"}]}, "properties.name"),
    ],
)
def test_unreadable_match_values_are_422(app, properties, field):
    r = match(app, properties)
    assert r.status_code == 422, r.text
    assert field in str(r.json()["detail"])


def test_readable_values_still_match(app):
    # yente's lenient forms stay accepted: one string for a list, a year, a datetime.
    for props in ({"name": "Qods Aviation Industry", "country": "Iran"},
                  {"name": ["Qods Aviation Industry"], "incorporationDate": "1985"},
                  {"name": ["Qods Aviation Industry"], "incorporationDate": "1985-01-02T00:00:00"}):
        r = match(app, props)
        assert r.status_code == 200, r.text
        assert r.json()["responses"]["q"]["results"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Qods", "birth_date": "1971-02-30"}, "birth_date"),
        ({"name": "Qods", "birth_date": "yesterday"}, "birth_date"),
        ({"name": "Qods\u0001"}, "name"),
        ({"name": "Qods\u0000"}, "NUL"),
        ({"name": "Qods", "countries": "ir"}, "countries"),
        ({"name": "Qods", "identifiers": "IMO 9187629"}, "identifiers"),
        ({"name": "Qods", "countries": ["Atlantis"]}, "Atlantis"),
        ({"name": " "}, "name"),
    ],
)
def test_unreadable_screen_values_are_422(app, body, field):
    r = call(app, "POST", "/screen", json=body)
    assert r.status_code == 422, r.text
    assert field in str(r.json()["detail"])


def test_search_query_with_control_character_is_422(app):
    r = call(app, "GET", "/search/default", params={"q": "Qods\u0001"})
    assert r.status_code == 422 and "q:" in r.json()["detail"]


def test_malformed_transaction_is_422(app):
    r = call(app, "POST", "/screen-tx", json={"parties": "nobody"})
    assert r.status_code == 422 and "/parties" in r.json()["detail"]
