"""The bench pair generator on the real lists: deterministic, labelled both ways, sound labels."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import variants  # noqa: E402

# Large enough for every category to get a few pairs, small enough to stay well under 20 s.
N_PAIRS = 700


@pytest.fixture(scope="module")
def records(data_dir: Path) -> list[variants.Record]:
    entities, _ = variants.load_lists(data_dir)
    return variants.prepare(entities)


@pytest.fixture(scope="module")
def pairs(records: list[variants.Record]) -> list[variants.Pair]:
    return variants.generate(records, N_PAIRS, seed=3)


def test_deterministic(records: list[variants.Record], pairs: list[variants.Pair]) -> None:
    again = variants.generate(records, N_PAIRS, seed=3)
    assert again == pairs
    assert variants.generate(records, N_PAIRS, seed=4) != pairs


def test_both_labels_balanced(pairs: list[variants.Pair]) -> None:
    positives = sum(p.is_match for p in pairs)
    negatives = len(pairs) - positives
    assert positives > 0 and negatives > 0
    assert 0.35 < positives / len(pairs) < 0.65


def test_every_category_present(pairs: list[variants.Pair]) -> None:
    present = {p.category for p in pairs}
    assert present == set(variants.CATEGORIES)
    for p in pairs:
        # Category names say the label: negatives are exactly the neg_* categories.
        assert p.is_match == (p.category in variants.POSITIVE_CATEGORIES)
    assert {p.schema for p in pairs} >= {"Person", "Company", "Organization", "Vessel"}


def test_typo_positives_differ(pairs: list[variants.Pair]) -> None:
    typos = [p for p in pairs if p.category == "typo"]
    assert typos
    for p in typos:
        assert p.name1 != p.name2
        assert p.name1.casefold() != p.name2.casefold()


def test_negatives_are_different_entities(pairs: list[variants.Pair]) -> None:
    negatives = [p for p in pairs if not p.is_match]
    for p in negatives:
        assert p.id1 != p.id2
        assert p.cluster1 != p.cluster2
    for p in pairs:
        if p.is_match:
            assert p.cluster1 == p.cluster2


def test_no_duplicate_or_empty_pairs(pairs: list[variants.Pair]) -> None:
    keys = [(p.schema, p.name1.casefold(), p.name2.casefold()) for p in pairs]
    assert len(keys) == len(set(keys))
    assert all(p.name1.strip() and p.name2.strip() for p in pairs)


def test_csv_layout(pairs: list[variants.Pair], tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    variants.write_csv(pairs[:5], path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "schema,name1,name2,is_match,category"
    assert len(lines) == 6
