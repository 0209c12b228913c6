"""An FtM file's graph on disk: its records in a temporary SQLite table, folded into entities.

An OpenSanctions export is a graph: a sanctioned company is one line, its owners, directors,
sanction designations, addresses and passports are other lines pointing at it by id, before or
after it in the file. Holding every line in memory does not scale (1.5 million entities took 14 GB),
so the records go into a scratch SQLite file; the link and detail records (Sanction, Ownership,
Address, Passport, ...) become `facts` rows indexed by the entity they point at, and each
screenable entity is then built with the facts about it: relations, programmes, listing dates,
addresses and identifiers. Memory stays flat whatever the file's size.

Order is kept as a dict of the records would keep it: a record's position is where its id first
appeared (a delta MOD keeps it, a DEL then ADD moves it to the end); facts follow their records'
order, so the entities equal what reading the whole file into memory gave.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import weakref
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any, TypeVar

import orjson

from tradescreen import parallel
from tradescreen.ftm import EXTRA_KEY, FROM_FTM_SCHEMA, from_ftm, names_come_from
from tradescreen.model import Address, Entity, Identifier, Relation
from tradescreen.scratch import Scratch
from tradescreen.sources.base import SourceError
from tradescreen.values import parse_date

# link schema -> (property naming one end, property naming the other end,
#                 our relation kind seen from the first end, seen from the second end)
LINKS: dict[str, tuple[str, str, str, str]] = {
    "Ownership": ("owner", "asset", "subsidiary", "owner"),
    "Directorship": ("director", "organization", "linked_to", "director"),
    "Family": ("person", "relative", "family", "family"),
    "Associate": ("person", "associate", "associate", "associate"),
    "UnknownLink": ("subject", "object", "linked_to", "linked_to"),
    "Membership": ("member", "organization", "member", "linked_to"),
    "Employment": ("employee", "employer", "linked_to", "linked_to"),
    "Representation": ("agent", "client", "linked_to", "linked_to"),
    "Succession": ("predecessor", "successor", "linked_to", "linked_to"),
}
# Records whose content is folded into the screenable entities they point at.
FOLDED = frozenset({"Address", "Sanction", "Passport", "Identification", *LINKS})
NO_NAME = "no name: neither a name property nor name parts"
NOT_SCREENED = "not an entity type tradescreen screens"
MAX_IDS = 20  # ids listed per drop reason; the count is always complete
MAX_DUPLICATES = 1000  # duplicate ids listed one by one; the count is always complete
T = TypeVar("T")
_NOTE_PROPS = ("role", "relationship", "description", "summary")
_BATCH = 5000
# A new record goes to the end (AUTOINCREMENT never reuses the position of a deleted one).
_INSERT = (
    "INSERT INTO records (id, origin, schema, caption, target, named, stamp, datasets, file, "
    "data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_IN = 500  # ids per `IN (...)` lookup, below SQLite's parameter limit

_SCHEMA = """
CREATE TABLE records (
    pos INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, origin TEXT NOT NULL,
    schema TEXT NOT NULL, caption TEXT NOT NULL, target INTEGER NOT NULL, named TEXT NOT NULL,
    stamp TEXT, datasets TEXT NOT NULL, file INTEGER NOT NULL, data BLOB NOT NULL
);
CREATE TABLE facts (
    seq INTEGER PRIMARY KEY, target TEXT NOT NULL, kind TEXT NOT NULL, other TEXT,
    payload BLOB NOT NULL
);
CREATE TABLE addresses (id TEXT PRIMARY KEY, payload BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE address_refs (ref TEXT PRIMARY KEY, id TEXT NOT NULL) WITHOUT ROWID;
"""


def prop(data: dict[str, Any], name: str) -> list[str]:
    values = (data.get("properties") or {}).get(name) or []
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def first(data: dict[str, Any], *names: str) -> str | None:
    for name in names:
        if values := prop(data, name):
            return values[0]
    return None


def _stamp(data: dict[str, Any]) -> str | None:
    stamps = [
        value[:10]
        for key in ("last_change", "last_seen", "first_seen")
        if isinstance(value := data.get(key), str) and value
    ]
    return max(stamps) if stamps else None


def _datasets(data: dict[str, Any]) -> str:
    return orjson.dumps(list(data.get("datasets") or ())).decode()


def _union(old: list[Any], new: list[Any]) -> list[Any]:
    return list(dict.fromkeys([*old, *new]))


def merge_fragments(old: dict[str, Any], new: dict[str, Any], where: str) -> dict[str, Any]:
    """Two lines with one id are fragments of one entity, as followthemoney aggregates them:
    property values, datasets and referents united, first line's other fields kept."""
    if old["schema"] != new["schema"]:
        raise SourceError(
            f"{where}: FtM entity {new['id']} is a {new['schema']} here but a {old['schema']} "
            f"on an earlier line; one id cannot be two kinds of entity"
        )
    merged = {**new, **old}
    props = dict(old.get("properties") or {})
    for key, values in (new.get("properties") or {}).items():
        props[key] = _union(props.get(key) or [], values or [])
    merged["properties"] = props
    for key in ("datasets", "referents"):
        merged[key] = _union(list(old.get(key) or ()), list(new.get(key) or ()))
    return merged


def address_of(data: dict[str, Any]) -> Address | None:
    keys = ("full", "street", "city", "region", "postalCode", "country")
    parts = {key: first(data, key) for key in keys}
    full = parts["full"] or ", ".join(
        v for k, v in parts.items() if v and k not in ("full", "country")
    )
    if not full:
        return None
    country = parts["country"]
    return Address(
        full=full,
        street=parts["street"],
        city=parts["city"],
        region=parts["region"],
        postal_code=parts["postalCode"],
        country=country.lower() if country else None,
    )


def _share(data: dict[str, Any]) -> float | None:
    for raw in prop(data, "percentage"):
        try:
            value = float(raw.rstrip("%").replace(",", "."))
        except ValueError:
            continue
        if 0 <= value <= 100:
            return value / 100
    return None


@dataclasses.dataclass
class Extras:
    """What other lines of the graph add to one screenable entity."""

    addresses: list[Address] = dataclasses.field(default_factory=list)
    identifiers: list[Identifier] = dataclasses.field(default_factory=list)
    relations: list[Relation] = dataclasses.field(default_factory=list)
    programs: list[str] = dataclasses.field(default_factory=list)
    listing_dates: list[str] = dataclasses.field(default_factory=list)


def merge_extras(entity: Entity, extra: Extras, own_relations: bool) -> Entity:
    identifiers = tuple(dict.fromkeys([*entity.identifiers, *extra.identifiers]))
    relations = entity.relations if own_relations else tuple(dict.fromkeys(extra.relations))
    programs = tuple(dict.fromkeys([*entity.programs, *extra.programs]))
    dates = [d for d in [entity.listed_on, *extra.listing_dates] if d and parse_date(d)]
    listed_on = min(dates) if dates else None
    if not extra.addresses and (identifiers, relations, programs, listed_on) == (
        entity.identifiers, entity.relations, entity.programs, entity.listed_on
    ):
        return entity  # nothing to add: most entities of a large file, so spare the copy
    addresses = list(entity.addresses)
    for address in extra.addresses:
        # An address entity usually restates an `address` string in detail: replace, not add.
        addresses = [a for a in addresses if a.full != address.full] + [address]
    return dataclasses.replace(
        entity,
        addresses=tuple(addresses),
        identifiers=identifiers,
        relations=relations,
        programs=programs,
        listed_on=listed_on,
    )


def _cleanup(conn: sqlite3.Connection, scratch: Scratch) -> None:
    conn.close()
    scratch.close()


class Graph:
    """The records of one read (one file or a folder's files), on disk until they are folded."""

    def __init__(self) -> None:
        self.scratch = Scratch("tradescreen-ftm-")
        self.conn = sqlite3.connect(self.scratch.path / "graph.sqlite", isolation_level=None)
        # Scratch data: no journal, no fsync; a bounded page cache whatever the file's size.
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA cache_size=-65536")
        self.conn.executescript(_SCHEMA)
        self.conn.execute("BEGIN")
        weakref.finalize(self, _cleanup, self.conn, self.scratch)
        self._pending: list[tuple[dict[str, Any], bytes, str, int]] = []
        self.duplicates: list[dict[str, str]] = []
        self.duplicate_count = 0

    # -- loading ---------------------------------------------------------------------------

    def _row(self, data: dict[str, Any], raw: bytes, origin: str, file: int) -> tuple:
        entity_id = data["id"]
        caption = str(data.get("caption") or first(data, "name") or entity_id)
        target = data["schema"] in FROM_FTM_SCHEMA
        # "properties", "parts" (a person named from its name parts only) or "" (no name)
        named = (names_come_from(data) or "") if target else ""
        return (
            entity_id, origin, data["schema"], caption, int(target), named, _stamp(data),
            _datasets(data), file, raw,
        )

    def add(self, data: dict[str, Any], raw: bytes, origin: str, file: int) -> None:
        """A plain line: a new entity, or a further fragment of one seen before (reported)."""
        self._pending.append((data, raw, origin, file))
        if len(self._pending) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        ids = [data["id"] for data, *_ in pending]
        known: set[str] = set()
        for start in range(0, len(ids), _IN):
            chunk = ids[start : start + _IN]
            marks = ",".join("?" * len(chunk))
            known.update(
                r[0] for r in self.conn.execute(f"SELECT id FROM records WHERE id IN ({marks})",
                                                chunk)
            )
        fresh, again = [], []
        for item in pending:
            entity_id = item[0]["id"]
            if entity_id in known:
                again.append(item)
            else:
                known.add(entity_id)
                fresh.append(item)
        self.conn.executemany(
            _INSERT,
            [self._row(*item) for item in fresh],
        )
        for data, _raw, origin, _file in again:
            self._fragment(data, origin)

    def _fragment(self, data: dict[str, Any], origin: str) -> None:
        entity_id = data["id"]
        first_origin, old = self.conn.execute(
            "SELECT origin, data FROM records WHERE id = ?", (entity_id,)
        ).fetchone()
        self.duplicate_count += 1
        if len(self.duplicates) < MAX_DUPLICATES:
            self.duplicates.append({"id": entity_id, "first": first_origin, "again": origin})
        merged = merge_fragments(orjson.loads(old), data, origin)
        self._replace(merged, orjson.dumps(merged))

    def _replace(self, data: dict[str, Any], raw: bytes) -> None:
        # A replaced record keeps its position (rowid) and origin.
        row = self._row(data, raw, "", 0)
        self.conn.execute(
            "UPDATE records SET schema = ?, caption = ?, target = ?, named = ?, stamp = ?, "
            "datasets = ?, data = ? WHERE id = ?",
            (*row[2:8], raw, data["id"]),
        )

    def apply(self, op: str, data: dict[str, Any], origin: str, file: int) -> None:
        """A delta operation, applied where it stands in the file."""
        self.flush()
        entity_id = data["id"]
        if op == "DEL":
            # A deletion of an entity not in this read refers to the base export; nothing to do.
            self.conn.execute("DELETE FROM records WHERE id = ?", (entity_id,))
            return
        raw = orjson.dumps(data)
        exists = self.conn.execute("SELECT 1 FROM records WHERE id = ?", (entity_id,)).fetchone()
        if exists:
            self._replace(data, raw)
        else:
            self.conn.execute(
                _INSERT,
                self._row(data, raw, origin, file),
            )

    # -- what the records say as a whole ---------------------------------------------------

    def finish(self) -> None:
        """Index the records and turn the link and detail records into facts."""
        self.flush()
        folded = sorted(FOLDED)
        cursor = self.conn.execute(
            f"SELECT id, schema, data FROM records WHERE schema IN ({','.join('?' * len(folded))})"
            " ORDER BY pos",
            folded,
        )
        facts: list[tuple[str, str, str | None, bytes]] = []
        referents: list[tuple[str, str]] = []
        while chunk := cursor.fetchmany(_BATCH):
            for entity_id, schema, raw in chunk:
                data = orjson.loads(raw)
                if schema == "Address":
                    if (address := address_of(data)) is not None:
                        self.conn.execute(
                            "INSERT INTO addresses VALUES (?, ?)",
                            (entity_id, orjson.dumps(dataclasses.astuple(address))),
                        )
                        referents += [(r, entity_id) for r in data.get("referents") or ()]
                else:
                    facts += _facts(schema, data)
            if len(facts) >= _BATCH:
                self._insert_facts(facts)
                facts = []
        self._insert_facts(facts)
        # Merged OpenSanctions entities list the ids they absorbed; links may still use those.
        # An address's own id wins over another address's referent; the first referent wins.
        self.conn.execute("INSERT INTO address_refs SELECT id, id FROM addresses")
        self.conn.executemany("INSERT OR IGNORE INTO address_refs VALUES (?, ?)", referents)
        self.conn.execute("CREATE INDEX facts_target ON facts (target, seq)")
        self.conn.execute("COMMIT")

    def _insert_facts(self, facts: list[tuple[str, str, str | None, bytes]]) -> None:
        self.conn.executemany(
            "INSERT INTO facts (target, kind, other, payload) VALUES (?, ?, ?, ?)", facts
        )

    def file_datasets(self) -> dict[int, set[str]]:
        out: dict[int, set[str]] = {}
        for file, datasets in self.conn.execute(
            "SELECT DISTINCT file, datasets FROM records"
        ):
            out.setdefault(file, set()).update(orjson.loads(datasets))
        return out

    def only_dataset(self) -> str | None:
        """The one dataset every record names, when there is exactly one."""
        rows = self.conn.execute("SELECT DISTINCT datasets FROM records LIMIT 2").fetchall()
        if len(rows) == 1:
            only = orjson.loads(rows[0][0])
            if len(only) == 1 and isinstance(only[0], str):
                return only[0]
        return None

    def published(self) -> str | None:
        return self.conn.execute("SELECT MAX(stamp) FROM records").fetchone()[0]

    def count(self) -> int:
        return self.conn.execute(
            "SELECT COUNT(*) FROM records WHERE target = 1 AND named != ''"
        ).fetchone()[0]

    def stats(self) -> dict[str, Any]:
        """Entities kept per schema, records folded per schema, records dropped with why."""
        kept: dict[str, int] = {}
        folded: dict[str, int] = {}
        dropped = []
        named_from_parts = 0
        rows = self.conn.execute(
            "SELECT schema, target, named, COUNT(*) FROM records GROUP BY schema, target, named "
            "ORDER BY COUNT(*) DESC, schema"
        ).fetchall()
        for schema, target, named, count in rows:
            if target and named:
                kept[schema] = kept.get(schema, 0) + count
                named_from_parts += count if named == "parts" else 0
            elif schema in FOLDED:
                folded[schema] = count
            else:
                ids = [r[0] for r in self.conn.execute(
                    "SELECT id FROM records WHERE schema = ? AND target = ? AND named = ? "
                    "ORDER BY pos LIMIT ?", (schema, target, named, MAX_IDS)
                )]
                reason = NO_NAME if target else NOT_SCREENED
                dropped.append({"schema": schema, "reason": reason, "count": count, "ids": ids})
        dropped.sort(key=lambda d: (d["schema"], d["reason"]))
        kept = dict(sorted(kept.items(), key=lambda item: (-item[1], item[0])))
        return {"kept": kept, "named_from_parts": named_from_parts, "folded": folded,
                "dropped": dropped}

    # -- folding -----------------------------------------------------------------------------

    def entities(self, source: str) -> Iterator[Entity]:
        """Every screenable, named entity with the facts about it, in file order."""
        for item in self._items():
            entity = build_entity(source, item)
            if entity is not None:
                yield entity

    def serialised(
        self, source: str, serialise: Callable[[Entity], T], workers: int | None = None,
        serial: int = parallel.SERIAL,
    ) -> Iterator[T]:
        """`serialise` of every entity `entities` gives, in order; past `serial` entities the
        decoding and `serialise` run in worker processes (most of an import's time), while
        this process reads the graph."""
        rows = parallel.ordered_map(partial(_serialised, source, serialise), self._items(),
                                    workers, serial)
        return (row for row in rows if row is not None)

    def _items(self) -> Iterator[Item]:
        """Each screenable, named record with everything `build_entity` needs from the graph."""
        cursor = self.conn.execute(
            "SELECT id, data FROM records WHERE target = 1 AND named != '' ORDER BY pos"
        )
        while chunk := cursor.fetchmany(_IN):
            facts = self._facts_of([entity_id for entity_id, _ in chunk])
            for entity_id, raw in chunk:
                yield entity_id, raw, facts.get(entity_id, ()), self._addresses(raw)

    def _addresses(self, raw: bytes) -> dict[str, bytes]:
        """The address records an entity points at (by its addressEntity refs)."""
        if b'"addressEntity"' not in raw:
            return {}  # most entities: no need to parse the line here
        found = {}
        for ref in prop(orjson.loads(raw), "addressEntity"):
            row = self.conn.execute(
                "SELECT a.payload FROM address_refs r JOIN addresses a ON a.id = r.id "
                "WHERE r.ref = ?", (ref,)
            ).fetchone()
            if row is not None:
                found[ref] = row[0]
        return found

    def _facts_of(self, ids: list[str]) -> dict[str, list[tuple[str, bytes, str]]]:
        """The facts about a batch of entities, in one query: id -> (kind, payload, caption)."""
        out: dict[str, list[tuple[str, bytes, str]]] = {}
        marks = ",".join("?" * len(ids))
        for target, kind, payload, caption in self.conn.execute(
            "SELECT f.target, f.kind, f.payload, COALESCE(r.caption, f.other) FROM facts f "
            f"LEFT JOIN records r ON r.id = f.other WHERE f.target IN ({marks}) ORDER BY f.seq",
            ids,
        ):
            out.setdefault(target, []).append((kind, payload, caption))
        return out


# A record as `build_entity` takes it: its id, its line, the facts about it and the address
# records it points at (ref -> payload).
Item = tuple[str, bytes, Iterable[tuple[str, bytes, str]], dict[str, bytes]]


def build_entity(source: str, item: Item) -> Entity | None:
    """One screenable entity with the graph's facts folded in (None: an extra block without
    names; counted as named, so rare)."""
    entity_id, raw, facts, addresses = item
    data = orjson.loads(raw)
    try:
        entity = from_ftm(data, source)
    except (ValueError, TypeError, KeyError) as exc:
        raise SourceError(f"FtM entity {entity_id}: {exc}") from exc
    if not entity.names:
        return None
    extra = _extras(data, facts, addresses)
    # Our own exports carry their relations in the extra block; don't add them twice.
    own = isinstance(data.get(EXTRA_KEY), dict) and "relations" in data[EXTRA_KEY]
    return merge_extras(entity, extra, own)


def _serialised(source: str, serialise: Callable[[Entity], T], item: Item) -> T | None:
    entity = build_entity(source, item)
    return None if entity is None else serialise(entity)


def _extras(
    data: dict[str, Any], facts: Iterable[tuple[str, bytes, str]], addresses: dict[str, bytes]
) -> Extras:
    extra = Extras()
    for ref in prop(data, "addressEntity"):
        if (payload := addresses.get(ref)) is not None:
            extra.addresses.append(Address(*orjson.loads(payload)))
    for kind, payload, caption in facts:
        value = orjson.loads(payload)
        if kind == "sanction":
            extra.programs += value[0]
            extra.listing_dates += value[1]
        elif kind == "identifier":
            extra.identifiers.append(Identifier(*value))
        else:
            rel_kind, other, share, note = value
            extra.relations.append(Relation(rel_kind, caption, other, share, note))
    return extra


def _facts(schema: str, data: dict[str, Any]) -> list[tuple[str, str, str | None, bytes]]:
    """(entity pointed at, kind, other end's id, payload) for one link or detail record."""
    out: list[tuple[str, str, str | None, bytes]] = []
    if schema == "Sanction":
        programs = prop(data, "programId") or prop(data, "program")
        dates = prop(data, "listingDate") + prop(data, "startDate")
        payload = orjson.dumps([programs, dates])
        out += [(ref, "sanction", None, payload) for ref in prop(data, "entity")]
    elif schema in ("Passport", "Identification"):
        number = first(data, "number", "passportNumber")
        if not number:
            return out
        kind = (first(data, "type") or "").lower()
        scheme = "passport" if schema == "Passport" or "passport" in kind else "national_id"
        country = (first(data, "country") or "").lower() or None
        payload = orjson.dumps([scheme, number, country, kind or None])
        out += [(ref, "identifier", None, payload) for ref in prop(data, "holder")]
    elif schema in LINKS:
        a_prop, b_prop, a_kind, b_kind = LINKS[schema]
        note = first(data, *_NOTE_PROPS)
        share = _share(data) if schema == "Ownership" else None
        for a in prop(data, a_prop):
            for b in prop(data, b_prop):
                out.append((a, "relation", b, orjson.dumps([a_kind, b, share, note])))
                out.append((b, "relation", a, orjson.dumps([b_kind, a, share, note])))
    return out
