"""A client written for yente (the real `yente-client` package) against `tradescreen serve`."""

from __future__ import annotations

import pytest
from yente_client import (
    AuthenticationError,
    BadRequestError,
    Client,
    Company,
    NotFoundError,
    Person,
)


@pytest.fixture()
def client(server: str, keys):
    with Client(base_url=server, api_key=keys.screen) as c:
        yield c


def test_acceptance_qods_aviation_industry(client: Client):
    resp = client.match(Company(name="Qods Aviation Industry"))
    top = resp.top
    assert top is not None
    assert top.caption.lower() == "qods aviation industries"
    assert top.match is True
    assert top.score >= 0.7
    assert resp.total.value >= 1
    assert resp.query["schema"] == "Company"
    assert "name_dice" in top.contributing_explanations
    ofac = [r for r in resp.results if r.id == "us-ofac-sdn-16418"]
    # One listed party (issue 13): Canada's listing of the same company is a referent, each
    # list a dataset; the strongest listing (OFAC, on an equal score) gives the id.
    assert ofac and ofac[0].datasets == ["us_ofac_sdn", "ca_sema"]
    assert ofac[0].referents == ["ca-sema-iran-s1p1-168"]
    assert not [r for r in resp.results if r.id == "ca-sema-iran-s1p1-168"]


def test_match_per_source_dataset_threshold_and_limit(client: Client):
    resp = client.match(Company(name="Qods Aviation Industry"), datasets=["us_ofac_sdn"],
                        threshold=0.99, limit=1)
    assert len(resp.results) == 1
    assert resp.results[0].datasets == ["us_ofac_sdn"]
    assert resp.results[0].match is False  # 0.97 < 0.99
    assert resp.limit == 1


def test_match_person_with_birth_date_and_algorithm_names(client: Client):
    for algorithm in ("best", "logic-v2", "name-based", "tradescreen-v1"):
        resp = client.match(Person(name="Hassan Nasrallah", birthDate="1960-08-31"),
                            algorithm=algorithm)
        assert resp.top is not None and resp.top.match, algorithm
        assert "Nasrallah" in resp.top.caption.title()


def test_unknown_algorithm_and_dataset(client: Client):
    with pytest.raises(BadRequestError):
        client.match(Company(name="Qods"), algorithm="no-such-algorithm")
    with pytest.raises(NotFoundError):
        client.match(Company(name="Qods"), datasets=["no_such_list"])


def test_search_fetch_catalog_algorithms(client: Client):
    found = client.search("Qods Aviation")
    assert found.total.value >= 1
    ids = [r.id for r in found.results]
    assert "us-ofac-sdn-16418" in ids
    entity = client.fetch("us-ofac-sdn-16418")
    assert entity.caption == "QODS AVIATION INDUSTRIES"
    assert "GHODS AVIATION INDUSTRIES" in entity.properties["alias"]
    with pytest.raises(NotFoundError):
        client.fetch("no-such-entity")
    catalog = client.datasets()
    names = {d.name for d in catalog.datasets}
    assert {"default", "us_ofac_sdn", "ca_sema"} <= names
    assert set(catalog.current) == {"us_ofac_sdn", "ca_sema"}
    algos = client.algorithms()
    assert algos.best == "tradescreen-v1"
    assert "logic-v2" in {a.name for a in algos.algorithms}
    assert client.healthz().status == "ok"
    assert client.readyz().status == "ok"


def test_keys_and_scopes_through_the_client(server: str, keys):
    with Client(base_url=server) as anonymous, pytest.raises(AuthenticationError) as exc:
        anonymous.match(Company(name="Qods"))
    assert exc.value.status_code == 401
    with Client(base_url=server, api_key=keys.read) as reader:
        assert reader.datasets().datasets
        with pytest.raises(AuthenticationError) as exc:
            reader.match(Company(name="Qods"))
        assert exc.value.status_code == 403
    with Client(base_url=server, api_key="ts_wrong") as wrong, pytest.raises(AuthenticationError):
        wrong.datasets()
