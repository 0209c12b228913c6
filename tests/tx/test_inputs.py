"""Bad input of every kind: a clear error naming the field, exit 1, never a traceback."""

from __future__ import annotations

import json

import pytest

from tradescreen.cli import app
from tradescreen.screen.tx_model import TxInputError, parse_transaction

from .helpers import EXAMPLES, runner

GOOD = json.loads((EXAMPLES / "clear_de_fr_machine_parts.json").read_text())


def broken(path: str, value):
    tx = json.loads(json.dumps(GOOD))
    keys = path.strip("/").split("/")
    target = tx
    for key in keys[:-1]:
        target = target[int(key) if key.isdigit() else key]
    last = keys[-1]
    if value is KeyError:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return tx


CASES = [
    ("/parties", [], "/parties"),
    ("/parties", KeyError, "/parties"),
    ("/parties", "ACME", "/parties"),
    ("/parties/1/role", "shipper", "/parties/1/role"),
    ("/parties/1/name", 42, "/parties/1/name"),
    ("/parties/1/country", "Atlantis", "/parties/1/country"),
    ("/parties/1/incorporated", "last year", "/parties/1/incorporated"),
    ("/parties/1/owners", [{"name": "X", "share": "half"}], "/parties/1/owners/0/share"),
    ("/parties/1/owners", [{"name": "X", "share": 0.7}, {"name": "Y", "share": 0.6}],
     "/parties/1/owners"),
    ("/goods/0/hs_code", "85A2.31", "/goods/0/hs_code"),
    ("/goods/0/hs_code", "12", "/goods/0/hs_code"),
    ("/goods/0/quantity", "forty", "/goods/0/quantity"),
    ("/goods", {"hs_code": "8483.40"}, "/goods"),
    ("/route/transit", "tr", "/route/transit"),
    ("/route/destination", "Narnia", "/route/destination"),
    ("/end_user_statement", "yes", "/end_user_statement"),
]


@pytest.mark.parametrize(("path", "value", "pointer"), CASES)
def test_parse_errors_name_the_field(path, value, pointer):
    with pytest.raises(TxInputError) as err:
        parse_transaction(broken(path, value))
    assert err.value.pointer == pointer
    assert str(err.value).startswith(pointer + ": ")


def test_not_an_object():
    with pytest.raises(TxInputError, match="expected an object"):
        parse_transaction([1, 2])


def test_unknown_fields_are_kept_and_countries_cleaned():
    tx = parse_transaction({**GOOD, "incoterm": "DAP", "parties": [
        {**GOOD["parties"][1], "country": "FRANCE", "vat": "FR123"}]})
    assert tx.extra == {"incoterm": "DAP"}
    assert tx.parties[0].extra == {"vat": "FR123"} and tx.parties[0].country == "fr"
    assert parse_transaction({**GOOD, "goods": [{"hs_code": "8542.31.0000"}]}).goods[0].hs6 \
        == "854231"


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "invalid JSON"),
    ("ACME", "not JSON"),
    ("", "empty input"),
    ('{"parties": [{"role": "buyer", "name": "A", "country": "zz-unknown"}]}',
     "/parties/0/country"),
    ('{"id": "x", "parties": []}', "/parties"),
    ('{"parties": [{"role": "buyer", "name": "A"}], "goods": [{"hs_code": "abc"}]}',
     "/goods/0/hs_code"),
])
def test_cli_refuses_bad_single_input(env, tmp_path, content, message):
    path = tmp_path / "tx.json"
    path.write_text(content)
    result = runner.invoke(app, ["screen-tx", str(path), "--json"])
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_cli_batch_reports_bad_lines_and_exits_1(env, tmp_path):
    good = json.dumps(GOOD)
    path = tmp_path / "many.jsonl"
    path.write_text(good + "\n" + json.dumps({"id": "bad", "parties": [{"role": "pilot",
                                                                        "name": "A"}]}) + "\n")
    result = runner.invoke(app, ["screen-tx", str(path), "--json"])
    assert result.exit_code == 1
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert rows[0]["decision"] == "clear"
    assert rows[1]["id"] == "bad" and rows[1]["field"] == "/parties/0/role"
    bad_line = tmp_path / "broken.jsonl"
    bad_line.write_text(good + "\n{oops\n")
    result = runner.invoke(app, ["screen-tx", str(bad_line)])
    assert result.exit_code == 1 and "line 2" in result.stderr


def test_missing_file(env):
    result = runner.invoke(app, ["screen-tx", "no-such-file.json"])
    assert result.exit_code == 1 and "no such file" in result.stderr


def test_schema_accepts_every_example():
    import jsonschema

    schema = json.loads((EXAMPLES.parent / "schemas" / "transaction.schema.json").read_text())
    for path in EXAMPLES.glob("*.json"):
        jsonschema.validate(json.loads(path.read_text()), schema)
