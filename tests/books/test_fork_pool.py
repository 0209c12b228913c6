"""Book rows on forked workers: the first chunk screened in the parent (its tables then shared
by the workers), the same alerts in the same order as in one process, and the parent's objects
collectable again afterwards."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from tradescreen.books.batch import screen_items, screen_parallel
from tradescreen.books.readers import read_book
from tradescreen.books.rescreen import book_index
from tradescreen.config import load_settings
from tradescreen.screen.party import Thresholds
from tradescreen.store import open_store
from tradescreen.store.importer import import_path

from .book_data import NEW, build_rows, write_book


def test_forked_workers_equal_one_process_and_the_parent_is_unfrozen(home, data_dir, tmp_path):
    settings = load_settings()
    import_path(settings, data_dir / NEW, clock=lambda: datetime(2024, 5, 3, tzinfo=UTC))
    book = write_book(build_rows(data_dir), tmp_path / "book.csv")
    items = [(r.row_id, r.query) for r in read_book(book) if r.query is not None]
    with open_store(settings) as store:
        bidx = book_index(store, settings.index_dir, [s.id for s in store.active_snapshots()])
    expected = screen_items(bidx, items, Thresholds())
    assert expected
    got = screen_parallel(bidx, items, Thresholds(), workers=2, chunksize=40)
    assert len(items) > 3 * 40  # the parent's chunk and several for the workers
    assert got == expected
    assert gc.get_freeze_count() == 0  # frozen for the fork only
