"""Each record's source, schema and countries as small integers, for listings and facets.

A listing of the whole collection (yente's `/search` without a query) filters by these three and
counts them; with the columns it does so in numpy over the mapped arrays and decodes only the
page it returns, instead of decoding a million records per request.

  columns.json                  the distinct sources, schemas and countries (position = id)
  record_source.npy             int32 per record
  record_schema.npy             int32 per record
  record_country.off / .val     CSR: the record's countries, in the record's order
"""

from __future__ import annotations

import json
from array import array
from pathlib import Path

import numpy as np

from tradescreen.index.keyed import map_array, save_array
from tradescreen.index.records import Record


class ColumnWriter:
    def __init__(self) -> None:
        self.tables: dict[str, dict[str, int]] = {"sources": {}, "schemas": {}, "countries": {}}
        self.source = array("i")
        self.schema = array("i")
        self.country_off = array("q", [0])
        self.country = array("i")

    def _id(self, table: str, value: str) -> int:
        ids = self.tables[table]
        return ids.setdefault(value, len(ids))

    def add(self, record: Record) -> None:
        self.source.append(self._id("sources", record.source))
        self.schema.append(self._id("schemas", record.schema))
        self.country.extend(self._id("countries", c) for c in record.countries)
        self.country_off.append(len(self.country))

    def write(self, folder: Path) -> None:
        (folder / "columns.json").write_text(
            json.dumps({k: list(v) for k, v in self.tables.items()}))
        save_array(folder / "record_source.npy", np.frombuffer(self.source, dtype=np.int32))
        save_array(folder / "record_schema.npy", np.frombuffer(self.schema, dtype=np.int32))
        save_array(folder / "record_country.off", np.frombuffer(self.country_off, dtype=np.int64))
        save_array(folder / "record_country.val", np.frombuffer(self.country, dtype=np.int32))


class Columns:
    """Read side: mapped arrays plus the three small string tables."""

    def __init__(self, folder: Path) -> None:
        tables = json.loads((folder / "columns.json").read_text())
        self.sources: list[str] = tables["sources"]
        self.schemas: list[str] = tables["schemas"]
        self.countries: list[str] = tables["countries"]
        self.source = map_array(folder / "record_source.npy")
        self.schema = map_array(folder / "record_schema.npy")
        self.country_off = map_array(folder / "record_country.off")
        self.country = map_array(folder / "record_country.val")
