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
