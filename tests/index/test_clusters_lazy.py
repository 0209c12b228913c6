"""The listed parties read cluster by cluster from the mapped clusters.json, the same as parsing
it whole: numbers, members, clusters and their order, with and without analysts' splits.

Parsing the whole file cost 160 MB of Python objects and 2.3 s per process at 1.5 M entities,
pages every forked API or screen-file worker then copied as it touched them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from tradescreen.cli import app
from tradescreen.config import load_settings
from tradescreen.index.clusters import CLUSTERS_FILE, PARTY_FILE, Parties, _apply_splits

runner = CliRunner()
LISTS = ("ofac/sdn_2024-05-03", "un/consolidated.xml", "canada/sema-lmes.xml",
         "australia/regulation8_consolidated.xlsx", "csl/consolidated.csv.gz")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    from tradescreen.cli.screen import load_screener

    home = tmp_path_factory.mktemp("clusters-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRADESCREEN_HOME", str(home))
        for path in LISTS:
            result = runner.invoke(app, ["lists", "import", str(data_dir / path)])
            assert result.exit_code == 0, result.stderr
        index = load_screener(load_settings()).index
    assert (index.folder / CLUSTERS_FILE).exists() and (index.folder / PARTY_FILE).exists()
    return Path(index.folder)


class Whole:
    """The reading before: the whole file parsed, the splits applied to the list."""

    def __init__(self, folder: Path, apart: Any) -> None:
        raw = orjson.loads((folder / CLUSTERS_FILE).read_bytes())["clusters"]
        self.clusters = _apply_splits(raw, apart) if apart else raw
        self.numbers = {m: n for n, item in enumerate(self.clusters) for m in item["members"]}


def _same(folder: Path, apart: Any) -> Parties:
    lazy, whole = Parties(folder, apart), Whole(folder, apart)
    assert lazy._starts is not None, "the layout of clusters.json was not recognised"
    positions = len(lazy._party)
    for pos in range(positions):
        number = whole.numbers.get(pos, -1)
        assert lazy.cluster_number(pos) == (number if apart else int(lazy._party[pos]))
        expected = None if number < 0 else whole.clusters[number]
        assert lazy.cluster(pos) == expected
        assert lazy.members(pos) == ((pos,) if expected is None else tuple(expected["members"]))
    assert list(lazy) == whole.clusters
    return lazy


def test_one_cluster_is_parsed_when_one_party_is_asked_for(folder: Path) -> None:
    parties = Parties(folder)
    pos = next(p for p in range(len(parties._party)) if parties._party[p] >= 0)
    item = parties.cluster(pos)
    assert item is not None and pos in item["members"] and len(item["members"]) >= 2
    assert parties._parsed.cache_info().currsize == 1
    assert "_whole" not in vars(parties)  # nothing else of the file became objects


def test_every_position_reads_as_the_whole_file_parsed(folder: Path) -> None:
    whole = Whole(folder, ())
    assert len(whole.clusters) >= 50  # the real lists list the same parties many times
    _same(folder, ())


def test_splits_keep_the_numbers_members_and_order_of_the_whole_file(folder: Path) -> None:
    clusters = Whole(folder, ()).clusters
    bigger = [c for c in clusters if len(c["ids"]) >= 3]
    assert len(bigger) >= 3
    # A listing moved out of three parties (early, middle, last of the file), and a split of
    # ids no cluster holds together (it changes nothing).
    chosen = [bigger[0], bigger[len(bigger) // 2], bigger[-1]]
    apart = [(frozenset(c["ids"][:1]), frozenset(c["ids"][1:])) for c in chosen]
    apart.append((frozenset(bigger[0]["ids"][:1]), frozenset(bigger[1]["ids"][:1])))
    lazy = _same(folder, apart)
    assert set(lazy._split) == {clusters.index(c) for c in chosen}
    for c in chosen:  # the moved listing left its party
        moved = c["members"][0]
        assert all(p.get("split") for p in lazy._split[clusters.index(c)])
        item = lazy.cluster(moved)
        assert item is None or item["members"] != c["members"]
