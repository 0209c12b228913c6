"""Alerts opened by `book rescreen` carry their book, row id and explanation; `cases list`
pages, filters and counts instead of stopping silently at 1,000."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradescreen.cli import app

runner = CliRunner()
LIST = Path("ofac") / "consolidated_nonsdn_csv"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str):
    code, out, err = run(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def _names(data_dir: Path) -> list[tuple[str, str]]:
    """(OFAC id, "First Last") of the list's individuals, written as a customer would."""
    rows = []
    with (data_dir / LIST / "cons_prim.csv").open(encoding="latin-1") as fh:
        for row in csv.reader(fh):
            if len(row) > 2 and row[2].strip() == "individual" and ", " in row[1]:
                last, first = row[1].split(", ", 1)
                rows.append((row[0], f"{first} {last.title()}"))
    return rows


@pytest.fixture()
def book(home: Path, data_dir: Path, tmp_path: Path) -> dict:
    run_json("lists", "import", str(data_dir / LIST))
    names = _names(data_dir)[:40]
    path = tmp_path / "customers.csv"
    path.write_text("id,name,schema\n" + "".join(
        f"cust-{i:03d},{name},Person\n" for i, (_, name) in enumerate(names)))
    assert run_json("book", "import", "crm", str(path))["added"] == len(names)
    rescreen = run_json("book", "rescreen", "crm", "--workers", "1")
    assert len(rescreen["new"]) >= 30
    return {"names": names, "rescreen": rescreen}


def test_book_alerts_carry_book_row_and_explanation(book: dict) -> None:
    new = {(a["row_id"], a["source_id"]): a for a in book["rescreen"]["new"]}
    listed = run_json("cases", "list", "--limit", "1000")
    assert len(listed) == len(new)
    for case in listed:
        assert case["book"] == "crm" and case["row_id"].startswith("cust-")
        assert (case["row_id"], case["source_id"]) in new
        assert round(case["score"], 4) == new[(case["row_id"], case["source_id"])]["score"]
    shown = run_json("cases", "show", str(listed[0]["id"]))
    assert shown["book"] == "crm" and shown["row_id"] == listed[0]["row_id"]
    features = {f["feature"] for f in shown["explanation"]}
    assert shown["explanation"] and any(f.startswith("name") for f in features), features
    code, out, _ = run("cases", "show", str(listed[0]["id"]))
    assert code == 0 and "name" in out
    # The re-screen itself is in the audit record, with its book.
    records = [json.loads(line) for line in run("audit", "export")[1].splitlines()]
    screening = [r for r in records if r["kind"] == "screening"][-1]
    assert screening["subject"] == "book:crm"
    assert json.loads(screening["data"])["book"] == "crm"


def test_rescreen_with_nothing_new_is_still_recorded(book: dict) -> None:
    before = run("audit", "export")[1].splitlines()
    again = run_json("book", "rescreen", "crm", "--workers", "1")
    assert again["new"] == []
    after = [json.loads(line) for line in run("audit", "export")[1].splitlines()]
    assert len(after) == len(before) + 1
    data = json.loads(after[-1]["data"])
    assert after[-1]["kind"] == "screening" and data["book"] == "crm" and data["new"] == 0


def test_cases_list_pages_filters_and_counts(book: dict) -> None:
    total = len(book["rescreen"]["new"])
    code, out, err = run("cases", "list", "--json", "--limit", "10")
    assert code == 0 and len(json.loads(out)) == 10
    assert f"1-10 of {total}" in err and "--offset 10" in err
    everything = run_json("cases", "list", "--limit", "1000")
    pages = []
    for page in range(1, total // 10 + 2):
        pages += run_json("cases", "list", "--limit", "10", "--page", str(page))
    assert [a["id"] for a in pages] == [a["id"] for a in everything]
    assert run_json("cases", "list", "--limit", "7", "--offset", "7") == everything[7:14]
    assert len(run_json("cases", "list", "--book", "crm")) == total
    assert run_json("cases", "list", "--book", "other") == []
    assert len(run_json("cases", "list", "--source", "us_ofac_cons")) == total
    assert run_json("cases", "list", "--source", "un_sc") == []
    day = everything[0]["created_at"][:10]
    assert len(run_json("cases", "list", "--since", day, "--until", day)) == total
    assert run_json("cases", "list", "--until", "2000-01-01") == []
    code, out, err = run("cases", "list", "--limit", "5")
    assert code == 0 and f"of {total}" in out
    for bad in (["--since", "yesterday"], ["--page", "2", "--offset", "3"]):
        code, _, err = run("cases", "list", *bad)
        assert code == 1 and err.strip(), bad


def test_api_cases_list_pages_and_counts(book: dict) -> None:
    import asyncio

    import httpx

    from tradescreen.api import create_app
    from tradescreen.api.config import ApiConfig
    from tradescreen.cli.screen import load_screener
    from tradescreen.config import load_settings

    settings = load_settings()
    api = create_app(settings, screener=load_screener(settings),
                     config=ApiConfig(require_keys=False))
    total = len(book["rescreen"]["new"])

    async def get(params: dict) -> httpx.Response:
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/cases", params=params)

    page = asyncio.run(get({"limit": 5, "offset": 5, "book": "crm"})).json()
    assert page["total"] == total and (page["offset"], page["limit"]) == (5, 5)
    assert len(page["alerts"]) == 5 and page["alerts"][0]["book"] == "crm"
    assert asyncio.run(get({"source": "un_sc"})).json()["total"] == 0
    assert asyncio.run(get({"since": "someday"})).status_code == 400
