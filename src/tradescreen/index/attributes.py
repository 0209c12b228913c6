"""The shared-attribute index: addresses, phones, e-mails and websites of listed parties.

Written beside the name index (`write.write_index` feeds it every record) and opened the same
way, as memory-mapped files:

  attr_keys.*    exact key -> record positions: `p:<national number>`, `e:<e-mail>`,
                 `d:<domain>` (e-mail domains and website hosts share one space: a front's
                 website and its staff's mail name the same domain)
  addr_tokens.*  address token -> address ids (candidates, compared with rigour afterwards)
  addr_record.npy / addr_slot.npy   address id -> record position, position in its attributes
  addr_shared.npy                   address id -> listed parties with the same canonical address
  relations.*    `r:<source>:<id>` / `n:<name key>` -> positions of the records whose list
                 relations point at that entity (incoming relations)

Counting how many listed parties share a value is what tells a registered-agent address or a
free-zone business centre from a front company's own office.
"""

from __future__ import annotations

import re
from array import array
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tradescreen.index.keyed import Keyed, map_array, save_array, write_keyed
from tradescreen.model import Entity
from tradescreen.normalize.addresses import address_tokens, blocking_tokens
from tradescreen.normalize.contacts import email_domain, read_email, read_website
from tradescreen.normalize.phones import read_phone
from tradescreen.normalize.text import tokens

if TYPE_CHECKING:
    from tradescreen.index.records import Record

Attribute = tuple[str, str, str]  # (kind, key, value as written)
MAX_COUNTED = 64  # listed parties counted per address (enough to call it common)
_WORDS = re.compile(r"\w+")
KINDS = ("address", "phone", "email", "website")
MAX_PER_KIND = 50  # values of one kind per entity indexed (FtM entities can carry hundreds)


def party_key(caption: str) -> str:
    """One listed party across the lists that repeat it (OFAC SDN, the CSL's copy of it, the
    UN ...): its caption's words, in any order. Counting parties, not list records, keeps a
    company listed five times from making its own office "common"."""
    return " ".join(sorted(set(_WORDS.findall(caption.lower()))))


def phone_key(national: str, country_code: int | None) -> str:
    return f"{country_code or ''}:{national}"


def attribute(kind: str, value: str, countries: tuple[str, ...] = ()) -> Attribute | None:
    """One value as (kind, key, value); None when nothing comparable is in it."""
    value = " ".join(value.split())
    if not value:
        return None
    if kind == "address":
        parts = address_tokens(value)
        return (kind, " ".join(parts), value) if parts else None
    if kind == "phone":
        phone = read_phone(value, countries)
        return (kind, phone_key(*phone), value) if phone else None
    if kind == "email":
        email = read_email(value)
        return (kind, email, value) if email else None
    if kind == "website":
        host = read_website(value)
        return (kind, host, value) if host else None
    raise ValueError(f"unknown attribute kind {kind!r}")


def entity_attributes(entity: Entity, countries: tuple[str, ...]) -> tuple[Attribute, ...]:
    out: list[Attribute] = []
    count = dict.fromkeys(KINDS, 0)
    values = [("address", a.full) for a in entity.addresses] + [
        (i.scheme, i.value) for i in entity.identifiers if i.scheme in count
    ]
    for kind, value in values:
        if count[kind] >= MAX_PER_KIND:
            continue
        found = attribute(kind, value, countries)
        if found is not None and found not in out:
            out.append(found)
            count[kind] += 1
    return tuple(out)


def exact_keys(kind: str, key: str) -> tuple[str, ...]:
    """The `attr_keys` entries of one attribute (an e-mail gives its address and domain)."""
    if kind == "phone":
        return (f"p:{key.partition(':')[2]}",)
    if kind == "email":
        return (f"e:{key}", f"d:{email_domain(key)}")
    if kind == "website":
        return (f"d:{key}",)
    return ()


def relation_name_key(name: str) -> str | None:
    """A relation target's name as a key: its folded words in any order ("ZAKHAROV Alexander"
    = "Alexander Zakharov"). Exact on purpose: a target that is itself listed is reached by
    fuzzy screening and its list id; this key is for targets on no list (a company's director)."""
    words = tokens(name)
    return "n:" + " ".join(sorted(set(words))) if words else None


class _Pairs:
    """(string, int) pairs -> a `keyed` file; a string's values are kept distinct."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.key_ids = array("i")
        self.values = array("i")
        self._last: dict[int, int] = {}

    def add(self, text: str, value: int) -> None:
        kid = self.ids.setdefault(text, len(self.ids))
        if self._last.get(kid) == value:
            return
        self._last[kid] = value
        self.key_ids.append(kid)
        self.values.append(value)

    def write(self, prefix: Path) -> None:
        write_keyed(prefix, list(self.ids), np.frombuffer(self.key_ids, dtype=np.int32),
                    np.frombuffer(self.values, dtype=np.int32))

    def to_memory(self) -> _InMemory:
        table: dict[int, list[int]] = {}
        for kid, value in zip(self.key_ids, self.values, strict=True):
            table.setdefault(kid, []).append(value)
        return _InMemory({text: np.asarray(table[kid], dtype=np.int32)
                          for text, kid in self.ids.items()})


class _InMemory:
    """The `Keyed` lookup over a dict, for the small in-memory indexes (book deltas)."""

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self._table = table

    def get(self, text: str) -> np.ndarray | None:
        return self._table.get(text)


class AttributeWriter:
    """Collects every record's attributes and relations while the index streams them."""

    def __init__(self) -> None:
        self.exact = _Pairs()
        self.tokens = _Pairs()
        self.relations = _Pairs()
        self.addr_record = array("i")
        self.addr_slot = array("i")
        self.addr_canon = array("i")
        self._canon: dict[str, int] = {}
        self._canon_parties: dict[int, set[str]] = {}

    def add(self, pos: int, record: Record) -> None:
        party = None  # computed for the few records that have an address
        for slot, (kind, key, _value) in enumerate(record.attributes):
            if kind != "address":
                for text in exact_keys(kind, key):
                    self.exact.add(text, pos)
                continue
            addr_id = len(self.addr_record)
            self.addr_record.append(pos)
            self.addr_slot.append(slot)
            parts = tuple(key.split())
            for token in blocking_tokens(parts):
                self.tokens.add(token, addr_id)
            canon = " ".join(sorted(set(parts)))
            cid = self._canon.setdefault(canon, len(self._canon))
            parties = self._canon_parties.setdefault(cid, set())
            if len(parties) < MAX_COUNTED:
                parties.add(party := party or party_key(record.caption))
            self.addr_canon.append(cid)
        for _kind, target_name, target_id, _share in record.relations:
            if target_id:
                self.relations.add(f"r:{record.source}:{target_id}", pos)
            if (key := relation_name_key(target_name)) is not None:
                self.relations.add(key, pos)

    def _shared(self) -> np.ndarray:
        counts = np.zeros(len(self._canon), dtype=np.int32)
        for cid, parties in self._canon_parties.items():
            counts[cid] = len(parties)
        canon = np.frombuffer(self.addr_canon, dtype=np.int32)
        return counts[canon] if len(canon) else np.zeros(0, dtype=np.int32)

    def to_memory(self) -> AttributeIndex:
        """The same tables held in memory (`build.build_index`: book deltas, media)."""
        index = AttributeIndex.__new__(AttributeIndex)
        index.exact = self.exact.to_memory()  # type: ignore[assignment]
        index.tokens = self.tokens.to_memory()  # type: ignore[assignment]
        index.relations = self.relations.to_memory()  # type: ignore[assignment]
        index.addr_record = np.frombuffer(self.addr_record, dtype=np.int32).copy()
        index.addr_slot = np.frombuffer(self.addr_slot, dtype=np.int32).copy()
        index.addr_shared = self._shared()
        return index

    def write(self, folder: Path) -> dict[str, int]:
        self.exact.write(folder / "attr_keys")
        self.tokens.write(folder / "addr_tokens")
        self.relations.write(folder / "relations")
        save_array(folder / "addr_record.npy", np.frombuffer(self.addr_record, dtype=np.int32))
        save_array(folder / "addr_slot.npy", np.frombuffer(self.addr_slot, dtype=np.int32))
        save_array(folder / "addr_shared.npy", self._shared())
        save_array(folder / CANON_FILE, np.frombuffer(self.addr_canon, dtype=np.int32))
        return {"addresses": len(self.addr_record), "attribute_keys": len(self.exact.ids),
                "relation_keys": len(self.relations.ids)}


CANON_FILE = "addr_canon.npy"  # address id -> its canonical address (build time only)


def count_by_party(folder: Path, party: np.ndarray) -> None:
    """Count each address's holders again once the listed parties are known (`index.clusters`
    writes `party` after the attributes): a party on five lists holds its office once, and
    two parties of one caption are two. Drops the build-time file it reads."""
    canon_path = folder / CANON_FILE
    if not canon_path.exists():
        return
    canon = np.load(canon_path).astype(np.int64)
    record = np.load(folder / "addr_record.npy").astype(np.int64)
    canon_path.unlink()
    if not len(canon) or len(party) <= int(record.max()):
        return  # no parties for these records (a build without consolidation)
    of = party[record].astype(np.int64)
    holder = np.where(of >= 0, of, -1 - record)
    pairs = np.unique(np.stack([canon, holder], axis=1), axis=0)
    counts = np.bincount(pairs[:, 0], minlength=int(canon.max()) + 1)
    save_array(folder / "addr_shared.npy",
               np.minimum(counts[canon], MAX_COUNTED).astype(np.int32))


class AttributeIndex:
    """Read side: every table a memory map, opened once per index folder and process."""

    def __init__(self, folder: Path) -> None:
        self.exact = Keyed(folder / "attr_keys")
        self.tokens = Keyed(folder / "addr_tokens")
        self.relations = Keyed(folder / "relations")
        self.addr_record = map_array(folder / "addr_record.npy")
        self.addr_slot = map_array(folder / "addr_slot.npy")
        self.addr_shared = map_array(folder / "addr_shared.npy")

    def records(self, key: str) -> tuple[int, ...]:
        found = self.exact.get(key)
        return () if found is None else tuple(found.tolist())

    def referring(self, key: str) -> tuple[int, ...]:
        """Positions of records whose relations name `key` (`r:...` or `n:...`)."""
        found = self.relations.get(key)
        return () if found is None else tuple(found.tolist())


@lru_cache(maxsize=8)
def _open(folder: Path) -> AttributeIndex | None:
    if not (folder / "attr_keys.hash").exists():
        return None
    return AttributeIndex(folder)


def attributes_of(index: object) -> AttributeIndex | None:
    """The attribute index of a name index: beside a mapped one, in an in-memory one."""
    folder = getattr(index, "folder", None)
    if folder is not None:
        return _open(Path(folder))
    return getattr(index, "attribute_index", None)
