"""`lists import` of OFAC add/alt/comments files without their primary file, and the file archive.

Real OFAC files through the real Typer app and store. The 2025 add/alt/comments in the shared
data are newer than any sdn.csv there, so they can only be imported on top of an earlier sdn.csv.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradescreen import sources
from tradescreen.cli import app
from tradescreen.config import load_settings
from tradescreen.sources.base import SourceError, SupplementOnly
from tradescreen.store import open_store

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str) -> dict:
    code, out, err = run(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def db_state() -> str | None:
    """The database's bytes as a hash, None if there is no database."""
    db = load_settings().db_path
    return sha256(db) if db.exists() else None


def assert_archive_complete() -> None:
    """Every file any snapshot names is in the archive, with those very bytes."""
    settings = load_settings()
    with open_store(settings) as store:
        snaps = [s for source in store.sources() for s in store.snapshots(source)]
    assert snaps
    for snap in snaps:
        for name, digest in snap.files.items():
            archived = settings.home / "files" / digest
            assert archived.is_file(), f"{snap.id}: {name} not archived"
            assert sha256(archived) == digest


@pytest.fixture()
def ofac(data_dir: Path) -> Path:
    return data_dir / "ofac"


@pytest.fixture()
def supplement(ofac: Path) -> Path:
    return ofac / "sdn_2025-02_add_alt_comments"


def test_read_alone_is_refused_with_the_source(supplement: Path) -> None:
    # The reader stays store-free: alone, the files are an error that names their list.
    with pytest.raises(SupplementOnly, match="without its primary file") as info:
        sources.read(supplement)
    assert info.value.source == "us_ofac_sdn"
    assert sorted(p.name for p in info.value.files) == ["add.csv", "alt.csv", "sdn_comments.csv"]
    assert isinstance(info.value, SourceError)


def test_supplement_on_active_sdn(home: Path, ofac: Path, supplement: Path) -> None:
    sdn = ofac / "sdn_2024-05-03" / "sdn.csv"
    base = run_json("lists", "import", str(sdn.parent))["snapshot"]
    assert (home / "files" / sha256(sdn)).is_file()

    result = run_json("lists", "import", str(supplement))
    assert result["status"] == "imported"
    assert (result["source"], result["entities"]) == ("us_ofac_sdn", 14965)
    assert (result["base_snapshot"], result["replaced"]) == (base, base)
    # SOURCE.md: 2,111 add and 945 alt ent_nums have no primary record on 2024-05-03.
    assert result["orphans"]["add.csv"] == 2111 and result["orphans"]["alt.csv"] == 945
    assert result["hashes"] == {
        "sdn.csv": sha256(sdn),
        **{name: sha256(supplement / name) for name in ("add.csv", "alt.csv", "sdn_comments.csv")},
    }
    new = result["snapshot"]
    assert new != base

    status = run_json("lists", "status")
    assert [(s["source"], s["snapshot"], s["entities"]) for s in status] == [
        ("us_ofac_sdn", new, 14965)
    ]
    with open_store(load_settings()) as store:
        alabuga = store.entity(new, "45708")
        before = store.entity(base, "45708")
    assert alabuga is not None and before is not None
    # The alias that lets "АО ОЭЗ ППТ «Алабуга»" find the record exists only in the 2025 alt.csv.
    assert "AO OEZ PPT ALABUGA" in {n.value for n in alabuga.names}
    assert "AO OEZ PPT ALABUGA" not in {n.value for n in before.names}
    assert alabuga.addresses and all(a.country == "ru" for a in alabuga.addresses)
    assert any("Yelabuga" in a.full for a in alabuga.addresses)

    diff = run_json("lists", "diff", "us_ofac_sdn")
    assert (diff["from"], diff["to"]) == (base, new)
    assert "45708" in {c["source_id"] for c in diff["changed"]}
    assert not diff["added"] and not diff["removed"]  # the entities are sdn.csv's

    again = run_json("lists", "import", str(supplement))
    assert (again["status"], again["snapshot"]) == ("unchanged", new)
    assert again["orphans"]["add.csv"] == 2111

    code, out, _ = run("lists", "import", str(supplement))  # human output reports orphans too
    assert code == 0 and "unchanged" in out
    assert "2,111 in add.csv" in out and "945 in alt.csv" in out
    assert_archive_complete()


def test_supplement_replaces_the_old_add_and_alt(
    home: Path, tmp_path: Path, ofac: Path, supplement: Path
) -> None:
    full = ofac / "sdn_2021-07_full_set"
    base = run_json("lists", "import", str(full))
    only_alt = tmp_path / "alt_only"
    only_alt.mkdir()
    shutil.copyfile(supplement / "alt.csv", only_alt / "alt.csv")

    result = run_json("lists", "import", str(only_alt))
    assert result["status"] == "imported" and result["entities"] == base["entities"] == 8976
    assert result["hashes"] == {
        "sdn.csv": base["hashes"]["sdn.csv"], "alt.csv": sha256(only_alt / "alt.csv")
    }
    with open_store(load_settings()) as store:
        old = {e.source_id: e for e in store.iter_entities(base["snapshot"])}
        new = {e.source_id: e for e in store.iter_entities(result["snapshot"])}
    # OFAC's files are one set: no add.csv given means no addresses, not the 2021 ones kept.
    assert sum(bool(e.addresses) for e in old.values()) > 5000
    assert not any(e.addresses for e in new.values())
    assert old.keys() == new.keys()


def test_supplement_without_sdn_snapshot_is_refused(
    home: Path, ofac: Path, supplement: Path
) -> None:
    code, out, err = run("lists", "import", str(supplement))
    assert code == 1 and "import sdn.csv first" in err and "Traceback" not in out + err
    assert db_state() is None  # not even created

    run_json("lists", "import", str(ofac / "consolidated_nonsdn_csv"))
    before = db_state()
    code, _, err = run("lists", "import", str(supplement))
    assert code == 1 and "no active us_ofac_sdn snapshot" in err and "import sdn.csv first" in err
    assert db_state() == before
    assert [s["source"] for s in run_json("lists", "status")] == ["us_ofac_cons"]


def test_unarchived_primary_is_refused_until_reimported(
    home: Path, ofac: Path, supplement: Path
) -> None:
    sdn = ofac / "sdn_2024-05-03"
    base = run_json("lists", "import", str(sdn))["snapshot"]
    # As if imported by a tradescreen that did not archive yet.
    (home / "files" / sha256(sdn / "sdn.csv")).unlink()
    before = db_state()
    code, _, err = run("lists", "import", str(supplement))
    assert code == 1 and "sdn.csv" in err and "is not archived; re-import" in err
    assert db_state() == before

    # Re-importing the same file is a no-op for the store but archives the file.
    assert run_json("lists", "import", str(sdn))["status"] == "unchanged"
    result = run_json("lists", "import", str(supplement))
    assert (result["status"], result["base_snapshot"]) == ("imported", base)


def test_consolidated_supplement(home: Path, tmp_path: Path, ofac: Path) -> None:
    cons = ofac / "consolidated_nonsdn_csv"
    rest = tmp_path / "cons_rest"
    rest.mkdir()
    for name in ("cons_add.csv", "cons_alt.csv", "cons_comments.csv"):
        shutil.copyfile(cons / name, rest / name)

    code, _, err = run("lists", "import", str(rest))
    assert code == 1 and "import cons_prim.csv first" in err
    assert db_state() is None

    base = run_json("lists", "import", str(cons / "cons_prim.csv"))
    result = run_json("lists", "import", str(rest))
    assert (result["status"], result["source"], result["entities"]) == (
        "imported", "us_ofac_cons", 442
    )
    assert result["base_snapshot"] == base["snapshot"]
    assert result["orphans"] == {"cons_add.csv": 0, "cons_alt.csv": 0, "cons_comments.csv": 0}
    assert result["hashes"] == {name: sha256(cons / name) for name in sorted(
        ("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv")
    )}
    # Primary + supplement is the very list the four files make together.
    full = run_json("lists", "import", str(cons))
    assert (full["status"], full["snapshot"]) == ("unchanged", result["snapshot"])

    # An active snapshot read from XML has no cons_prim.csv to combine with.
    run_json("lists", "import", str(ofac / "consolidated_nonsdn_xml"))
    before = db_state()
    code, _, err = run("lists", "import", str(rest))
    assert code == 1 and "consolidated.xml, not cons_prim.csv" in err
    assert db_state() == before
    assert_archive_complete()


def test_every_ofac_folder_imports(home: Path, ofac: Path) -> None:
    # Sorted names put the consolidated folders first; each list's own sequence (2021 full set,
    # Feb 2024, May 2024, then the 2025 supplement) is the same in any order that sorts dates.
    folders = sorted(p for p in ofac.iterdir() if p.is_dir())
    assert "sdn_2025-02_add_alt_comments" in {p.name for p in folders}
    for folder in folders:
        code, out, err = run("lists", "import", str(folder), "--json")
        assert code == 0, f"{folder.name}: {err}"
        assert json.loads(out)["status"] == "imported", folder.name
    assert_archive_complete()
