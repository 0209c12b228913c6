"""Candidate generation on the real SDN list: recall first, measured apart from scoring."""

from __future__ import annotations

import pickle
import random

import numpy as np
import pytest

from tradescreen import sources
from tradescreen.index import lookup
from tradescreen.index.build import build_index
from tradescreen.index.keys import normalize_identifier
from tradescreen.index.lookup import candidates, top_records
from tradescreen.index.records import to_record
from tradescreen.normalize.names import name_form


@pytest.fixture(scope="module")
def sdn_index(data_dir):
    read = sources.read(data_dir / "ofac" / "sdn_2024-05-03")
    records = [to_record(e, "sdn-test") for e in read.entities]
    return build_index(records, ("sdn-test",))


def _typo(name: str, rng: random.Random) -> str:
    chars = list(name)
    letters = [i for i, c in enumerate(chars) if c.isalpha()]
    i = rng.choice(letters)
    op = rng.choice(["drop", "swap", "sub"])
    if op == "drop":
        del chars[i]
    elif op == "swap" and i + 1 < len(chars):
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    else:
        chars[i] = rng.choice("aeioustrnkl")
    return "".join(chars)


def test_candidates_keep_true_records_under_typos_and_reordering(sdn_index):
    rng = random.Random(5)
    people = [r for r in sdn_index.records if r.schema == "Person"]
    sample = rng.sample(people, 300)
    found = 0
    for rec in sample:
        name = rec.names[0][0]
        if "," in name:  # "LAST, First" typed as "First Last"
            last, first = name.split(",", 1)
            name = f"{first.strip()} {last.strip()}"
        query = name_form(_typo(name, rng), "Person")
        hits = candidates(sdn_index, query, limit=30)
        found += any(sdn_index.records[c.record] is rec for c in hits)
    assert found / len(sample) >= 0.98


def test_identifier_candidates(sdn_index):
    hits = candidates(sdn_index, name_form("", "Vessel"), ("IMO 9187655",))
    assert hits and hits[0].via_identifier
    assert "9187655" in {i[1] for i in sdn_index.records[hits[0].record].identifiers}


def test_normalize_identifier():
    assert normalize_identifier("IMO 9187655") == "9187655"
    assert normalize_identifier("imo9187655") == "9187655"
    assert normalize_identifier("12") is None


def test_index_pickles(sdn_index):
    clone = pickle.loads(pickle.dumps(sdn_index))
    assert clone.name_count == sdn_index.name_count
    form = name_form("QODS AVIATION INDUSTRIES", "Company")
    assert candidates(clone, form)[0].record == candidates(sdn_index, form)[0].record


def test_names_split_parenthesised_acronyms():
    from tradescreen.index.records import to_record
    from tradescreen.model import Entity, Name

    org = Entity("un_sc", "x", "Organization", (Name("SHAHID HEMMAT INDUSTRIAL GROUP (SHIG)"),))
    names = to_record(org, "s").names
    assert ("SHAHID HEMMAT INDUSTRIAL GROUP", "primary", "strong") in names
    assert ("SHIG", "alias", "weak") in names
    person = Entity("un_sc", "y", "Person", (Name("JOHN DOE (DECEASED)"),))
    assert to_record(person, "s").names == (("JOHN DOE (DECEASED)", "primary", "strong"),)


def _records_named(index, word: str):
    return [i for i, r in enumerate(index.records)
            if any(word in name_form(n[0], r.schema).tokens for n in r.names)]


def test_dotted_and_spaced_acronyms_reach_the_listed_word(sdn_index):
    """IRGC is listed as one word; "I.R.G.C." and "I R G C" must reach it by retrieval."""
    listed = set(_records_named(sdn_index, "irgc"))
    assert listed
    for query in ("I.R.G.C.", "I R G C", "i.r.g.c"):
        for schema in ("Organization", "LegalEntity"):
            hits = candidates(sdn_index, name_form(query, schema), limit=30)
            assert listed & {c.record for c in hits}, (query, schema)


def test_single_distinctive_surname_reviews_the_listed_person_common_word_does_not(sdn_index):
    """A head of state's surname alone reaches `review` (0.5-0.7) for that person; a given
    name that thousands of listed people share reaches nobody at review."""
    from tradescreen.match.entity import Query, score_record

    def best(word: str) -> tuple[float, str]:
        hits = candidates(sdn_index, name_form(word, "Person"), limit=30)
        scored = [score_record(Query(word, "Person"), sdn_index.records[c.record], c.name_slots)
                  for c in hits]
        top = max(scored, key=lambda s: s.score)
        return top.score, top.record.caption

    score, caption = best("Putin")
    assert 0.5 <= score < 0.7 and "PUTIN" in caption.upper()
    score, caption = best("Lukashenka")
    assert 0.5 <= score < 0.7 and "LUKASHENK" in caption.upper()
    for common in ("Mohammed", "Ali", "Kim"):
        assert best(common)[0] < 0.5, common


def test_arabic_script_words_written_together_in_latin_reach_the_listed_name(sdn_index):
    """(match3) نصر الله is one word in OFAC's NASRALLAH, Hasan: the Arabic-script query's
    neighbouring words reach it through the Latin names' consonant skeletons."""
    form = name_form("حسن نصر الله", "Person", query=True)
    hits = candidates(sdn_index, form, limit=30)
    assert any("NASRALLAH, Hasan" in sdn_index.records[c.record].caption for c in hits)


def _top_records_loop(records: list[int], limit: int, per_record: int):
    """The one-name-at-a-time walk `top_records` replaces."""
    slots: dict[int, list[int]] = {}
    for i, rec in enumerate(records):
        if rec not in slots:
            if len(slots) >= limit:
                continue
            slots[rec] = []
        if len(slots[rec]) < per_record:
            slots[rec].append(i)
    return list(slots.items())


def test_top_records_keeps_the_first_records_and_their_best_names() -> None:
    rng = random.Random(5)
    for _ in range(300):
        records = [rng.randrange(rng.choice((3, 40, 2000))) for _ in range(rng.randrange(60))]
        limit, per_record = rng.choice((1, 5, 30)), rng.choice((1, 3))
        got = top_records(np.asarray(records, dtype=np.int32), limit, per_record)
        assert got == _top_records_loop(records, limit, per_record)
    assert top_records(np.asarray([7, 3, 7, 7, 9, 3], dtype=np.int32), 2, 2) == [
        (7, [0, 2]), (3, [1, 5])]


def test_dense_sums_equal_sorted_sums(sdn_index, monkeypatch) -> None:
    """Names reached by many keys are summed in a dense array instead of sorted: the same
    candidates with bit-for-bit the same shares, whichever way each query goes."""
    rng = random.Random(8)
    names = [r.names[0][0] for r in rng.sample(sdn_index.records, 150)]
    queries = [*names, *(_typo(n, rng) for n in names), "Mohammed Ali", "Trading LLC",
               "Bank", "Al Hassan", "Company Limited", "Ahmad"]

    def run() -> list:
        return [[(c.record, c.name_slots, c.share) for c in
                 candidates(sdn_index, name_form(q, "LegalEntity", query=True))]
                for q in queries]

    monkeypatch.setattr(lookup, "DENSE_RATIO", 0)  # never dense
    sorted_way = run()
    monkeypatch.setattr(lookup, "DENSE_RATIO", 10**9)  # always dense
    dense_way = run()
    assert dense_way == sorted_way
    assert sum(map(len, sorted_way)) > 1000
    # Common keys tested on the names the rarer ones reach, by binary search or by marks,
    # summed densely or not: the same candidates again.
    monkeypatch.setattr(lookup, "COMMON_POSTINGS", 20)
    monkeypatch.setattr(lookup, "COMMON_FRACTION", 0.0)
    for dense in (0, 10**9):
        for mark in (0, 10**9):
            monkeypatch.setattr(lookup, "DENSE_RATIO", dense)
            monkeypatch.setattr(lookup, "MARK_RATIO", mark)
            assert run() == sorted_way, (dense, mark)


def test_sums_over_common_keys_equal_one_pass_over_every_key(sdn_index) -> None:
    """`shares` with common keys tested on the rarer keys' names (by marks or by binary
    search, repeated words read once) equals a plain sum over every key, bit for bit."""
    rng = random.Random(3)
    names = [r.names[0][0] for r in rng.sample(sdn_index.records, 120)]
    queries = [*names, "Al Hassan Al Ali Al Bakr", "Trading Trading Company", "Ahmad Ahmad"]
    checked = 0
    for q in queries:
        form = name_form(q, "LegalEntity", query=True)
        if not form.tokens:
            continue
        parts, _ = lookup.query_parts(sdn_index, form)
        sums: dict[int, float] = {}
        for keys in parts:
            best: dict[int, float] = {}
            for ids, w in keys:
                for i in ids.tolist():
                    best[i] = max(best.get(i, 0.0), w)
            for i, w in best.items():
                sums[i] = sums.get(i, 0.0) + w
        sizes = sorted({len(a) for keys in parts for a, _ in keys})
        for common in (None, *sizes[:3]):
            uniq, total = lookup.shares(parts, common)
            rare = {i for keys in parts for a, _ in keys
                    if common is None or len(a) <= common for i in a.tolist()}
            assert uniq.tolist() == sorted(rare)
            assert total.tolist() == [sums[i] for i in uniq.tolist()]
            checked += len(uniq)
    assert checked > 10_000
