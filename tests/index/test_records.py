"""Records keep the store's content hash: suppression and book alerts compare them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradescreen import sources
from tradescreen.config import Settings
from tradescreen.index.cache import iter_records
from tradescreen.index.records import content_hash, to_record
from tradescreen.store import open_store

LISTS = ("ofac/sdn_2024-05-03", "un/consolidated.xml", "csl/consolidated.csv.gz",
         "canada/sema-lmes.xml", "australia/regulation8_consolidated.xlsx",
         "opensanctions/yente_fixtures/zala_entities.ftm.json")


@pytest.mark.parametrize("rel", LISTS)
def test_content_hash_is_the_entitys(data_dir: Path, rel: str) -> None:
    entities = sources.read(data_dir / rel).entities
    assert entities
    assert [content_hash(e) for e in entities] == [e.content_hash() for e in entities]


@pytest.mark.parametrize("rel", ("un/consolidated.xml", "canada/sema-lmes.xml"))
def test_build_takes_the_stores_hash(tmp_path: Path, data_dir: Path, rel: str) -> None:
    """An index build reads each entity's hash from the store instead of rehashing it: the
    records are those made from the entities alone."""
    with open_store(Settings(home=tmp_path)) as store:
        store.import_list(sources.read(data_dir / rel))
        ids = [s.id for s in store.active_snapshots()]
        built = list(iter_records(store, ids))
        plain = [to_record(e, sid) for sid in ids for e in store.iter_entities(sid)]
    assert len(built) > 100 and built == plain
