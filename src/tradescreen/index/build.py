"""Build the candidate index from the records of the active snapshots.

Layout (all plain arrays and dicts, so a pickle of it loads in a fraction of a second):
postings are CSR — `key_slot[key]` gives a slot, `offsets[slot]:offsets[slot+1]` its slice of
`name_ids`; `name_record[name_id]` maps a listed name back to its record; `delete_map` maps a
one-deletion variant to the vocabulary tokens that produce it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from tradescreen.index.attributes import AttributeIndex, AttributeWriter
from tradescreen.index.keys import MIN_INDEXED_DELETE_LEN, deletes, token_keys
from tradescreen.index.records import Record
from tradescreen.normalize.names import NameForm, name_form

INDEX_VERSION = 12  # 7: mapped files; 8: listed parties (clusters), shared attributes and
# relations (index.attributes), Hangul and Arabic-script readings; 10: the Arabic article
# split on the Arabic letters (عبدالكريم = abd al krym, علوان stays whole); 11: consolidation by
# names written differently, FtM referents, address holders counted as listed parties; 12: every
# Roman numeral of i-xxxix read as its number (Fund XII), "xi" closing a non-Mandarin name


@dataclass
class Index:
    version: int
    snapshots: tuple[str, ...]
    records: list[Record]
    name_record: np.ndarray  # int32, name id -> record position
    name_slot: np.ndarray  # int32, name id -> position of the name inside its record
    key_slot: dict[str, int]
    offsets: np.ndarray  # int64, len(key_slot) + 1
    name_ids: np.ndarray  # int32, concatenated postings
    delete_map: dict[str, tuple[str, ...]]
    identifiers: dict[str, tuple[int, ...]]  # normalised identifier -> record positions
    # Each record's names normalised once at build time (None where nothing is left to compare),
    # so that screening never transliterates a listed name again.
    forms: list[tuple[NameForm | None, ...]]
    attribute_index: AttributeIndex | None = None  # shared attributes, relations (attributes)

    def postings(self, key: str) -> np.ndarray | None:
        slot = self.key_slot.get(key)
        if slot is None:
            return None
        return self.name_ids[self.offsets[slot] : self.offsets[slot + 1]]

    @property
    def name_count(self) -> int:
        return len(self.name_record)


def build_index(records: list[Record], snapshots: tuple[str, ...]) -> Index:
    postings: dict[str, list[int]] = defaultdict(list)
    name_record: list[int] = []
    name_slot: list[int] = []
    vocab: set[str] = set()
    identifiers: dict[str, list[int]] = defaultdict(list)
    forms: list[tuple[NameForm | None, ...]] = []
    attrs = AttributeWriter()
    for pos, record in enumerate(records):
        attrs.add(pos, record)
        record_forms = tuple(
            form if (form := name_form(value, record.schema)).tokens else None
            for value, _kind, _strength in record.names
        )
        forms.append(record_forms)
        for slot, form in enumerate(record_forms):
            if form is None:
                continue
            name_id = len(name_record)
            name_record.append(pos)
            name_slot.append(slot)
            for key in token_keys(form.tokens, form.abjad):
                postings[key].append(name_id)
            vocab.update(form.tokens)
        for _scheme, norm, _raw in record.identifiers:
            if not identifiers[norm] or identifiers[norm][-1] != pos:
                identifiers[norm].append(pos)
    delete_map: dict[str, list[str]] = defaultdict(list)
    for token in vocab:
        for variant in deletes(token, MIN_INDEXED_DELETE_LEN):
            delete_map[variant].append(token)
    keys = sorted(postings)
    sizes = np.fromiter((len(postings[k]) for k in keys), dtype=np.int64, count=len(keys))
    offsets = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    flat = np.fromiter(
        (i for k in keys for i in postings[k]), dtype=np.int32, count=int(offsets[-1])
    )
    return Index(
        version=INDEX_VERSION,
        snapshots=snapshots,
        records=records,
        name_record=np.asarray(name_record, dtype=np.int32),
        name_slot=np.asarray(name_slot, dtype=np.int32),
        key_slot={k: i for i, k in enumerate(keys)},
        offsets=offsets,
        name_ids=flat,
        delete_map={k: tuple(v) for k, v in delete_map.items()},
        identifiers={k: tuple(v) for k, v in identifiers.items()},
        forms=forms,
        attribute_index=attrs.to_memory(),
    )
