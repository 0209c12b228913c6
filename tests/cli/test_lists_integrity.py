"""`lists import` refuses lists that lost a large share of entities, orders snapshots by
publication date, takes a publication date from the operator, and reports what a reader merged.

On cut and re-dated copies of the real files, through the real Typer app and store."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradescreen.cli import app
from tradescreen.config import load_settings
from tradescreen.sources import read as read_list
from tradescreen.store import open_store
from tradescreen.store.integrity import ImportRefused

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def import_audit() -> list[dict]:
    """The import records of the audit trail, as `audit export` writes them."""
    code, out, err = run("audit", "export")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    return [json.loads(r["data"]) | {"subject": r["subject"]}
            for r in records if r["kind"] == "import"]


def run_json(*args: str) -> dict:
    code, out, err = run(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def _active(source: str) -> dict:
    [snap] = [s for s in run_json("lists", "status") if s["source"] == source]
    return snap


@pytest.fixture()
def csl_cut(data_dir: Path, tmp_path: Path) -> Path:
    """The real CSL with its second half cut off at a line end, gzipped again."""
    data = gzip.decompress((data_dir / "csl" / "consolidated.csv.gz").read_bytes())
    end = data.index(b"\n", len(data) // 2) + 1
    path = tmp_path / "cut" / "consolidated.csv.gz"
    path.parent.mkdir()
    path.write_bytes(gzip.compress(data[:end]))
    return path


def test_csl_cut_at_a_line_end_is_refused_unless_allowed(
    home: Path, data_dir: Path, csl_cut: Path
) -> None:
    full = run_json("lists", "import", str(data_dir / "csl" / "consolidated.csv.gz"))
    assert full["entities"] == 14159

    code, out, err = run("lists", "import", str(csl_cut))
    assert code == 1 and out == ""
    message = " ".join(err.split())
    assert f"the active snapshot {full['snapshot']} has 14,159" in message
    assert "--allow-shrink" in message
    assert _active("us_csl")["snapshot"] == full["snapshot"]
    with open_store(load_settings()) as store:
        assert len(store.snapshots("us_csl")) == 1  # nothing written, not even inactive rows

    allowed = run_json("lists", "import", str(csl_cut), "--allow-shrink")
    assert allowed["status"] == "imported" and allowed["entities"] < 8000
    assert allowed["replaced"] == full["snapshot"]
    assert any("--allow-shrink" in w for w in allowed["warnings"])
    assert _active("us_csl")["snapshot"] == allowed["snapshot"]

    # The override and its warning are in the audit trail, not only on the operator's screen.
    first, second = import_audit()
    assert first["allow_shrink"] is False and first["active"] is True
    assert first["warnings"] == full["warnings"]  # the repeated CSL row
    assert second["subject"] == allowed["snapshot"]
    assert second["allow_shrink"] is True and second["active"] is True
    assert second["warnings"] == allowed["warnings"]
    assert any("--allow-shrink" in w for w in second["warnings"])
    assert second["encoding"] == {"consolidated.csv.gz": "utf-8"}


def test_repeated_csl_row_is_a_warning_of_the_import(home: Path, data_dir: Path) -> None:
    result = run_json("lists", "import", str(data_dir / "csl" / "consolidated.csv.gz"))
    [warning] = result["warnings"]
    assert "id 15268-CAP is on 2 records" in warning
    with open_store(load_settings()) as store:
        assert store.entity(result["snapshot"], "15268-CAP-2") is None
        assert store.entity(result["snapshot"], "15268-CAP") is not None
    # The human output says it too (on stderr, after the result table).
    code, out, err = run("lists", "import", str(data_dir / "csl" / "consolidated.csv.gz"))
    assert code == 0 and "unchanged" in out
    assert "warning: consolidated.csv.gz: id 15268-CAP is on 2 records" in " ".join(err.split())


def test_published_date_given_for_ofac_csv(home: Path, data_dir: Path) -> None:
    sdn = data_dir / "ofac" / "sdn_2024-05-03"
    result = run_json("lists", "import", str(sdn), "--published", "2024-05-03")
    assert result["published"] == "2024-05-03"
    assert result["snapshot"].startswith("us_ofac_sdn-20240503-")
    code, out, _ = run("lists", "status")
    assert code == 0 and "2024-05-03" in out


@pytest.mark.parametrize("value", ["2024-13-01", "yesterday", "2999-01-01"])
def test_bad_published_date_is_refused(home: Path, data_dir: Path, value: str) -> None:
    code, _, err = run("lists", "import", str(data_dir / "ofac" / "sdn_2024-05-03"),
                       "--published", value)
    assert code == 1 and "--published" in err
    assert not (home / "tradescreen.db").exists() or run_json("lists", "status") == []


def test_published_contradicting_the_list_is_refused(home: Path, data_dir: Path) -> None:
    un = data_dir / "un"
    stated = read_list(un).published
    assert stated
    code, _, err = run("lists", "import", str(un), "--published", "2020-01-01")
    assert code == 1
    assert f"the list states it was published on {stated[:10]}" in " ".join(err.split())


def test_older_publication_imported_later_is_kept_but_not_activated(
    home: Path, data_dir: Path
) -> None:
    may = run_json("lists", "import", str(data_dir / "ofac" / "sdn_2024-05-03"),
                   "--published", "2024-05-03")
    feb = run_json("lists", "import", str(data_dir / "ofac" / "sdn_2024-02-20"),
                   "--published", "2024-02-20")
    assert feb["status"] == "imported" and feb["active"] is False
    assert feb["replaced"] is None
    assert any("kept for --as-of, not activated" in w for w in feb["warnings"])
    assert _active("us_ofac_sdn")["snapshot"] == may["snapshot"]
    audited = {r["subject"]: r for r in import_audit()}
    assert audited[may["snapshot"]]["active"] is True
    assert audited[feb["snapshot"]]["active"] is False
    assert audited[feb["snapshot"]]["warnings"] == feb["warnings"]


def test_import_raced_by_another_import_of_the_same_list_is_refused(
    home: Path, data_dir: Path
) -> None:
    """Undated files: an import during which another import was activated cannot tell which
    is newer, so it is refused; with publication dates the later publication wins."""
    feb = read_list(data_dir / "ofac" / "sdn_2024-02-20")
    may = read_list(data_dir / "ofac" / "sdn_2024-05-03")
    with open_store(load_settings()) as store:
        started = store.last_seq()  # both imports begin on an empty store
        first = store.import_list(may, started_seq=started)
        with pytest.raises(ImportRefused, match="another import activated"):
            store.import_list(feb, started_seq=started)
        assert store.active_snapshot("us_ofac_sdn").id == first.snapshot.id
        assert len(store.snapshots("us_ofac_sdn")) == 1


def test_raced_imports_with_dates_keep_the_later_publication_active(
    home: Path, data_dir: Path
) -> None:
    feb = read_list(data_dir / "ofac" / "sdn_2024-02-20")
    may = read_list(data_dir / "ofac" / "sdn_2024-05-03")
    feb.published, may.published = "2024-02-20", "2024-05-03"
    with open_store(load_settings()) as store:
        started = store.last_seq()
        newer = store.import_list(may, started_seq=started)
        older = store.import_list(feb, started_seq=started)  # began before, finished after
        assert store.active_snapshot("us_ofac_sdn").id == newer.snapshot.id
        assert older.snapshot.active is False
