"""The listed parties of an index: which list entries are one party, and why.

Written at index build, beside the other files (`write`): the profiles of the entries are
collected while the records stream to disk, linked once every entry is in (`consolidate.link`),
and saved as

  clusters.json   per cluster: member positions and ids, each member's list, the links with
                  their evidence
  party.npy       int32, record position -> its cluster number (-1: a party of one listing)

Reading maps both files and parses a cluster's JSON when it is first asked for. Analysts'
splits (`consolidate.splits`, kept in the store) are applied when the index is opened: a split
cluster is joined again from its own links with the split's two sides kept apart, so a split
holds on every later index whatever the list updates changed.
"""

from __future__ import annotations

import hashlib
import mmap
import re
from collections.abc import Collection, Iterator
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from tradescreen.consolidate.link import Link, cluster, link_parties
from tradescreen.consolidate.profile import (
    Facts,
    Profile,
    entry_facts,
    make_profile,
    strong_slots,
)
from tradescreen.index.attributes import count_by_party
from tradescreen.index.keyed import map_array, map_bytes, save_array
from tradescreen.index.records import Record
from tradescreen.index.write import Shape
from tradescreen.model import Entity
from tradescreen.normalize.names import name_form

CLUSTERS_FILE = "clusters.json"
CLUSTER_CACHE = 4096  # parsed clusters per process (the hot parties of a busy API)
_HEAD = b'{"version":1,"clusters":['
_TAIL = b"]}"
_START = re.compile(rb'\{"members":\[')
PARTY_FILE = "party.npy"
# Tie-break between equally good listings: the most authoritative list first (the UN binds
# every member state; OFAC's SDN is what most counterparties screen against).
AUTHORITY = ("un_sc", "us_ofac_sdn", "us_ofac_cons", "eu_fsf", "gb_fcdo", "us_csl", "ca_sema",
             "au_dfat")

Apart = tuple[frozenset[str], frozenset[str]]


def authority(source: str) -> int:
    return AUTHORITY.index(source) if source in AUTHORITY else len(AUTHORITY)


def party_key(member_ids: Collection[str]) -> str:
    """A party's stable name: its anchor listing, the most authoritative list's entry.

    It stays the same while that listing stays listed, whatever other lists add or drop."""
    anchor = min(member_ids, key=lambda i: (authority(i.split(":", 1)[0]), i))
    return f"party:{anchor}"


def members_hash(member_hashes: Collection[tuple[str, str]]) -> str:
    """The content of a party: every listing's id and content hash. A new listing of the party,
    a dropped one or a changed one gives a new hash (a cleared party is raised again)."""
    text = "\n".join(f"{i} {h}" for i, h in sorted(member_hashes))
    return hashlib.sha256(text.encode()).hexdigest()


class Collector:
    """Profiles of the entries as they stream past, then the clusters file.

    The build normalises names (in worker processes for a large build) and hands each record's
    name tokens to `names`, so the profiles take the forms already made instead of normalising
    every name a second time; a record whose tokens never came is normalised at `write`."""

    def __init__(self) -> None:
        self.profiles: list[Profile] = []
        self._facts: list[Facts] = []
        self._strong: list[tuple[tuple[int, str], ...]] = []  # (slot, value) of strong names
        self._schema: list[str] = []
        self._shapes: dict[int, tuple[Shape, ...]] = {}

    def observe(self, entity: Entity, record: Record) -> None:
        self._facts.append(entry_facts(entity, record))
        self._strong.append(tuple((i, record.names[i][0]) for i in strong_slots(record)))
        self._schema.append(record.schema)

    def names(self, pos: int, shapes: tuple[Shape, ...]) -> None:
        """The index writer's name forms of record `pos` (one per `record.names` slot)."""
        self._shapes[pos] = shapes

    def _complete(self) -> list[Profile]:
        done: list[Profile] = []
        for pos, facts in enumerate(self._facts):
            shapes = self._shapes.get(pos)
            if shapes is None:
                schema = self._schema[pos]
                forms = [(f.tokens, f.legal_forms) for _i, value in self._strong[pos]
                         if (f := name_form(value, schema)).tokens]
            else:
                forms = [(shape[0], shape[2]) for i, _v in self._strong[pos]
                         if i < len(shapes) and (shape := shapes[i]) is not None]
            done.append(make_profile(pos, facts, forms))
        self._shapes.clear()
        self._facts.clear()
        return done

    def finish(self) -> list[Profile]:
        """Every observed entry's profile (the names not handed over normalised now)."""
        if self._facts:
            self.profiles = self._complete()
        return self.profiles

    def write(self, folder: Path) -> dict[str, int]:
        self.finish()
        links, groups = link_parties(self.profiles)
        list_key = {p.pos: p.list_key for p in self.profiles}
        party = np.full(len(self.profiles), -1, dtype=np.int32)
        by_root: dict[int, list[Link]] = {root: [] for root in groups}
        root_of: dict[int, int] = {}
        for number, (root, members) in enumerate(groups.items()):
            party[members] = number
            root_of.update(dict.fromkeys(members, root))
        for link in links:
            root = root_of.get(link.a)
            if root is not None and root == root_of.get(link.b):
                by_root[root].append(link)
        clusters = [
            {
                "members": members,
                "ids": [self.profiles[m].id for m in members],
                "lists": [list_key[m] for m in members],
                "links": [k.to_list() for k in by_root[root]],
            }
            for root, members in groups.items()
        ]
        (folder / CLUSTERS_FILE).write_bytes(orjson.dumps({"version": 1, "clusters": clusters}))
        save_array(folder / PARTY_FILE, party)
        count_by_party(folder, party)
        return {"clusters": len(clusters), "links": len(links),
                "clustered": int((party >= 0).sum())}


class Parties:
    """Read side: the party of a record position, its members, its key and its evidence.

    clusters.json is mapped, not parsed: at 1.5 M entities it is 30 MB of JSON that became
    160 MB of Python lists and dicts in every process (2.3 s to parse), pages that forked
    workers then copied as they touched them. The file is orjson's compact output, so each
    cluster object starts with the bytes `{"members":[` (inside a JSON string the quotes would
    be escaped): one scan finds where each cluster starts, and a cluster is parsed when a
    position of it is first asked for, through a small per-process LRU. Analysts' splits are
    applied to the clusters they touch (found by their listings' ids in the bytes), keeping
    the numbering and order of splitting the fully parsed list."""

    def __init__(self, folder: Path, apart: Collection[Apart] = ()) -> None:
        self.folder = folder
        self.apart = tuple(apart)
        self._party = map_array(folder / PARTY_FILE)
        self._parsed = lru_cache(maxsize=CLUSTER_CACHE)(self._parse)

    @cached_property
    def _bytes(self) -> mmap.mmap | bytes:
        return map_bytes(self.folder / CLUSTERS_FILE)

    @cached_property
    def _starts(self) -> np.ndarray | None:
        """Byte offset of each cluster object, then the end of the last; None when the file is
        not in the layout described above (then it is parsed whole, as before)."""
        data = self._bytes
        if data[: len(_HEAD)] != _HEAD or data[-len(_TAIL):] != _TAIL:
            return None
        starts = [m.start() for m in _START.finditer(data)]
        if starts and starts[0] != len(_HEAD):
            return None
        count = int(self._party.max()) + 1 if len(self._party) else 0
        if len(starts) != count:  # every cluster has members in party.npy
            return None
        return np.array([*starts, len(data) - len(_TAIL) + 1], dtype=np.int64)

    @cached_property
    def _whole(self) -> list[dict[str, Any]]:
        """Every cluster parsed (the layout was not recognised), the splits applied."""
        raw = orjson.loads(bytes(self._bytes))["clusters"]
        return _apply_splits(raw, self.apart) if self.apart else raw

    def _parse(self, raw: int) -> dict[str, Any]:
        starts = self._starts
        assert starts is not None
        # Each object is followed by its separating comma (the last one by `]`).
        return orjson.loads(self._bytes[int(starts[raw]) : int(starts[raw + 1]) - 1])

    @cached_property
    def _split(self) -> dict[int, list[dict[str, Any]]]:
        """Raw cluster number -> its pieces, for the clusters a split touches."""
        if not self.apart:
            return {}
        starts = self._starts
        assert starts is not None
        data = self._bytes
        touched: set[int] = set()
        for left, right in self.apart:
            for member_id in (*left, *right):
                needle = orjson.dumps(member_id)
                at = data.find(needle)
                while at >= 0:
                    touched.add(int(np.searchsorted(starts, at, side="right")) - 1)
                    at = data.find(needle, at + 1)
        out: dict[int, list[dict[str, Any]]] = {}
        for raw in sorted(touched):
            if 0 <= raw < len(starts) - 1:
                item = self._parse(raw)
                pieces = _apply_splits([item], self.apart)
                if pieces != [item]:
                    out[raw] = pieces
        return out

    @cached_property
    def _numbers(self) -> dict[int, int]:
        """Position -> cluster number for the members of split clusters; the numbers of the
        others shift by the pieces before them (`_shift`)."""
        numbers: dict[int, int] = {}
        extra = 0
        for raw, pieces in sorted(self._split.items()):
            for k, piece in enumerate(pieces):
                numbers.update(dict.fromkeys(piece["members"], raw + extra + k))
            extra += len(pieces) - 1
        return numbers

    def _shift(self, raw: int) -> int:
        return raw + sum(len(p) - 1 for r, p in self._split.items() if r < raw)

    def cluster_number(self, pos: int) -> int:
        if self._starts is None:
            return self._whole_numbers.get(pos, -1) if self.apart else int(self._party[pos])
        raw = int(self._party[pos])
        if raw < 0 or not self._split:
            return raw
        if raw in self._split:
            return self._numbers.get(pos, -1)
        return self._shift(raw)

    @cached_property
    def _whole_numbers(self) -> dict[int, int]:
        return {m: n for n, item in enumerate(self._whole) for m in item["members"]}

    def members(self, pos: int) -> tuple[int, ...]:
        item = self.cluster(pos)
        return (pos,) if item is None else tuple(item["members"])

    def cluster(self, pos: int) -> dict[str, Any] | None:
        if self._starts is None:
            number = self.cluster_number(pos)
            return None if number < 0 else self._whole[number]
        raw = int(self._party[pos])
        if raw < 0:
            return None
        pieces = self._split.get(raw)
        if pieces is None:
            return self._parsed(raw)
        return next((p for p in pieces if pos in p["members"]), None)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        starts = self._starts
        if starts is None:
            yield from self._whole
            return
        for raw in range(len(starts) - 1):
            pieces = self._split.get(raw)
            if pieces is None:
                yield self._parse(raw)  # a full listing does not fill the cache
            else:
                yield from pieces


def _apply_splits(raw: list[dict[str, Any]], apart: Collection[Apart]) -> list[dict[str, Any]]:
    """Re-join each cluster that a split touches from its own links, the split kept."""
    out: list[dict[str, Any]] = []
    for item in raw:
        ids = set(item["ids"])
        if not any(ids & left and ids & right for left, right in apart):
            out.append(item)
            continue
        id_of = dict(zip(item["members"], item["ids"], strict=True))
        list_of = dict(zip(item["members"], item["lists"], strict=True))
        links = [Link(*k) for k in item["links"]]
        for members in cluster(links, list_of, apart, id_of).values():
            out.append({**_sub(item, members), "split": True})
    return out


def _sub(item: dict[str, Any], members: list[int]) -> dict[str, Any]:
    keep = set(members)
    rows = [(m, i, k) for m, i, k in zip(item["members"], item["ids"], item["lists"],
                                         strict=True) if m in keep]
    return {
        "members": [r[0] for r in rows], "ids": [r[1] for r in rows],
        "lists": [r[2] for r in rows],
        "links": [k for k in item["links"] if k[0] in keep and k[1] in keep],
    }
