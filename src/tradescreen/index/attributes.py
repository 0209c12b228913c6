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

from array import array
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np

from tradescreen.index.keyed import Keyed, map_array, save_array, write_keyed
from tradescreen.model import Entity
from tradescreen.normalize.addresses import address_tokens, blocking_tokens
from tradescreen.normalize.contacts import email_domain, read_email, read_website
from tradescreen.normalize.names import name_form
from tradescreen.normalize.phones import read_phone

Attribute = tuple[str, str, str]  # (kind, key, value as written)
KINDS = ("address", "phone", "email", "website")
MAX_PER_KIND = 50  # values of one kind per entity indexed (FtM entities can carry hundreds)


def phone_key(national: str, country_code: int | None) -> str:
    return f"{country_code or ''}:{national}"


def attribute(kind: str, value: str, countries: tuple[str, ...] = ()) -> Attribute | None:
    """One value as (kind, key, value); None when nothing comparable is in it."""
    value = " ".join(value.split())
    if not value:
        return None
    if kind == "address":
        tokens = address_tokens(value)
        return (kind, " ".join(tokens), value) if tokens else None
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
    tokens = name_form(name, "LegalEntity").tokens
    return "n:" + " ".join(sorted(tokens)) if tokens else None


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
        self._canon_count = array("i")
        self._canon_last = array("i")

    def add(self, pos: int, attributes: Iterable[Attribute],
            relations: Iterable[tuple[str, str, str | None, float | None]], source: str) -> None:
        for slot, (kind, key, _value) in enumerate(attributes):
            if kind != "address":
                for text in exact_keys(kind, key):
                    self.exact.add(text, pos)
                continue
            addr_id = len(self.addr_record)
            self.addr_record.append(pos)
            self.addr_slot.append(slot)
            tokens = tuple(key.split())
            for token in blocking_tokens(tokens):
                self.tokens.add(token, addr_id)
            canon = " ".join(sorted(set(tokens)))
            cid = self._canon.setdefault(canon, len(self._canon))
            if cid == len(self._canon_count):
                self._canon_count.append(0)
                self._canon_last.append(-1)
            if self._canon_last[cid] != pos:
                self._canon_last[cid] = pos
                self._canon_count[cid] += 1
            self.addr_canon.append(cid)
        for _kind, target_name, target_id, _share in relations:
            if target_id:
                self.relations.add(f"r:{source}:{target_id}", pos)
            if (key := relation_name_key(target_name)) is not None:
                self.relations.add(key, pos)

    def write(self, folder: Path) -> dict[str, int]:
        self.exact.write(folder / "attr_keys")
        self.tokens.write(folder / "addr_tokens")
        self.relations.write(folder / "relations")
        save_array(folder / "addr_record.npy", np.frombuffer(self.addr_record, dtype=np.int32))
        save_array(folder / "addr_slot.npy", np.frombuffer(self.addr_slot, dtype=np.int32))
        counts = np.frombuffer(self._canon_count, dtype=np.int32)
        canon = np.frombuffer(self.addr_canon, dtype=np.int32)
        save_array(folder / "addr_shared.npy",
                   counts[canon] if len(canon) else np.zeros(0, dtype=np.int32))
        return {"addresses": len(self.addr_record), "attribute_keys": len(self.exact.ids),
                "relation_keys": len(self.relations.ids)}


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
    """The attribute index beside a mapped name index; None for an in-memory index (books'
    and media's small indexes of customers) or an index written before it existed."""
    folder = getattr(index, "folder", None)
    return _open(Path(folder)) if folder is not None else None
