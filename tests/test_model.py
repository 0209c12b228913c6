"""Entity serialisation: the fast `to_dict` is exactly what dataclasses.asdict gave."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from tradescreen import sources
from tradescreen.model import Entity


def _asdict(entity: Entity) -> dict:
    data = asdict(entity)
    data["properties"] = {k: list(v) for k, v in sorted(entity.properties.items())}
    return data


def test_to_dict_equals_asdict_on_real_lists(data_dir: Path) -> None:
    checked = 0
    for rel in ("opensanctions/yente_fixtures/zala_entities.ftm.json", "un/consolidated.xml",
                "canada/sema-lmes.xml"):
        for entity in sources.read(data_dir / rel).entities:
            assert entity.to_dict() == _asdict(entity)
            assert Entity.from_json(entity.to_json()) == entity
            checked += 1
    assert checked > 1000
