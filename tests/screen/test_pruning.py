"""Screening scores candidates best bound first and skips those that cannot change the answer
(`Screener(prune=True)`, the default): the answer must be exactly the one every candidate
scored gives, on real lists, for any limit and cut, and the bound never below a real score."""

from __future__ import annotations

import math
import random
from pathlib import Path

import orjson
import pytest
from faker import Faker
from typer.testing import CliRunner

from tradescreen.cli import app
from tradescreen.cli.screen import load_screener
from tradescreen.config import load_settings
from tradescreen.index.lookup import Candidate, candidates
from tradescreen.match.bound import RecordBound
from tradescreen.match.entity import Query, score_record
from tradescreen.normalize.names import name_form
from tradescreen.screen.party import Screener

runner = CliRunner()
LISTS = ("ofac/sdn_2024-05-03", "un/consolidated.xml", "canada/sema-lmes.xml",
         "opensanctions/yente_fixtures/zala_entities.ftm.json")
# The same office as LLC CST's listed address in the ZALA graph, written another way.
CST_REFORMATTED = "127055 MOSCOW, PERUNOVSKY PER. 3, BLDG 2, FL. 3, RM 21, RUSSIAN FEDERATION"


@pytest.fixture(scope="module")
def screeners(tmp_path_factory: pytest.TempPathFactory, data_dir: Path
              ) -> tuple[Screener, Screener]:
    home = tmp_path_factory.mktemp("pruning-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRADESCREEN_HOME", str(home))
        for path in LISTS:
            result = runner.invoke(app, ["lists", "import", str(data_dir / path)])
            assert result.exit_code == 0, result.stderr
        pruned = load_screener(load_settings())
    assert pruned.prune
    return pruned, Screener(pruned.index, pruned.thresholds, prune=False)


def _typo(name: str, rng: random.Random) -> str:
    i = rng.randrange(len(name))
    return name[:i] + name[i + 1:] if rng.random() < 0.5 else name[:i] + "e" + name[i:]


def _queries(index) -> list[Query]:
    """Listed names as written, misspelt, reordered, cut to one word, in their other scripts,
    with and without a birth date, country or identifier; ordinary names in 8 locales; a
    listed director's name (a relation) and a listed office (a shared attribute)."""
    rng = random.Random(15)
    records = rng.sample(list(index.records), 260)
    out: list[Query] = []
    for i, r in enumerate(records):
        name = rng.choice(r.names)[0]
        kind = i % 6
        if kind == 1 and len(name) > 5:
            name = _typo(name, rng)
        elif kind == 2:
            name = " ".join(reversed(name.split()))
        elif kind == 3:
            name = rng.choice(name.split())
        elif kind == 4:
            other = [n for n, _k, _s in r.names if not n.isascii()]
            name = other[0] if other else name
        out.append(Query(
            name, r.schema if i % 3 else "LegalEntity",
            birth_date=r.birth_dates[0][0] if r.birth_dates and i % 4 == 0 else None,
            countries=tuple(r.countries[:1]) if i % 5 == 0 else (),
            identifiers=(r.identifiers[0][2],) if r.identifiers and i % 7 == 0 else (),
        ))
    for locale in ("en_US", "de_DE", "ru_RU", "ar_AA", "zh_CN", "fa_IR", "tr_TR", "es_ES"):
        fake = Faker(locale)
        fake.seed_instance(15)
        out += [Query(fake.name(), "Person") for _ in range(12)]
        out += [Query(fake.company(), "Company") for _ in range(4)]
    out += [Query("Igor Kalinin", "Person"), Query("Zala Aero", "Company"),
            Query("Mohammad Ali", "Person"), Query("Kim Yong Chol", "Person"),
            Query("Nobody Holdings", "Company", attributes=(("address", CST_REFORMATTED),))]
    return out


def _answer(screener: Screener, query: Query, limit: int, min_score: float) -> bytes:
    return orjson.dumps([r.to_dict() for r in screener.screen(query, limit=limit,
                                                               min_score=min_score)])


def test_pruned_screening_answers_exactly_as_scoring_every_candidate(screeners) -> None:
    pruned, full = screeners
    queries = _queries(pruned.index)
    scored = {"pruned": 0, "full": 0}
    for label, screener in (("pruned", pruned), ("full", full)):
        original = screener._score_one

        def counting(*args, _label=label, _original=original):
            scored[_label] += 1
            return _original(*args)

        screener._score_one = counting  # type: ignore[method-assign]
    shown = 0
    try:
        for limit in (1, 5, 10):
            for min_score in (0.2, 0.5):
                for query in queries:
                    want = _answer(full, query, limit, min_score)
                    assert _answer(pruned, query, limit, min_score) == want, (query, limit)
                    shown += want != b"[]"
    finally:
        del pruned._score_one, full._score_one
    assert shown > len(queries)  # most queries have an answer
    # The pruning is not a no-op: far fewer candidates are scored.
    assert scored["pruned"] < 0.7 * scored["full"], scored


def test_record_bound_is_never_below_the_score(screeners) -> None:
    pruned, _full = screeners
    index = pruned.index
    tight = checked = 0
    for query in _queries(index):
        bound = RecordBound(query)
        form = name_form(query.name, query.schema, query=True)
        for cand in candidates(index, form, query.identifiers):
            record, forms = index.records[cand.record], index.forms[cand.record]
            for slots in (cand.name_slots, ()):
                real = score_record(query, record, slots or None, forms).score
                most = bound(record, slots, forms)
                assert most >= real, (query, record.caption, slots, most, real)
                checked += 1
                tight += most - real < 0.05
    assert checked > 2000
    assert tight > checked // 4  # a bound that is always 1.0 would prune nothing


def test_quick_bound_is_the_bound_without_the_candidate_side(screeners) -> None:
    """`QueryBound.quick` (what screening orders candidates by) reads the pair without the
    candidate's `_Side`: never below `QueryBound(...)` (hence never below the score), and
    equal to it but for rounding wherever it reads the pair at all, on the names screening
    reaches on the lists and on ordinary names of 8 locales (the synthetic collection's)."""
    pruned, _full = screeners
    index = pruned.index
    queries = _queries(index)
    rng = random.Random(4)
    for locale in ("en_US", "de_DE", "ru_RU", "ar_AA", "zh_CN", "ko_KR", "tr_TR", "pt_BR"):
        fake = Faker(locale)
        fake.seed_instance(4)
        queries += [Query(fake.name(), "Person") for _ in range(15)]
        queries += [Query(fake.company(), "Company") for _ in range(5)]
    read = checked = 0
    for query in queries:
        bound = RecordBound(query)
        form = name_form(query.name, query.schema, query=True)
        found = candidates(index, form, query.identifiers)
        # Listed names no blocking key reaches too: pairs whose tokens share nothing.
        found += [Candidate(pos, (), 0.0) for pos in rng.sample(range(len(index.records)), 3)]
        for cand in found:
            record, forms = index.records[cand.record], index.forms[cand.record]
            qform, tight = bound._query(record.schema)
            if tight is None:
                continue
            for cform in forms:
                if cform is None or not cform.tokens:
                    continue
                exact, quick = tight(cform), tight.quick(cform)
                assert quick >= exact, (query, cform.raw, quick, exact)
                if quick != math.inf:
                    assert quick - exact < 1e-6, (query, cform.raw, quick, exact)
                    read += 1
                checked += 1
            assert bound.quick(record, cand.name_slots, forms) >= bound(
                record, cand.name_slots, forms)
    assert checked > 5000
    assert read > checked * 0.6  # most pairs are read the quick way


def test_a_full_collection_during_a_query_freezes_what_is_loaded_a_few_times(screeners) -> None:
    """A full garbage collection inside a query walks every table loaded on first use
    (80-180 ms at 1.5 M entities: it set the p99); the screener freezes what is alive then,
    so the next ones walk only what came since, at most `limit` times, and answers stay."""
    import gc

    from tradescreen.memory import Settler

    pruned, _ = screeners
    query = Query("Islamic Revolutionary Guard Corps", "Organization")
    before = _answer(pruned, query, 10, 0.2)
    pruned._settler = Settler(limit=2)
    thresholds = gc.get_threshold()
    try:
        # Nothing left for a full collection to walk, and one due in every query (CPython
        # runs one once the objects kept since the last are a quarter of those it walked).
        gc.freeze()
        gc.collect()
        gc.set_threshold(1, 1, 1)
        for _ in range(4):
            assert _answer(pruned, query, 10, 0.2) == before
        assert pruned._settler.freezes == 2
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        counted = Settler(limit=2)
        # No full collection meanwhile: nothing frozen.
        assert not counted.settle(counted.full_collections())
        assert gc.get_freeze_count() == 0
        for _ in range(3):
            full = counted.full_collections()
            gc.collect()
            counted.settle(full)
        assert counted.freezes == 2  # the limit
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
