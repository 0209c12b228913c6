"""Every example gets the decision and reason kinds a compliance officer would expect."""

from __future__ import annotations

import json

import pytest

from tradescreen.cli import app
from tradescreen.screen.tx_model import parse_transaction

from .helpers import EXAMPLES, runner

EXPECTED = {
    "clear_de_fr_machine_parts.json": ("clear", set()),
    "block_shahed_chain_uae_caspian.json": ("block", {
        ("party", "PARTY_MATCH"), ("goods", "CHPL_HIGH_PRIORITY"), ("goods", "UAV_COMPONENT"),
        ("route", "EMBARGOED_JURISDICTION"), ("route", "PORT_OF_CONCERN"),
        ("route", "TRANSSHIPMENT_RISK"), ("red_flag", "RF-FB23-01"), ("red_flag", "RF-TS23-07"),
        ("red_flag", "RF-TS23-02"),
    }),
    "block_shahed_chain_central_asia.json": ("block", {
        ("party", "PARTY_MATCH"), ("goods", "CHPL_HIGH_PRIORITY"), ("goods", "UAV_COMPONENT"),
        ("route", "PORT_OF_CONCERN"), ("route", "TRANSSHIPMENT_RISK"),
        ("red_flag", "RF-BIS-03"), ("red_flag", "RF-FB23G-02"), ("red_flag", "RF-TS23-06"),
    }),
    "block_vessel_by_imo.json": ("block", {("party", "PARTY_MATCH")}),
    "block_ownership_aggregated.json": ("block", {("ownership", "OWNERSHIP_50_PERCENT")}),
    "review_ownership_minority.json": ("review", {("ownership", "OWNERSHIP_LISTED_MINORITY")}),
    "review_red_flags_turkey.json": ("review", {
        ("goods", "CHPL_ITEM"), ("red_flag", "RF-BIS-03"), ("red_flag", "RF-BIS-05"),
        ("red_flag", "RF-FB23-01"),
    }),
    "block_embargo_cuba.json": ("block", {("route", "EMBARGOED_JURISDICTION")}),
}


def screen(path) -> dict:
    result = runner.invoke(app, ["screen-tx", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_every_example_is_covered():
    assert {p.name for p in EXAMPLES.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_decision_and_reasons(txs, name):
    # In process (the CLI path is covered below): loading the index per call costs seconds.
    decision, kinds = EXPECTED[name]
    data = txs.screen(parse_transaction(json.loads((EXAMPLES / name).read_text()))).to_dict()
    assert data["decision"] == decision
    got = {(r["check"], r["code"]) for r in data["reasons"]}
    assert kinds <= got, kinds - got
    assert set(data) >= {"id", "decision", "reasons", "parties", "snapshot"}
    assert data["snapshot"]["controls"].startswith("controls-")
    for reason in data["reasons"]:
        assert set(reason) >= {"check", "code", "text", "severity", "citation", "evidence"}
        if reason["severity"] != "info":
            assert reason["citation"]["source"], reason
            assert reason["citation"]["url"].startswith("http"), reason


def test_vessel_found_by_imo_despite_another_name(env):
    data = screen(EXAMPLES / "block_vessel_by_imo.json")  # through the CLI, --json contract
    vessel = [r for r in data["reasons"] if r["code"] == "PARTY_MATCH"][0]
    assert vessel["evidence"]["identifier_match"] is True
    assert vessel["evidence"]["caption"] == "EBANO"


def test_alabuga_end_user_by_registration_number(txs):
    raw = json.loads((EXAMPLES / "block_shahed_chain_uae_caspian.json").read_text())
    data = txs.screen(parse_transaction(raw)).to_dict()
    hits = [r["evidence"] for r in data["reasons"] if r["code"] == "PARTY_MATCH"]
    assert any(h["source_id"] == "45713" and h["identifier_match"] for h in hits)


def test_many_transactions_as_json_lines_and_human_report(env, tmp_path):
    lines = [json.dumps(json.loads((EXAMPLES / n).read_text())) for n in sorted(EXPECTED)]
    path = tmp_path / "book.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["screen-tx", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["decision"] for r in rows] == [EXPECTED[n][0] for n in sorted(EXPECTED)]
    array = tmp_path / "book.json"
    array.write_text("[" + ",".join(lines) + "]")
    human = runner.invoke(app, ["screen-tx", str(array)])
    assert human.exit_code == 0
    assert "BLOCK" in human.stdout and "CLEAR" in human.stdout and "source:" in human.stdout
    failing = runner.invoke(app, ["screen-tx", str(array), "--fail-on", "block"])
    assert failing.exit_code == 2
