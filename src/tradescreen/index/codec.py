"""One record and its normalised name forms <-> bytes, for the index's record file.

Generic over the fields of `Record` and `NameForm` (both may grow): a record is stored as the
tuple of its fields and each form as the tuple of its dataclass fields, pickled. Rebuilding
them with their constructors is five times faster than unpickling the objects themselves,
which matters because every candidate a query scores is decoded. The field names are written
into the index's meta.json; an index whose names differ from the running code is rebuilt.
"""

from __future__ import annotations

import dataclasses
import operator
import pickle
from functools import lru_cache

from tradescreen.index.records import Record
from tradescreen.normalize.names import NameForm

Forms = tuple[NameForm | None, ...]


def form_fields() -> list[str]:
    return [f.name for f in dataclasses.fields(NameForm)]


@lru_cache(maxsize=1)
def _constructible() -> bool:
    # NameForm(*values) needs every field in __init__; otherwise pickle the objects as they are.
    return all(f.init for f in dataclasses.fields(NameForm))


def codec_id() -> str:
    kind = "fields" if _constructible() else "pickle"
    return f"{kind}:{','.join(Record._fields)}|{','.join(form_fields())}"


def encode(record: Record, forms: Forms) -> bytes:
    if not _constructible():
        return pickle.dumps((record, forms), protocol=pickle.HIGHEST_PROTOCOL)
    fields = _form_getter()
    flat = tuple(None if f is None else fields(f) for f in forms)
    return pickle.dumps((tuple(record), flat), protocol=pickle.HIGHEST_PROTOCOL)


@lru_cache(maxsize=1)
def _form_getter():  # noqa: ANN202 - NameForm -> tuple of its field values, in field order
    # Looked up once: `dataclasses.fields` per record was a tenth of an index build.
    return operator.attrgetter(*form_fields())


def decoder(codec: str):  # noqa: ANN201 - returns a bytes -> (Record, Forms) callable
    if codec.startswith("pickle:"):
        return pickle.loads
    make_form = NameForm
    make_record = Record._make

    def decode(blob: bytes) -> tuple[Record, Forms]:
        rec, flat = pickle.loads(blob)
        return make_record(rec), tuple(None if f is None else make_form(*f) for f in flat)

    return decode
