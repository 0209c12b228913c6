"""A book's customers as a small index, so articles are searched for them with the same
gazetteer and matcher as for listed parties."""

from __future__ import annotations

from tradescreen.books.storage import BookStore
from tradescreen.index.build import build_index
from tradescreen.index.records import Record
from tradescreen.screen.party import Screener, Thresholds


def customer_screener(books: BookStore, book: str, thresholds: Thresholds) -> Screener:
    books.require(book)
    records = []
    for row in books.rows(book):
        if row.query is None or not row.query.name.strip():
            continue
        q = row.query
        records.append(Record(
            source=f"book:{book}", source_id=row.row_id, snapshot=f"book:{book}",
            schema=q.schema if q.schema != "LegalEntity" else "LegalEntity",
            caption=q.name, names=((q.name, "name", "strong"),),
            birth_dates=((q.birth_date, False, q.birth_date),) if q.birth_date else (),
            countries=tuple(q.countries), identifiers=(), programs=(), listed_on=None,
            content_hash=row.content_hash,
        ))
    return Screener(build_index(records, (f"book:{book}",)), thresholds)
