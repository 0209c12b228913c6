"""The fast token alignment gives exactly what the straightforward definition gives.

The alignment asks `pair_sim` only about token pairs that share a key or lie a few edits apart
(`aligning_sim`), reads per-name data from caches, and builds pair objects only for the pairs it
keeps. Here the straightforward version (every pair asked, everything recomputed) is run beside
it on real list names: UN names and aliases (Latin and Arabic script), their near neighbours on
the list, and variants with a typo, merged words and reordered words.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from tradescreen import sources
from tradescreen.match import align as A
from tradescreen.match import features as F
from tradescreen.match.features import compare_forms
from tradescreen.match.names import score_forms
from tradescreen.match.weights import corpus_weight
from tradescreen.normalize import vocab
from tradescreen.normalize.names import NameForm, name_form
from tradescreen.normalize.phonetic import assimilated
from tradescreen.normalize.text import letter_runs


def reference_candidates(q, c, abjad=False):
    """The alignment's candidate pairs as first written (one pass, every pair asked)."""
    found = []
    paired_q, paired_c = set(), set()
    for i, a in enumerate(q):
        for j, b in enumerate(c):
            sim, kind = A.pair_sim(a, b, abjad)
            if sim >= A.MIN_TOKEN_SIM:
                found.append(A.TokenPair((i,), (j,), sim, kind))
                paired_q.add(i)
                paired_c.add(j)
    if len(q) == len(c) and len(paired_q) == len(q) and len(paired_c) == len(c):
        return found
    if not q or not c:
        return found
    for side_a, side_b, flip in ((q, c, False), (c, q, True)):
        longest = max((b - a for a, b in letter_runs(side_a)), default=3)
        lengths = [len(b) for b in side_b]
        lo, hi = min(lengths) - 2, max(lengths) + 2
        for size in range(2, max(3, longest) + 1):
            for i in range(len(side_a) - size + 1):
                words = side_a[i : i + size]
                merged = "".join(words)
                if abjad:
                    after = side_a[i + size] if i + size < len(side_a) else ""
                    spoken = assimilated(words, after)
                elif not lo <= len(merged) <= hi:
                    continue
                for j, b in enumerate(side_b):
                    if abjad and A._abjad_merge(words, b, spoken):
                        sim = A.TRANSLIT_SIM
                    elif abs(len(b) - len(merged)) > 2:
                        continue
                    else:
                        sim = Levenshtein.normalized_similarity(merged, b, score_cutoff=0.85)
                    if sim >= 0.85:
                        span = tuple(range(i, i + size))
                        found.append(A.TokenPair((j,), span, sim, "merged") if flip
                                     else A.TokenPair(span, (j,), sim, "merged"))
    return found


def reference_align(query: NameForm, candidate: NameForm, weight) -> A.Alignment:
    q, c = query.tokens, candidate.tokens
    abjad = query.abjad != candidate.abjad
    options = sorted(reference_candidates(q, c, abjad),
                     key=lambda p: (-p.sim, -len(p.query) - len(p.candidate)))
    used_q, used_c, pairs = set(), set(), []
    for pair in options:
        if used_q.intersection(pair.query) or used_c.intersection(pair.candidate):
            continue
        pairs.append(pair)
        used_q.update(pair.query)
        used_c.update(pair.candidate)
    nq = {t for t in q if not t.isalpha()}
    nc = {t for t in c if not t.isalpha()}
    both = bool(nq and nc)
    wq = [0.0 if both and t in nq else weight(t) for t in q]
    wc = [0.0 if both and t in nc else weight(t) for t in c]
    return A.Alignment(
        pairs=tuple(sorted(pairs, key=lambda p: p.query)),
        query_weight=sum(wq),
        candidate_weight=sum(wc),
        query_matched=sum(wq[i] * p.sim for p in pairs for i in p.query),
        candidate_matched=sum(wc[j] * p.sim for p in pairs for j in p.candidate),
        query_unmatched=tuple(i for i in range(len(q))
                              if i not in used_q and not (both and q[i] in nq)),
        candidate_unmatched=tuple(j for j in range(len(c))
                                  if j not in used_c and not (both and c[j] in nc)),
        numbers_conflict=A.numbers_conflict(frozenset(nq), frozenset(nc)),
    )


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 6:
        return text
    i = rng.randrange(1, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def _merged(text: str) -> str:
    words = text.split()
    return " ".join([words[0] + words[1], *words[2:]]) if len(words) >= 3 else text


@pytest.fixture(scope="module")
def un_pairs(data_dir: Path) -> list[tuple[NameForm, NameForm]]:
    entities = sources.read(data_dir / "un" / "consolidated.xml").entities
    rng = random.Random(5)
    listed = [(e.schema, n.value) for e in entities for n in e.names]
    by_text = sorted({(s, v) for s, v in listed}, key=lambda sv: sv[1].casefold())
    pairs: list[tuple[NameForm, NameForm]] = []
    for e in entities:
        names = [n.value for n in e.names]
        for a in names[:3]:  # aliases of one entity, Latin and Arabic script among them
            for b in names[:4]:
                pairs.append((name_form(a, e.schema, query=True), name_form(b, e.schema)))
        first = names[0]
        for variant in (_typo(first, rng), _merged(first), " ".join(reversed(first.split()))):
            pairs.append((name_form(variant, e.schema, query=True),
                          name_form(first, e.schema)))
    for k in range(0, len(by_text) - 1, 3):  # neighbours on the list: alike, mostly others
        (schema, a), (_, b) = by_text[k], by_text[k + 1]
        pairs.append((name_form(a, schema, query=True), name_form(b, schema)))
    return [(q, c) for q, c in pairs if q.tokens and c.tokens]


def test_alignment_equals_the_straightforward_definition(un_pairs) -> None:
    kinds: set[str] = set()
    abjad = 0
    for q, c in un_pairs:
        expected = reference_align(q, c, corpus_weight)
        assert A.align(q, c, corpus_weight) == expected, (q.raw, c.raw)
        kinds.update(p.kind for p in expected.pairs)
        abjad += q.abjad != c.abjad
    # The pairs reach every way tokens align, and both scripts' merging.
    assert {"exact", "typo", "translit", "merged", "initial"} <= kinds
    assert abjad >= 100 and len(un_pairs) >= 3000


def test_aligning_sim_is_pair_sim_on_every_pair_that_aligns(un_pairs) -> None:
    tokens = sorted({t for q, c in un_pairs[::4] for t in q.tokens + c.tokens})
    asked: set[tuple[str, str]] = set()
    for q, c in un_pairs[::2]:
        asked.update((a, b) for a in q.tokens for b in c.tokens)
    for t in tokens[::3]:  # each token against its nearest spellings on the list
        for near, _score, _ in process.extract(t, tokens, limit=6):
            asked.add((t, near))
    # Equivalent names and known name symbols of the shipped tables.
    groups: dict[int, list[str]] = {}
    for token, ids in list(vocab.equivalents().items()) + list(vocab.known_names().items())[:3000]:
        for g in ids:
            groups.setdefault(g, []).append(token)
    for members in list(groups.values())[:2000]:
        asked.update((a, b) for a in members[:4] for b in members[:4])
    kinds: set[str] = set()
    for a, b in sorted(asked):
        for abjad in (False, True):
            sim, kind = A.pair_sim(a, b, abjad)
            expected = (sim, kind) if sim >= A.MIN_TOKEN_SIM else None
            assert A.aligning_sim(a, b, abjad) == expected, (a, b, abjad)
            if expected:
                kinds.add(kind)
    assert len(asked) >= 20_000
    assert {"exact", "typo", "translit", "initial", "equivalent", "symbol", "other_name",
            "stem"} <= kinds


def test_a_repeated_comparison_scores_as_a_fresh_one() -> None:
    """score_forms keeps recent comparisons: the kept one explains the forms asked about."""
    q1 = name_form("Ali Hassan al-Majid", "Person", query=True)
    q2 = name_form("ALI HASSAN AL MAJID", "Person", query=True)  # reads the same, other raw
    c = name_form("Ali Hasan al-Majeed", "Person")
    first = score_forms(q1, c)
    again = score_forms(q2, c)
    fresh = compare_forms(q2, c, corpus_weight)
    assert again.logit == first.logit
    assert again.comparison.values == fresh.values
    assert again.comparison.alignment == fresh.alignment
    assert again.comparison.query is q2
    assert again.features == first.features


def reference_values(query: NameForm, candidate: NameForm, weight) -> dict[str, float]:
    """The measurements as first written: every one worked out, nothing skipped."""
    al, acronym = F.with_acronym(query, candidate, A.align(query, candidate, weight), weight)
    particles = frozenset() if F.read_as_korean(query) else vocab.particles()
    q_extra = sum(1 for i in al.query_unmatched if query.tokens[i] not in particles)
    c_extra = sum(1 for j in al.candidate_unmatched if candidate.tokens[j] not in particles)
    qf = frozenset(query.legal_forms) - {"co"}
    cf = frozenset(candidate.legal_forms) - {"co"}
    q_numbers = [t for t in query.tokens if not t.isalpha()]
    c_numbers = [t for t in candidate.tokens if not t.isalpha()]
    q_join, c_join = query.tokens, candidate.tokens
    if q_numbers and c_numbers:
        q_join = tuple(t for t in q_join if t.isalpha()) or q_join
        c_join = tuple(t for t in c_join if t.isalpha()) or c_join

    def core(tokens):
        return tuple(t for t in tokens if t not in vocab.particles()) or tokens

    return {
        "name_dice": al.dice,
        "min_coverage": al.min_coverage,
        "slip_edits": float(F._slip_edits(query.tokens, candidate.tokens, al,
                                          query.script == candidate.script)),
        "unmatched_tokens": float(min(q_extra, c_extra)),
        "extra_tokens": float(max(q_extra, c_extra)),
        "joined_similarity": Levenshtein.normalized_similarity(
            "".join(sorted(q_join)), "".join(sorted(c_join))),
        "numbers_conflict": float(al.numbers_conflict),
        "number_one_side": float(F.number_one_side(query, candidate, al)),
        "acronym": float(acronym),
        "legal_form_conflict": float(bool(qf and cf and not qf & cf)),
        "legal_form_differs": float(bool(qf and cf and qf & cf)
                                    and not set(query.legal_words) & set(candidate.legal_words)),
        "short_name": float(min(len(query.tokens), len(candidate.tokens)) <= 1),
        "org_extra_tokens": float(max(q_extra, c_extra)) if query.kind == "org" else 0.0,
        "patronymic_conflict": float(F.patronymic_conflict(query, candidate, al)),
        "syllabic_mismatch": float(F.syllabic_mismatch(query, candidate)
                                   or F.korean_mismatch(query, candidate, al)),
        "initials_only": float(
            query.kind == "person"
            and any(all(len(t) == 1 for t in f.tokens) for f in (query, candidate))
            and not all(len(t) == 1 for t in query.tokens + candidate.tokens)
        ),
        "distinct_names": float(query.kind == "person"
                                and any(p.kind == "other_name" for p in al.pairs)),
        "one_word_fuzzy": float(len(core(query.tokens)) == 1 and len(core(candidate.tokens)) == 1
                                and not any(p.kind in F.SAME_WORD for p in al.pairs)),
    }


# Names that reach the measurements the fast path skips when they cannot apply: patronymics,
# numbers on one or both sides, legal forms, acronyms, initials, Korean and Chinese script.
_SHORTCUT_NAMES = [
    ("Person", "Ali bin Hassan al-Majid", "Hassan bin Ali al-Majid"),
    ("Person", "Mohammed bin Salman", "Salman bin Mohammed"),
    ("Company", "Sparta III", "Sparta"),
    ("Company", "Long Xing 611", "Long Xing 627"),
    ("Company", "China Electronics Technology Group Corporation 14th Research Institute",
     "China Electronics Technology Group Corporation"),
    ("Company", "Acme Holdings LLC", "Acme Holdings GmbH"),
    ("Company", "Acme Holdings Inc", "Acme Holdings JSC"),
    ("Company", "Daedong Credit Bank (DCB)", "Daedong Credit Bank"),
    ("Organization", "IRGC", "Islamic Revolutionary Guard Corps"),
    ("Organization", "PLA", "People's Liberation Army"),
    ("Person", "J. R. Smith", "John Robert Smith"),
    ("Person", "J R S", "John Robert Smith"),
    ("Person", "김영철", "Kim Yong Chol"),
    ("Person", "김영철", "Kim Jong Chol"),
    ("Person", "習近平", "习近平"),
    ("Person", "高石", "高市"),
    ("Person", "Rahimi Ali", "Rahiqi Ali"),
    ("Person", "Navros Sergei", "Lavrov Sergei"),
]


def test_measurements_equal_the_straightforward_definition(un_pairs) -> None:
    """compare_forms skips a measurement that cannot apply (no typo pair, no patronymic, one
    script, no legal forms on one side): each skipped one is what working it out gives."""
    pairs = list(un_pairs)
    for schema, a, b in _SHORTCUT_NAMES:
        pairs.append((name_form(a, schema, query=True), name_form(b, schema)))
        pairs.append((name_form(b, schema, query=True), name_form(a, schema)))
    seen: dict[str, set[float]] = {}
    for q, c in pairs:
        values = compare_forms(q, c, corpus_weight).values
        expected = reference_values(q, c, corpus_weight)
        assert list(values.items()) == list(expected.items()), (q.raw, c.raw)
        for feature, value in values.items():
            seen.setdefault(feature, set()).add(value)
    # Every measurement the fast path may skip took a value other than its default here.
    for feature in ("slip_edits", "number_one_side", "patronymic_conflict", "syllabic_mismatch",
                    "legal_form_conflict", "legal_form_differs", "acronym", "initials_only",
                    "numbers_conflict", "distinct_names", "one_word_fuzzy"):
        assert len(seen[feature]) > 1, feature
