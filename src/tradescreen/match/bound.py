"""Upper bounds of a name comparison's log-odds, from what costs far less than comparing.

The name model sums one weight per measurement (`match.features.compare_forms`), most of them
read off the token alignment, the expensive part. Two bounds, both read from the fitted model
(a refit moves them with it; a test checks them against real list names):

- `name_bound`: the similarity of the two names' sorted, joined tokens (one Levenshtein ratio),
  every other measurement at its best level. It orders a record's names best-first.
- `pair_bound`: every measurement confined to the values it can still take once each token's
  best possible partner is known (`match.align.pair_sim` against every token of the other
  name, and the merges of neighbouring tokens the alignment may make), the measurements that do
  not need the alignment exact. A span and a name most spans meet share one distinctive token
  ("Juri Kowaltschuk" / "Kovalchuk Kyrylo Mykhailovych"): the tokens left without any partner
  are unmatched whatever the alignment does, and that alone keeps the pair below `review`, so
  it is never aligned.
"""

from __future__ import annotations

import bisect
import math
import operator
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

from rapidfuzz.distance import Levenshtein

from tradescreen.match import evidence
from tradescreen.match.align import (
    MERGE_SIM,
    MERGE_SLACK,
    MIN_TOKEN_SIM,
    aligning_sim,
    numbers_conflict,
)
from tradescreen.match.align import _side as aligned_side
from tradescreen.match.entity import record_features
from tradescreen.match.features import (
    joined_similarity,
    may_read_acronym,
    read_as_korean,
    syllabic_mismatch,
)
from tradescreen.match.model import Comparison, Level, logistic, name_model
from tradescreen.match.names import compared_as
from tradescreen.match.weights import corpus_weight
from tradescreen.normalize import vocab
from tradescreen.normalize.names import NameForm, name_form

JOINED = "joined_similarity"
_INF = math.inf


@cache
def _parts() -> tuple[float, Comparison]:
    model = name_model()
    rest = model.intercept
    joined = None
    for comparison in model.comparisons:
        if comparison.feature == JOINED:
            joined = comparison
        else:
            rest += max(level.weight for level in comparison.levels)
    if joined is None:
        raise LookupError(f"the name model has no {JOINED} comparison")
    return rest, joined


def name_bound(query: NameForm, candidate: NameForm) -> float:
    """The highest log-odds `match.names.score_forms(query, candidate)` can give."""
    rest, joined = _parts()
    similarity = joined_similarity(query.tokens, candidate.tokens)
    return rest + max(level.weight for level in joined.levels if similarity >= level.min)


class _Levels:
    """One comparison read for bounding: its weight at a value, its best weight at or below
    a value and at or above one."""

    def __init__(self, comparison: Comparison) -> None:
        levels = comparison.levels
        self.mins = tuple(level.min for level in levels)
        self.weights = tuple(level.weight for level in levels)
        n = len(levels)
        if any(a < b for a, b in zip(self.mins, self.mins[1:], strict=False)):
            top = max(self.weights)  # not in falling order: any level anywhere
            self.below = self.above = (top,) * n
        else:
            # Level i applies from its min up to level i-1's: values at or below one that
            # takes level i take i or a later one; values at or above it, i or an earlier one.
            self.below = tuple(max(self.weights[i:]) for i in range(n))
            self.above = tuple(max(self.weights[:i + 1]) for i in range(n))
        self.best = max(self.weights)
        # Falling mins read by bisection: the first level whose min the value reaches.
        self._falling = all(a >= b for a, b in zip(self.mins, self.mins[1:], strict=False))
        self._negated = tuple(-least for least in self.mins)
        self._last = n - 1

    def index(self, value: float) -> int:
        if self._falling:
            return min(bisect.bisect_left(self._negated, -value), self._last)
        for i, least in enumerate(self.mins):
            if value >= least:
                return i
        return len(self.mins) - 1


_NO_LEVELS = _Levels(Comparison("", "", (Level(-1.0, 0.0, ""),)))


class _Table:
    """The name model read for bounding; measurements the bound does not read (one a later
    model adds) at their best."""

    KNOWN = frozenset({JOINED, "numbers_conflict", "short_name", "initials_only",
                       "legal_form_conflict", "legal_form_differs", "syllabic_mismatch",
                       "org_extra_tokens", "name_dice", "min_coverage", "unmatched_tokens",
                       "extra_tokens"})

    def __init__(self) -> None:
        model = name_model()
        self.rest = model.intercept
        self.levels: dict[str, _Levels] = {}
        for comparison in model.comparisons:
            if comparison.feature in self.KNOWN:
                self.levels[comparison.feature] = _Levels(comparison)
            else:
                self.rest += max(level.weight for level in comparison.levels)

    def get(self, feature: str) -> _Levels:
        return self.levels.get(feature, _NO_LEVELS)


@cache
def _table() -> _Table:
    return _Table()


class _Side:
    """What the bound reads of one name's tokens alone, taken from what the alignment reads
    of them (`align._side`, kept: a candidate bounded and then scored works it out once)."""

    __slots__ = ("tokens", "weights", "numbers", "windows", "window_lengths",
                 "lengths", "shortest", "longest", "initials")

    def __init__(self, tokens: tuple[str, ...]) -> None:
        numbers, weights, _total, _words, _word_total, sized, positions, low, high = \
            aligned_side(tokens)
        self.tokens = tokens
        self.weights = weights
        self.numbers = numbers
        # The runs of neighbouring tokens the alignment may merge into one word of the other
        # name, by length.
        windows = sorted((n, span, merged) for span, merged, n in sized)
        self.windows = tuple(w[1:] for w in windows)
        self.window_lengths = tuple(w[0] for w in windows)
        self.lengths = tuple(p[2] for p in positions)
        self.shortest = low + MERGE_SLACK if tokens else 0
        self.longest = high - MERGE_SLACK if tokens else 0
        self.initials = all(n == 1 for n in self.lengths)


@lru_cache(maxsize=200_000)
def _side(tokens: tuple[str, ...]) -> _Side:
    return _Side(tokens)


class QueryBound:
    """`pair_bound` of one query form against many candidate forms: what depends on the query
    alone is read once, and each candidate token's similarities to the query's tokens are
    kept (a record's names, and the records a span reaches, repeat their tokens)."""

    def __init__(self, query: NameForm) -> None:
        self.query = query
        self.q = query.tokens
        self.side = _side(self.q)
        particles = frozenset() if read_as_korean(query) else vocab.particles()
        self.q_particle = tuple(t in particles for t in self.q)
        self.particles = particles
        self._rows: dict[tuple[str, bool], tuple[float, ...]] = {}
        self._known: dict[Any, float] = {}
        rest, joined = _parts()
        self._cheap = rest
        self._joined_levels = _table().get(JOINED)
        self._org = query.kind == "org"
        self._person = query.kind == "person"
        table = _table()
        self.levels = {f: table.get(f) for f in _Table.KNOWN}
        self.fixed = table.rest

        def at(feature: str, value: float) -> float:
            lv = self.levels[feature]
            return lv.weights[lv.index(value)]

        self.no_numbers_conflict = at("numbers_conflict", 0.0)
        self.short = (at("short_name", 0.0), at("short_name", 1.0))
        self.initials_only = (at("initials_only", 0.0), at("initials_only", 1.0))
        # Both names with legal forms: whether they conflict needs the forms' classes.
        self.legal = (at("legal_form_conflict", 0.0) + at("legal_form_differs", 0.0),
                      self.levels["legal_form_conflict"].best
                      + self.levels["legal_form_differs"].best)
        # Characters that differ are certain; a Korean syllable aligned to another, not.
        self.syllabic = (self.levels["syllabic_mismatch"].best, at("syllabic_mismatch", 1.0))
        # `quick`: the query's merge windows with their lengths.
        self._quick_fixed = self.fixed + self.no_numbers_conflict
        lv = self.levels["org_extra_tokens"]
        self._org_extra = lv if self._org else None
        self._org_fixed = 0.0 if self._org else lv.weights[lv.index(0.0)]
        self._q_windows = tuple((n, span, merged) for n, (span, merged) in zip(
            self.side.window_lengths, self.side.windows, strict=True))
        self._q_lengths = self.side.lengths
        # Lengths a candidate word / run needs for any merge with the query to be tried.
        wl = self.side.window_lengths
        self._q_window_range = (wl[0] - MERGE_SLACK, wl[-1] + MERGE_SLACK) if wl else (1, 0)
        self._q_token_range = (self.side.shortest - MERGE_SLACK,
                               self.side.longest + MERGE_SLACK)
        self._q_numbers = bool(self.side.numbers)

    def _row(self, token: str, abjad: bool) -> tuple[float, ...]:
        """The similarity of `token` to each query token, 0 where no pair can form."""
        key = (token, abjad)
        row = self._rows.get(key)
        if row is None:
            # `aligning_sim` is `pair_sim` where a pair can form, and its cache is the one the
            # alignment reads: a pair bounded here is not compared again when scored.
            sims = []
            for a in self.q:
                agree = aligning_sim(a, token, abjad)
                sims.append(agree[0] if agree is not None and agree[0] >= MIN_TOKEN_SIM else 0.0)
            row = self._rows[key] = tuple(sims)
        return row

    @property
    def top(self) -> float:
        """The highest `ceiling`: two names whose joined tokens are all but the same."""
        return self._cheap + max(self._joined_levels.weights)

    def ceiling(self, candidate: NameForm) -> float:
        """`name_bound(query, candidate)`, with what depends on one side read once."""
        levels = self._joined_levels
        return self._cheap + levels.below[levels.index(
            joined_similarity(self.q, candidate.tokens))]

    def __call__(self, candidate: NameForm, key: Any = None) -> float:
        """`pair_bound(self.query, candidate)`; `key`: what the comparison reads of the
        candidate, under which the bound is kept."""
        if key is not None:
            most = self._known.get(key)
            if most is None:
                most = self._known[key] = self._bound(candidate)
            return most
        return self._bound(candidate)

    def _bests(self, c: tuple[str, ...], abjad: bool) -> tuple[list[float], list[float]]:
        """Each query token's and each candidate token's best possible partner similarity."""
        ub_q = [0.0] * len(self.q)
        ub_c = [0.0] * len(c)
        for j, b in enumerate(c):
            row = self._row(b, abjad)
            best = 0.0
            for i, sim in enumerate(row):
                if sim > ub_q[i]:
                    ub_q[i] = sim
                if sim > best:
                    best = sim
            ub_c[j] = best
        return ub_q, ub_c

    def _overlap(self, mq: float, mc: float, sq: float, sc: float, lone_q: int,
                 lone_c: int) -> float:
        """The highest weights of the token-overlap measurements (dice, coverage, unmatched
        and extra tokens) given the matched and total weights and the partnerless tokens."""
        levels = self.levels
        dice = (mq + mc) / (sq + sc) + 1e-12 if sq + sc else 0.0
        coverage = min(mq / sq if sq else 0.0, mc / sc if sc else 0.0) + 1e-12
        return (levels["name_dice"].below[levels["name_dice"].index(dice)]
                + levels["min_coverage"].below[levels["min_coverage"].index(coverage)]
                + levels["unmatched_tokens"].above[
                    levels["unmatched_tokens"].index(float(min(lone_q, lone_c)))]
                + levels["extra_tokens"].above[
                    levels["extra_tokens"].index(float(max(lone_q, lone_c)))])

    def quick(self, candidate: NameForm) -> float:
        """`self(candidate)` read without the candidate's side (`_Side`: weights, numbers,
        merge windows sorted by length) for the common case of two names without numbers
        in one script family; never below it (each measurement at the value `_bound` gives
        or one it cannot exceed). Infinite where only `self(candidate)` reads the pair."""
        q, c = self.q, candidate.tokens
        if not q or not c or self._q_numbers or self.query.abjad != candidate.abjad:
            return _INF
        if may_read_acronym(self.query, candidate):
            return self.ceiling(candidate)
        lengths = [len(t) for t in c]
        if min(lengths) == 1 or not all(map(str.isalpha, c)):
            return _INF  # spelt-out acronyms and numbers: `self(candidate)`
        ub_q, ub_c = self._bests(c, False)
        # `_merges` both ways: a run of one name within two letters of a word of the other.
        ql = self._q_lengths
        lo, hi = self._q_window_range
        for n, span, merged in (self._q_windows if any(lo <= m <= hi for m in lengths) else ()):
            for j, m in enumerate(lengths):
                if -MERGE_SLACK <= m - n <= MERGE_SLACK:
                    sim = Levenshtein.normalized_similarity(merged, c[j], score_cutoff=MERGE_SIM)
                    if sim >= MERGE_SIM:
                        for k in span:
                            if sim > ub_q[k]:
                                ub_q[k] = sim
                        if sim > ub_c[j]:
                            ub_c[j] = sim
        for size in (2, 3):
            for start in range(len(c) - size + 1):
                n = sum(lengths[start:start + size])
                if not self._q_token_range[0] <= n <= self._q_token_range[1]:
                    continue
                for i, m in enumerate(ql):
                    if -MERGE_SLACK <= m - n <= MERGE_SLACK:
                        sim = Levenshtein.normalized_similarity(
                            "".join(c[start:start + size]), q[i], score_cutoff=MERGE_SIM)
                        if sim >= MERGE_SIM:
                            for k in range(start, start + size):
                                if sim > ub_c[k]:
                                    ub_c[k] = sim
                            if sim > ub_q[i]:
                                ub_q[i] = sim
        wq = self.side.weights
        wc = [corpus_weight(t) for t in c]
        sq, sc = sum(wq), sum(wc)
        mq = sum(map(operator.mul, wq, ub_q))
        mc = sum(map(operator.mul, wc, ub_c))
        lone_q = lone_c = 0
        for i, u in enumerate(ub_q):
            if u == 0.0 and not self.q_particle[i]:
                lone_q += 1
        particles = self.particles
        for j, u in enumerate(ub_c):
            if u == 0.0 and c[j] not in particles:
                lone_c += 1
        lone = float(max(lone_q, lone_c))
        levels = self.levels
        total = self._quick_fixed + self._overlap(mq, mc, sq, sc, lone_q, lone_c)
        org = self._org_extra
        total += org.above[org.index(lone)] if org is not None else self._org_fixed
        joined = levels[JOINED]
        total += joined.weights[joined.index(joined_similarity(q, c))]
        total += self.short[min(len(q), len(c)) <= 1]
        # The candidate has no one-letter token: initials only if the query is all initials.
        total += self.initials_only[bool(self._person and self.side.initials)]
        total += self.legal[bool(self.query.legal_forms and candidate.legal_forms)]
        total += self.syllabic[syllabic_mismatch(self.query, candidate)]
        return total + 2e-9  # summed in another order than `_bound`: never below it

    def _bound(self, candidate: NameForm) -> float:
        query, q, c = self.query, self.q, candidate.tokens
        if may_read_acronym(query, candidate):
            # An acronym aligned with the words it stands for moves the measurements read
            # below (dice, coverage, unmatched tokens): only the loose bound holds.
            return self.ceiling(candidate)
        qs, cs = self.side, _side(c)
        abjad = query.abjad != candidate.abjad
        ub_q, ub_c = self._bests(c, abjad)
        if q and c:
            if abjad:
                # Words written apart in Arabic script and together in Latin are judged by
                # their consonants: any run of two or more may join into any word.
                if len(q) >= 2 or len(c) >= 2:
                    ub_q = [1.0] * len(q)
                    ub_c = [1.0] * len(c)
            else:
                _merges(qs, cs, ub_q, ub_c)
                _merges(cs, qs, ub_c, ub_q)
        nq, nc = qs.numbers, cs.numbers
        both = bool(nq and nc)
        wq, wc = qs.weights, cs.weights
        if both:
            wq = tuple(0.0 if t in nq else w for t, w in zip(q, wq, strict=True))
            wc = tuple(0.0 if t in nc else w for t, w in zip(c, wc, strict=True))
        sq, sc = sum(wq), sum(wc)
        mq = sum(map(operator.mul, wq, ub_q))
        mc = sum(map(operator.mul, wc, ub_c))
        # A token without any possible partner is unmatched whatever the alignment pairs.
        lone_q = lone_c = 0
        for i, u in enumerate(ub_q):
            if u == 0.0 and not self.q_particle[i] and not (both and q[i] in nq):
                lone_q += 1
        particles = self.particles
        for j, u in enumerate(ub_c):
            if u == 0.0 and c[j] not in particles and not (both and c[j] in nc):
                lone_c += 1
        lone = float(max(lone_q, lone_c))
        levels = self.levels
        total = self.fixed + self._overlap(mq, mc, sq, sc, lone_q, lone_c)
        if self._org:
            total += levels["org_extra_tokens"].above[levels["org_extra_tokens"].index(lone)]
        else:
            total += levels["org_extra_tokens"].weights[levels["org_extra_tokens"].index(0.0)]
        joined = levels[JOINED]
        total += joined.weights[joined.index(joined_similarity(q, c))]
        conflict = numbers_conflict(nq, nc)
        if conflict:
            total += levels["numbers_conflict"].weights[
                levels["numbers_conflict"].index(float(conflict))]
        else:
            total += self.no_numbers_conflict
        total += self.short[min(len(q), len(c)) <= 1]
        total += self.initials_only[bool(self._person and (qs.initials or cs.initials)
                                         and not (qs.initials and cs.initials))]
        total += self.legal[bool(query.legal_forms and candidate.legal_forms)]
        total += self.syllabic[syllabic_mismatch(query, candidate)]
        return total + 1e-9  # summed in another order than the model sums: never below it


def _merges(side_a: _Side, side_b: _Side, ub_a: list[float], ub_b: list[float]) -> None:
    """Raise the tokens of `side_a` the alignment may merge into one word of `side_b`, and
    that word: within two letters of the merged tokens and at least 0.85 alike."""
    lo = bisect.bisect_left(side_a.window_lengths, side_b.shortest - MERGE_SLACK)
    hi = bisect.bisect_right(side_a.window_lengths, side_b.longest + MERGE_SLACK)
    for span, merged in side_a.windows[lo:hi]:
        n = len(merged)
        for j, b in enumerate(side_b.tokens):
            if abs(side_b.lengths[j] - n) > MERGE_SLACK:
                continue
            sim = Levenshtein.normalized_similarity(merged, b, score_cutoff=MERGE_SIM)
            if sim >= MERGE_SIM:
                for k in span:
                    if sim > ub_a[k]:
                        ub_a[k] = sim
                if sim > ub_b[j]:
                    ub_b[j] = sim


def pair_bound(query: NameForm, candidate: NameForm) -> float:
    """The highest log-odds `match.names.score_forms(query, candidate)` can give (>= the
    comparison, exactly; usually far closer to it than `name_bound`)."""
    return QueryBound(query)(candidate)



class RecordBound:
    """The highest score `match.entity.score_record(query, record, slots, forms)` can give,
    without aligning any name: the best name's `pair_bound` (a weak alias counted down), the
    name evidence at most what it can add (all of it counts down, except that one word for a
    listed person may be lifted to `review` as a distinctive surname), and the evidence beyond
    the name (schema, birth date, countries, identifiers) exactly, as it is cheap."""

    def __init__(self, query: Any) -> None:
        self.query = query
        self._by_schema: dict[str, tuple[NameForm, QueryBound | None]] = {}
        self._quick: dict[tuple[str, Any], float] = {}

    def _query(self, schema: str) -> tuple[NameForm, QueryBound | None]:
        got = self._by_schema.get(schema)
        if got is None:
            qform = name_form(self.query.name, schema, query=True)
            got = self._by_schema[schema] = (qform, QueryBound(qform) if qform.tokens else None)
        return got

    def quick(self, record: Any, slots: Sequence[int] | None,
              forms: Sequence[NameForm | None] | None) -> float:
        """`self(record, slots, forms)` or a hair above it (never below), each name through
        `QueryBound.quick` where it reads the pair (most pairs: a third of the cost)."""
        return self._bound(record, slots, forms, quick=True)

    def __call__(self, record: Any, slots: Sequence[int] | None,
                 forms: Sequence[NameForm | None] | None) -> float:
        return self._bound(record, slots, forms, quick=False)

    def _bound(self, record: Any, slots: Sequence[int] | None,
               forms: Sequence[NameForm | None] | None, quick: bool) -> float:
        qform, tight = self._query(record.schema)
        names = record.names
        logit = -_INF
        if tight is not None:
            weak = evidence.WEIGHTS["weak_alias"]
            for slot in slots or range(len(names)):
                cform = forms[slot] if forms is not None else name_form(names[slot][0],
                                                                        record.schema)
                if cform is None or not cform.tokens:
                    continue
                key = compared_as(cform)
                if quick:
                    most = self._quick.get((record.schema, key))
                    if most is None:
                        most = tight.quick(cform)
                        if most == _INF:
                            most = tight(cform, key)
                        self._quick[(record.schema, key)] = most
                else:
                    most = tight(cform, key)
                if names[slot][2] == "weak":
                    most += weak
                if most > logit:
                    logit = most
        if logit == -_INF:
            logit = -4.0  # no comparable name (`score_record`)
        elif record.schema == "Person" and len(qform.tokens) == 1:
            logit = max(logit, evidence.SINGLE_SURNAME_LOGIT)
        for extra in record_features(self.query, record):
            logit += extra.weight
        # Summed in another order than `score_record` sums: a hair above, never below.
        return logistic(logit + 1e-9)
