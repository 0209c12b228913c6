"""Shared-attribute alerts and relations end to end on real lists: OFAC SDN 2024-05-03 with the
2025 address / alias files, and the OpenSanctions ZALA graph (owners, directors, addresses)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradescreen.api.ftm_query import parse_example
from tradescreen.api.matching import MatchOptions, best_results
from tradescreen.cli import app
from tradescreen.cli.screen import load_screener
from tradescreen.config import load_settings
from tradescreen.controls import load_controls
from tradescreen.screen.policy import load_policy
from tradescreen.screen.tx import TxScreener
from tradescreen.screen.tx_model import parse_transaction

runner = CliRunner()
NOBODY = "Zzyzx Qwertyuiop Holdings"  # a name that matches nothing on any list
# LLC CST (ZALA graph) is listed at "3 Perunovsky Per., Building 2, Floor 3, Room 21, Moscow,
# 127055": the same office written another way (order, abbreviations, postcode placement).
CST_REFORMATTED = "127055 MOSCOW, PERUNOVSKY PER. 3, BLDG 2, FL. 3, RM 21, RUSSIAN FEDERATION"


@pytest.fixture(scope="module")
def net_home(tmp_path_factory: pytest.TempPathFactory, data_dir: Path):
    home = tmp_path_factory.mktemp("network-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRADESCREEN_HOME", str(home))
        for path in ("ofac/sdn_2024-05-03", "ofac/sdn_2025-02_add_alt_comments",
                     "opensanctions/yente_fixtures/zala_entities.ftm.json"):
            result = runner.invoke(app, ["lists", "import", str(data_dir / path)])
            assert result.exit_code == 0, result.stderr
        result = runner.invoke(app, ["controls", "import", str(data_dir / "domain")])
        assert result.exit_code == 0, result.stderr
        yield home


@pytest.fixture()
def env(net_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRADESCREEN_HOME", str(net_home))
    monkeypatch.delenv("TRADESCREEN_CONTROLS", raising=False)
    return net_home


def screen_json(*args: str) -> dict:
    result = runner.invoke(app, ["screen", *args, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def names(result: dict, caption: str) -> bool:
    """Whether a result's listed party has a listing of that caption (consolidation may lead
    the party with another list's listing of it)."""
    return any(li["caption"] == caption for li in result.get("listings") or [result])


def cst_party() -> set[str]:
    """The captions of every listing of the listed party LLC CST belongs to."""
    data = screen_json(NOBODY, "--schema", "Company", "--address", CST_REFORMATTED)
    party = next(r for r in data["results"] if names(r, "LLC CST"))
    return {li["caption"] for li in party["listings"]}


def shared_rows(result: dict) -> list[dict]:
    return [f for f in result["explanation"] if f["feature"] == "shared_attribute"]


def test_reformatted_listed_address_reaches_review_whatever_the_name(env):
    plain = screen_json(NOBODY, "--schema", "Company")
    assert not [r for r in plain["results"] if r["decision"] != "no_match"]
    data = screen_json(NOBODY, "--schema", "Company", "--address", CST_REFORMATTED)
    hit = next(r for r in data["results"] if names(r, "LLC CST"))
    assert hit["decision"] in ("review", "match")
    row = shared_rows(hit)[0]
    assert row["attribute"] == "address" and row["weak"] is False
    assert row["query_value"] == CST_REFORMATTED
    assert "Perunovsky" in row["list_value"] and "127055" in row["list_value"]
    assert data["query"]["addresses"] == [CST_REFORMATTED]


def test_other_house_number_is_not_the_same_address(env):
    other = CST_REFORMATTED.replace("PER. 3,", "PER. 37,").replace("RM 21", "RM 4")
    data = screen_json(NOBODY, "--schema", "Company", "--address", other)
    assert not any(shared_rows(r) for r in data["results"] if names(r, "LLC CST"))


def test_phone_in_another_format_matches(env):
    # WAAD PROJECT (SDN 11346) lists "009613679153": Lebanon, written the international way.
    data = screen_json(NOBODY, "--phone", "+961 3 679 153")
    hit = next(r for r in data["results"] if r["source_id"] == "11346")
    assert hit["decision"] == "review"
    row = shared_rows(hit)[0]
    assert (row["attribute"], row["list_value"], row["weak"]) == ("phone", "009613679153", False)
    # The same digits in another country are another line.
    data = screen_json(NOBODY, "--phone", "+33 3 679 153")
    assert not any(r["source_id"] == "11346" for r in data["results"])


def test_gmail_address_alone_is_weak(env):
    data = screen_json(NOBODY, "--email", "procurement.desk.7781@gmail.com")
    rows = [row for r in data["results"] for row in shared_rows(r)]
    assert rows, "listed parties with gmail addresses share the domain"
    assert all(row["weak"] and "free-mail" in row["reason"] for row in rows)
    assert all(row["weight"] == 0 for row in rows)
    assert all(r["decision"] == "no_match" for r in data["results"])


def test_exact_listed_email_is_strong(env):
    data = screen_json(NOBODY, "--email", "GlobalSeaLine@gmail.com")
    top = data["results"][0]
    row = shared_rows(top)[0]
    assert top["decision"] == "review"
    assert (row["attribute"], row["weak"]) == ("email", False)
    assert row["list_value"].lower() == "globalsealine@gmail.com"


def test_screen_file_address_and_phone_columns(env, tmp_path):
    book = tmp_path / "parties.csv"
    with book.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["row_id", "name", "address", "phone"])
        w.writerow(["a1", NOBODY, CST_REFORMATTED, ""])
        w.writerow(["a2", "Another Unknown Firm Ltd", "", "+961 3 679153"])
        w.writerow(["a3", "Plain Bakery Ltd", "12 Rue de la Paix, 75002 Paris, France", ""])
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["screen-file", str(book), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.stderr
    lines = {d["row_id"]: d for d in map(json.loads, out.read_text().splitlines())}
    a1 = [r for r in lines["a1"]["results"] if shared_rows(r)]
    assert any(names(r, "LLC CST") and r["decision"] == "review" for r in a1)
    assert any(r["source_id"] == "11346" and r["decision"] == "review"
               for r in lines["a2"]["results"])
    assert not [r for r in lines["a3"]["results"] if r["decision"] != "no_match"]


def test_match_api_address_property(env):
    screener = load_screener(load_settings())
    parsed = parse_example("Company", {"name": [NOBODY], "address": [CST_REFORMATTED]}, 50)
    found = best_results(screener, parsed.queries, MatchOptions())
    cst = cst_party()
    hit = next(r for r in found if r.score.record.caption in cst)
    assert hit.decision == "review"
    rows = [f for f in hit.score.features if f.feature == "shared_attribute"]
    assert rows[0].value["attribute"] == "address"


def test_screen_tx_reason_of_kind_shared_attribute(env):
    settings = load_settings()
    txs = TxScreener(load_screener(settings), load_controls(settings.home), load_policy())
    tx = parse_transaction({
        "id": "shared-1",
        "parties": [{"role": "buyer", "name": NOBODY, "country": "RU",
                     "address": CST_REFORMATTED}],
        "goods": [{"description": "office furniture", "hs_code": "940330"}],
        "route": {"origin": "DE", "destination": "RU"},
    })
    data = txs.screen(tx).to_dict()
    shared = [r for r in data["reasons"] if r["check"] == "shared_attribute"]
    assert shared and all(r["evidence"]["kind"] == "shared_attribute" for r in shared)
    party = cst_party()
    cst = next(r for r in shared if r["evidence"]["caption"] in party)
    assert cst["severity"] == "review" and cst["evidence"]["attribute"] == "address"
    assert cst["evidence"]["query_value"] == CST_REFORMATTED
    assert data["decision"] in ("review", "block")
    assert not any(r["code"] == "PARTY_POSSIBLE_MATCH" for r in data["reasons"])


def test_relation_path_of_a_listed_company_director(env):
    # Абашкін Костянтин Ігорьович is LLC CST's general director in the ZALA graph.
    data = screen_json("Abashkin Konstantin Igorevich", "--schema", "Person")
    cst = next(r for r in data["results"] if names(r, "LLC CST"))
    assert cst["decision"] in ("review", "match")
    paths = [rel["path"] for rel in cst["relations"]]
    assert ["Abashkin Konstantin Igorevich", "director of", "LLC CST"] in paths
    assert any(f["feature"] == "relation" for f in cst["explanation"])


def test_relation_path_of_an_owner_in_screen_tx(env):
    settings = load_settings()
    txs = TxScreener(load_screener(settings), load_controls(settings.home), load_policy())
    tx = parse_transaction({
        "id": "rel-1",
        "parties": [{"role": "buyer", "name": "Abashkin Konstantin Igorevich",
                     "schema": "Person"}],
        "goods": [{"description": "office furniture", "hs_code": "940330"}],
        "route": {"origin": "DE", "destination": "RU"},
    })
    data = txs.screen(tx).to_dict()
    rel = [r for r in data["reasons"] if r["code"] == "PARTY_RELATION"]
    assert rel and rel[0]["evidence"]["path"][1:] == ["director of", "LLC CST"]


def test_book_row_with_a_listed_address_raises_an_alert_explained_by_it(env, tmp_path):
    from tradescreen.books.readers import read_book
    from tradescreen.index.records import to_record
    from tradescreen.match.attributes import pair_rows
    from tradescreen.store import open_store

    book = tmp_path / "book.csv"
    with book.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "address", "email"])
        w.writerow(["c1", NOBODY, CST_REFORMATTED, ""])
        w.writerow(["c2", "Plain Bakery Ltd", "12 Rue de la Paix, 75002 Paris, France",
                    "orders@gmail.com"])
    result = runner.invoke(app, ["book", "import", "net", str(book), "--json"])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(app, ["book", "rescreen", "net", "--json"])
    assert result.exit_code == 0, result.stderr
    alerts = runner.invoke(app, ["book", "alerts", "net", "--json"])
    found = json.loads(alerts.stdout)["alerts"]
    party = cst_party()
    assert any(a["row_id"] == "c1" and a["caption"] in party and a["decision"] == "review"
               for a in found)
    assert not [a for a in found if a["row_id"] == "c2"]
    # The alert's explanation (its case) names the shared address.
    row = next(r for r in read_book(book) if r.row_id == "c1")
    with open_store(load_settings()) as store:
        snap = next(s for s in store.active_snapshots() if s.source == "os_zala")
        entity = next(e for e in store.iter_entities(snap.id) if e.caption == "LLC CST")
    rows = pair_rows(row.query.attributes, row.query.countries, to_record(entity, snap.id))
    assert rows and rows[0].value["attribute"] == "address" and not rows[0].value["weak"]


def test_address_naming_no_building_is_weak_and_says_so(env):
    for address in ("Business Centre, Dubai, UAE", "Dubai, United Arab Emirates",
                    "Ruggell, Liechtenstein"):
        data = screen_json(NOBODY, "--address", address)
        assert any("weak" in w and address in w for w in data["warnings"]), data["warnings"]
        assert all(r["decision"] == "no_match" for r in data["results"])
        assert all(row["weak"] for r in data["results"] for row in shared_rows(r))


def test_vessel_and_its_listed_owner_both_ways(env):
    data = screen_json("DINO I", "--schema", "Vessel")
    vessel = next(r for r in data["results"] if r["source"] == "us_ofac_sdn")
    assert vessel["decision"] == "match"
    assert ["DINO I", "vessel of", "NITC"] in [rel["path"] for rel in vessel["relations"]]
    data = screen_json("NITC", "--schema", "Company", "--limit", "50")
    owned = [r for r in data["results"]
             if ["NITC", "owner of vessel", r["caption"]] in [x["path"] for x in r["relations"]]]
    assert any(names(r, "DINO I") and r["decision"] in ("review", "match") for r in owned)


def test_holders_of_a_value_are_counted_as_listed_parties(env):
    # LLC CST's office is on OFAC's listing (2025 address file) and on the ZALA graph's, which
    # names OFAC's entry among its referents: one listed party, so the office is held by one
    # party however many lists repeat it, and the explanation says so.
    data = screen_json(NOBODY, "--schema", "Company", "--address", CST_REFORMATTED)
    hit = next(r for r in data["results"] if names(r, "LLC CST"))
    listing_ids = {li["id"] for li in hit["listings"]}
    assert "us_ofac_sdn:45928" in listing_ids and len(listing_ids) >= 2
    row = shared_rows(hit)[0]
    n = row["shared_by"]
    assert not row["weak"] and 1 <= n < 5
    assert f"shared by {n} listed part{'y' if n == 1 else 'ies'}" in row["detail"]


def test_address_holders_are_counted_by_party_at_build(env):
    from tradescreen.index.attributes import CANON_FILE, attributes_of

    screener = load_screener(load_settings())
    index = screener.index
    attrs = attributes_of(index)
    assert not (index.folder / CANON_FILE).exists()  # build-time only
    parties = index.parties
    # Every address of a listed party on several lists counts that party once: no address
    # held by one party alone is counted more than once.
    checked = 0
    for addr_id in range(len(attrs.addr_record)):
        pos = int(attrs.addr_record[addr_id])
        if parties.cluster_number(pos) >= 0 and int(attrs.addr_shared[addr_id]) == 1:
            checked += 1
    assert checked > 0
    cst = index.record_position("us_ofac_sdn:45928")
    assert len(parties.members(cst)) >= 2
    # OFAC's and the ZALA graph's listings of LLC CST give one office ("3/2 Perunovsky Lane,
    # Floor 3, Room 21, Moscow 127055, Russia"): one party holds it, not two captions.
    ofac = [int(attrs.addr_shared[a]) for a in range(len(attrs.addr_record))
            if int(attrs.addr_record[a]) == cst]
    assert ofac and set(ofac) == {1}
