"""Each check's rules, in process on the real lists and the real domain data."""

from __future__ import annotations

import copy

import pytest

from tradescreen.screen.tx_model import parse_transaction

BASE = {
    "id": "T", "date": "2024-06-01",
    "parties": [
        {"role": "seller", "name": "Hoffmann Antriebstechnik GmbH", "country": "de",
         "website": "https://h.example", "incorporated": "1990-01-01"},
        {"role": "buyer", "name": "Ateliers Mecaniques du Rhone SAS", "country": "fr",
         "website": "https://a.example", "incorporated": "1980-01-01"},
    ],
    "goods": [{"hs_code": "8483.40", "description": "gearboxes", "quantity": 1, "unit_price": 10}],
    "route": {"origin": "de", "destination": "fr"},
    "payment": {"method": "wire", "payer_country": "fr"},
    "end_use": "own maintenance", "end_user_statement": True,
}


def run(txs, **changes):
    tx = copy.deepcopy(BASE)
    for key, value in changes.items():
        tx[key] = value
    result = txs.screen(parse_transaction(tx)).to_dict()
    return result, {(r["check"], r["code"], r["severity"]) for r in result["reasons"]}


def buyer(**fields):
    return [BASE["parties"][0], {**BASE["parties"][1], **fields}]


def test_base_is_clear(txs):
    result, kinds = run(txs)
    assert result["decision"] == "clear" and not kinds


@pytest.mark.parametrize("code", ["8542.31", "854231", "8542.31.0000", "8542 31 00"])
def test_hs_code_forms_all_hit_chpl_tier_1(txs, code):
    goods = [{"hs_code": code, "description": "parts"}]
    route = {"origin": "de", "destination": "ru"}
    result, kinds = run(txs, goods=goods, route=route)
    assert ("goods", "CHPL_HIGH_PRIORITY", "block") in kinds
    assert result["decision"] == "block"


def test_chpl_severity_depends_on_destination(txs):
    goods = [{"hs_code": "8542.31", "description": "microcontrollers"}]
    _, to_fr = run(txs, goods=goods)
    assert ("goods", "CHPL_HIGH_PRIORITY", "info") in to_fr
    result, to_kz = run(txs, goods=goods, route={"origin": "de", "destination": "kz"},
                        parties=buyer(country="kz"), payment={"payer_country": "kz"})
    assert ("goods", "CHPL_HIGH_PRIORITY", "review") in to_kz
    assert result["decision"] == "review"
    _, tier3 = run(txs, goods=[{"hs_code": "848210"}], route={"destination": "ru"})
    assert ("goods", "CHPL_ITEM", "review") in tier3


def test_heading_only_code_asks_for_six_digits(txs):
    _, kinds = run(txs, goods=[{"hs_code": "8542"}], route={"destination": "tr"},
                   parties=buyer(country="tr"), payment={"payer_country": "tr"})
    assert ("goods", "CHPL_HEADING", "review") in kinds


def test_uav_keywords_and_systems(txs):
    goods = [{"description": "GNSS receiver module and IMU for flight controller"}]
    _, to_ir = run(txs, goods=goods, route={"destination": "Iran"})
    assert ("goods", "UAV_COMPONENT", "block") in to_ir
    _, drone = run(txs, goods=[{"description": "agricultural spraying drone"}])
    assert ("goods", "UAV_SYSTEM", "review") in drone


def test_route_ports_embargo_and_transshipment(txs):
    route = {"origin": "de", "transit": ["Turkey"], "ports": ["Port Olya"], "destination": "ru"}
    result, kinds = run(txs, route=route)
    assert {("route", "PORT_OF_CONCERN", "review"), ("route", "TRANSSHIPMENT_RISK", "review"),
            ("route", "RUSSIA_BELARUS_EXPOSURE", "review")} <= kinds
    _, anzali = run(txs, route={"ports": ["Bandar-e Anzali"], "destination": "fr"})
    assert ("route", "PORT_OF_CONCERN", "block") in anzali
    _, crimea = run(txs, route={"destination": "Crimea"})
    assert ("route", "SANCTIONED_REGION", "block") in crimea
    result, kp = run(txs, payment={"payer_country": "KP"})
    assert ("route", "EMBARGOED_JURISDICTION", "block") in kp
    reason = [r for r in result["reasons"] if r["code"] == "EMBARGOED_JURISDICTION"][0]
    assert reason["citation"]["url"].startswith("https://")


def test_red_flags(txs):
    parties = buyer(incorporated="2024-01-10", website=None, line_of_business="flower shop",
                    address="Apt 3, 5 Rue X", email="buyer@gmail.com", ip_country="ru")
    notes = ["customer declined installation and training",
             "serial numbers removed before shipping", "AIS off near Makhachkala"]
    goods = [{"hs_code": "8542.31", "description": "unmarked chips", "quantity": 10,
              "unit_price": 5000}]
    result, kinds = run(txs, parties=parties, goods=goods, notes=notes,
                        route={"destination": "tr"}, end_use="stock", end_user_statement=False,
                        payment={"method": "crypto (USDT)", "payer_country": "ae"})
    codes = {c for check, c, _ in kinds if check == "red_flag"}
    assert {"RF-FB23-01", "RF-BIS-06", "RF-FB23G-02", "RF-BIS-03", "RF-FB23-03", "RF-TS23-05",
            "RF-BIS-08", "RF-UAV-02", "RF-TS23-02", "RF-BIS-13", "RF-BIS-05",
            "RF-TS23-07"} <= codes
    assert result["decision"] == "review"


def test_forwarder_as_end_user_and_lc_to_bank(txs):
    parties = [*BASE["parties"],
               {"role": "end_user", "name": "FastCargo Logistics FZE", "country": "fr"},
               {"role": "consignee", "name": "Banque Exemple SA", "country": "fr"},
               {"role": "bank", "name": "Banque Exemple SA", "country": "fr"}]
    _, kinds = run(txs, parties=parties, payment={"method": "letter of credit"})
    assert ("red_flag", "RF-BIS-10", "review") in kinds
    assert ("red_flag", "RF-FB23G-01", "review") in kinds


def test_young_company_alone_is_info_outside_diversion_context(txs):
    result, kinds = run(txs, parties=buyer(incorporated="2023-05-01"))
    assert ("red_flag", "RF-FB23-01", "info") in kinds
    assert result["decision"] == "clear"


def test_ownership_aggregates_listed_owners(txs):
    owners = [{"name": "Alabuga Development OOO", "share": 0.30},
              {"name": "Timur Nailevich Shagivaleev", "schema": "Person", "share": 0.25},
              {"name": "Jean Martin", "schema": "Person", "share": 0.45}]
    result, kinds = run(txs, parties=buyer(owners=owners))
    assert ("ownership", "OWNERSHIP_50_PERCENT", "block") in kinds
    reason = [r for r in result["reasons"] if r["check"] == "ownership"][0]
    assert reason["evidence"]["blocked_share"] == pytest.approx(0.55)
    assert reason["citation"]["url"]
    _, minority = run(txs, parties=buyer(owners=owners[:1]))
    assert ("ownership", "OWNERSHIP_LISTED_MINORITY", "review") in minority


def test_ownership_through_layers(txs):
    # An unlisted holding 60 % owned by a listed company is blocked; its 50 % stake counts fully.
    holding = {"name": "Rhone Participations Holding SARL", "share": 0.5,
               "owners": [{"name": "Alabuga Development OOO", "share": 0.6},
                          {"name": "Paul Girard", "schema": "Person", "share": 0.4}]}
    result, kinds = run(txs, parties=buyer(owners=[holding]))
    assert ("ownership", "OWNERSHIP_50_PERCENT", "block") in kinds
    evidence = [r for r in result["reasons"] if r["check"] == "ownership"][0]["evidence"]
    assert any(o["status"] == "blocked_by_ownership" for o in evidence["owners"])


def test_ownership_from_list_relations(txs):
    from tradescreen.model import Relation
    from tradescreen.screen.tx import TxScreener

    def relations(record):
        if record.source_id == "45714":  # ALABUGA DEVELOPMENT OOO: pretend the list gives shares
            return (Relation("subsidiary", "Rhone Precision SAS", share=0.7),)
        return ()

    screener = TxScreener(txs.screener, txs.reference, txs.policy, relations=relations)
    tx = copy.deepcopy(BASE)
    tx["parties"] = buyer(name="Rhone Precision SAS",
                          owners=[{"name": "Alabuga Development OOO", "share": 0.2}])
    result = screener.screen(parse_transaction(tx)).to_dict()
    assert result["decision"] == "block"
    assert any(r["code"] == "OWNERSHIP_50_PERCENT" for r in result["reasons"])


def test_emits_one_transaction_event(txs):
    from tradescreen.events import MemorySink
    from tradescreen.screen.tx import TxScreener

    sink = MemorySink()
    screener = TxScreener(txs.screener, txs.reference, txs.policy, sink=sink)
    screener.screen(parse_transaction(BASE))
    assert [e.kind for e in sink.events] == ["transaction"]
    assert sink.events[0].data["decision"] == "clear"


def test_policy_override(txs, tmp_path):
    from tradescreen.screen.policy import load_policy
    from tradescreen.screen.tx import TxScreener

    path = tmp_path / "policy.yaml"
    path.write_text("codes:\n  CHPL_HIGH_PRIORITY: block\n")
    screener = TxScreener(txs.screener, txs.reference, load_policy(path))
    tx = copy.deepcopy(BASE)
    tx["goods"] = [{"hs_code": "854231"}]
    assert screener.screen(parse_transaction(tx)).decision == "block"


def _domestic(**changes):
    """A German distributor sells microcontrollers to a German manufacturer, nothing else
    recorded: ordinary trade."""
    seller, buyer_ = BASE["parties"]
    tx = {"parties": [seller, {**buyer_, "name": "Krause Steuerungstechnik GmbH", "country": "de"}],
          "goods": [{"hs_code": "8542.31", "description": "microcontrollers", "quantity": 500,
                     "unit_price": 3.2}],
          "route": {"origin": "de", "destination": "de"},
          "payment": {"method": "wire", "payer_country": "de"}, "end_use": None,
          "end_user_statement": None}
    tx.update(changes)
    return tx


def test_domestic_chpl_sale_without_end_use_statement_is_clear(txs):
    result, kinds = run(txs, **_domestic())
    assert result["decision"] == "clear", result["reasons"]
    assert ("goods", "CHPL_HIGH_PRIORITY", "info") in kinds


def test_absent_statement_is_not_reluctance_even_in_an_export(txs):
    # The same parts exported to France, no end use recorded: a gap, recorded as info.
    tx = _domestic(route={"origin": "de", "destination": "fr"},
                   payment={"method": "wire", "payer_country": "fr"})
    tx["parties"][1]["country"] = "fr"
    result, kinds = run(txs, **tx)
    assert result["decision"] == "clear", result["reasons"]
    assert ("red_flag", "RF-BIS-02", "info") in kinds
    # A customer who gave no statement (false, in the data) to a transshipment country: review.
    tx["parties"][1]["country"] = "kz"
    result, kinds = run(txs, **{**tx, "route": {"origin": "de", "destination": "kz"},
                                "payment": {"method": "wire", "payer_country": "kz"},
                                "end_user_statement": False})
    assert ("red_flag", "RF-TS23-02", "review") in kinds


def test_export_red_flags_fire_only_for_exports(txs):
    faceless = {"incorporated": "2024-01-10", "website": None}
    home_tx = _domestic(end_use="stock", end_user_statement=False)
    home_tx["parties"][1].update(faceless)
    result, kinds = run(txs, **home_tx)
    flags = {(c, s) for check, c, s in kinds if check == "red_flag"}
    assert {("RF-FB23-01", "info"), ("RF-BIS-06", "info"), ("RF-FB23G-02", "info"),
            ("RF-BIS-13", "info"), ("RF-TS23-02", "info")} <= flags
    assert result["decision"] == "clear", result["reasons"]
    # The same deal declared an export (the client says so): every one of them is a review.
    result, kinds = run(txs, **{**home_tx, "export": True})
    flags = {(c, s) for check, c, s in kinds if check == "red_flag"}
    assert {("RF-FB23-01", "review"), ("RF-BIS-06", "review"), ("RF-FB23G-02", "review"),
            ("RF-BIS-13", "review"), ("RF-TS23-02", "review")} <= flags
    # Derived from the route: the buyer's country differs from the origin.
    abroad = _domestic(end_use="stock", end_user_statement=False,
                       route={"origin": "de", "destination": "am"},
                       payment={"method": "wire", "payer_country": "am"})
    abroad["parties"][1].update(faceless, country="am")
    assert run(txs, **abroad)[0]["decision"] == "review"


def test_forwarder_as_end_user_is_an_export_flag(txs):
    forwarder = {"role": "end_user", "name": "Spedition Meyer Logistik GmbH", "country": "de"}
    tx = _domestic(goods=[{"hs_code": "8483.40", "description": "gearboxes"}])
    tx["parties"] = [*tx["parties"], forwarder]
    assert ("red_flag", "RF-BIS-10", "info") in run(txs, **tx)[1]
    assert ("red_flag", "RF-BIS-10", "review") in run(txs, **{**tx, "export": True})[1]


def test_missing_destination_is_a_gap_not_a_red_flag(txs):
    result, kinds = run(txs, route={"origin": "de"}, parties=[BASE["parties"][0],
                        {**BASE["parties"][1], "country": None}])
    assert ("red_flag", "RF-BIS-09", "info") in kinds
    assert result["decision"] == "clear"


def test_export_must_be_a_boolean():
    from tradescreen.screen.tx_model import TxInputError

    with pytest.raises(TxInputError, match="/export"):
        parse_transaction({**BASE, "export": "yes"})


def test_bench_ordinary_trade_and_risky_set(txs):
    """bench/tx.py's sets: the transaction rules send <= 2 % of 1,000 ordinary transactions to
    review; every risky one stays caught."""
    import importlib.util
    import sys

    from .helpers import REPO

    sys.path.insert(0, str(REPO / "bench"))  # for its `common` import
    spec = importlib.util.spec_from_file_location("bench_tx", REPO / "bench" / "tx.py")
    assert spec is not None and spec.loader is not None
    bench_tx = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_tx)

    plain = list(txs.screen_many(bench_tx.ordinary(1000, 7)))
    by_rules = [t for t in plain if any(r["check"] != "party" and r["severity"] != "info"
                                        for r in t["reasons"])]
    assert len(by_rules) <= 20, [t["reasons"] for t in by_rules[:3]]
    danger = list(txs.screen_many(bench_tx.risky(7)))
    assert len(danger) >= 30
    assert [t["id"] for t in danger if t["decision"] == "clear"] == []


def test_chpl_trade_between_partner_countries_is_no_diversion_context(txs):
    # A French firm founded in 2023, no website on record, buys German microcontrollers: both
    # countries control exports to Russia as the US does, so its age and missing website are
    # recorded, not reviewed.
    young = {"incorporated": "2023-09-01", "website": None}
    chips = [{"hs_code": "8542.31", "description": "microcontrollers", "quantity": 500,
              "unit_price": 3.2}]
    result, kinds = run(txs, goods=chips, parties=buyer(**young))
    flags = {(c, s) for check, c, s in kinds if check == "red_flag"}
    assert {("RF-FB23-01", "info"), ("RF-BIS-06", "info"), ("RF-FB23G-02", "info")} <= flags
    assert result["decision"] == "clear", result["reasons"]
    # The same buyer in Thailand (no partner, no transshipment listing): the chips leave the
    # partner countries, so the same facts call for review.
    result, kinds = run(txs, goods=chips, parties=buyer(**young, country="th"),
                        route={"origin": "de", "destination": "th"},
                        payment={"method": "wire", "payer_country": "th"})
    flags = {(c, s) for check, c, s in kinds if check == "red_flag"}
    assert {("RF-FB23-01", "review"), ("RF-BIS-06", "review")} <= flags
    assert result["decision"] == "review"
    # Not controlled goods to Thailand: no diversion context either.
    result, _ = run(txs, parties=buyer(**young, country="th"),
                    route={"origin": "de", "destination": "th"},
                    payment={"method": "wire", "payer_country": "th"})
    assert result["decision"] == "clear", result["reasons"]


def test_young_faceless_buyer_of_ordinary_goods_abroad_is_clear(txs):
    # Office furniture to a young French firm without a website: an export, but no controlled
    # goods and no risky place: BIS's "little or no business background" is recorded only.
    result, kinds = run(txs, goods=[{"hs_code": "9403.60", "description": "office furniture"}],
                        parties=buyer(incorporated="2024-01-10", website=None))
    assert ("red_flag", "RF-BIS-06", "info") in kinds
    assert result["decision"] == "clear", result["reasons"]


def test_policy_partner_countries_are_validated():
    from tradescreen.screen.policy import PolicyError, load_policy, parse_policy

    assert {"no", "de", "us", "jp", "gb"} <= set(load_policy().params.partner_countries)
    assert parse_policy({"parameters": {"partner_countries": ["DE", "fr"]}}).params \
        .partner_countries == ("de", "fr")
    for bad in ("de", [False], ["deu"]):
        with pytest.raises(PolicyError, match="partner_countries"):
            parse_policy({"parameters": {"partner_countries": bad}})
