"""Records keep the store's content hash: suppression and book alerts compare them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradescreen import sources
from tradescreen.index.records import content_hash

LISTS = ("ofac/sdn_2024-05-03", "un/consolidated.xml", "csl/consolidated.csv.gz",
         "canada/sema-lmes.xml", "australia/regulation8_consolidated.xlsx",
         "opensanctions/yente_fixtures/zala_entities.ftm.json")


@pytest.mark.parametrize("rel", LISTS)
def test_content_hash_is_the_entitys(data_dir: Path, rel: str) -> None:
    entities = sources.read(data_dir / rel).entities
    assert entities
    assert [content_hash(e) for e in entities] == [e.content_hash() for e in entities]
