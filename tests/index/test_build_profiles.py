"""The listed parties' profiles are the same whether the build normalised names in worker
processes or in-process, and the main process does not normalise the workers' names again."""

from __future__ import annotations

from pathlib import Path

from tradescreen import sources
from tradescreen.index.build import INDEX_VERSION
from tradescreen.index.cache import _Deferred
from tradescreen.index.clusters import Collector
from tradescreen.index.records import to_record
from tradescreen.index.write import CHUNK, write_index
from tradescreen.normalize.names import name_form

LISTS = ("ofac/sdn_2024-05-03", "un/consolidated.xml")
SERIAL = 3000


def test_profiles_from_worker_tokens_equal_in_process_profiles(data_dir: Path,
                                                               tmp_path: Path) -> None:
    pairs = []
    for rel in LISTS:
        read = sources.read(data_dir / rel)
        pairs += [(e, to_record(e, f"snap-{rel.split('/')[0]}")) for e in read.entities]
    assert len(pairs) > SERIAL + 5 * CHUNK  # several chunks go through the workers
    name_form.cache_clear()
    deferred = _Deferred(Collector())
    write_index(deferred.records(iter(pairs)), ("a", "b"), tmp_path, INDEX_VERSION,
                workers=2, serial=SERIAL, observe=deferred.observe)
    # Only the records prepared in-process were normalised here: the workers' tokens served
    # the profiles of the rest.
    head = {(v, r.schema) for _e, r in pairs[:SERIAL] for v, _k, _s in r.names}
    assert name_form.cache_info().currsize <= len(head)
    assert not deferred.waiting
    in_process = Collector()
    for entity, record in pairs:
        in_process.observe(entity, record)
    assert deferred.collector.profiles == in_process.profiles
    assert sum(bool(p.names) for p in in_process.profiles) > 10_000
