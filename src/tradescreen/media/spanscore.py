"""Score a span of text against the listed records it may name: `screen`'s answer, cheaply.

A span is compared with the names of a few dozen records, and the same names recur: seven lists
carry one party under the same names, and a document repeats its names. So each distinct pair of
(span form, listed name form) is compared once per document, the record's best name is chosen as
the scorer chooses it, and a record is scored in full (`score_record`, which gives the
explanation) only when its best name could reach `review`: nothing but the name speaks for a
span (no date, country or identifier), and the name's log-odds bound what the other evidence can
make of it. The results that can be shown are therefore exactly `Screener.screen`'s.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from tradescreen.index.lookup import candidates
from tradescreen.match import evidence
from tradescreen.match.bound import QueryBound
from tradescreen.match.entity import EntityScore, Query, score_record
from tradescreen.match.model import logistic
from tradescreen.match.names import compared_as, score_forms
from tradescreen.normalize.names import NameForm, name_form
from tradescreen.screen.party import PartyResult, Thresholds

MAX_DIRECT = 40  # up to this many records are scored directly instead of retrieved
LIMIT = 10  # results per span, as `screen` gives them
EXACT_SCORE = 0.95  # the screening score of a name written as listed

FormKey = tuple[Any, ...]
# Per span form (what the comparison reads of it, `compared_as`), the log-odds of each listed
# name form compared with it.
Memo = dict[FormKey, dict[FormKey, float]]
_WEAK = evidence.WEIGHTS["weak_alias"]
_SURNAME = evidence.SINGLE_SURNAME_LOGIT


def _order(result: Any) -> tuple[float, str, str]:
    """`screen`'s order of results: best first, then by list and entry."""
    return (-result.score, result.record.source, result.record.source_id)


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


# A record as the span scorer reads it: the record, its name forms, and per usable name slot
# (a form with tokens) the form, what the comparison reads of it and the weak-alias adjustment.
Entry = tuple[Any, Sequence[NameForm | None], dict[int, tuple[int, NameForm, FormKey, float]]]
MAX_FOUND = 5_000  # span token sequences whose retrieved candidates are kept
MAX_ENTRIES = 20_000  # records kept read (index data, not names seen: kept across documents)
MAX_SCORED = 20_000  # (span, name) scores kept for records that carry the same name


class _QueryState:
    """What is kept of one span form while a document is scanned: its bound and the ceilings
    of the listed name forms it met (a ceiling reads the tokens alone)."""

    __slots__ = ("bound", "ceilings", "top")

    def __init__(self, qform: NameForm) -> None:
        self.bound = QueryBound(qform)
        self.ceilings: dict[tuple[str, ...], float] = {}
        self.top = self.bound.top - 1e-12


class SpanScorer:
    def __init__(self, index: Any, thresholds: Thresholds) -> None:
        self.index = index
        self.thresholds = thresholds
        # Below review a result is never shown; a name whose log-odds cannot reach it is not
        # worth an explanation.
        self._floor = _logit(min(max(thresholds.review, 1e-6), 1 - 1e-6)) - 1e-9
        self._states: dict[FormKey, _QueryState] = {}
        self._entries: dict[int, Entry] = {}
        # Spans that differ only in case or spelling of the same tokens ("Islamic Revolutionary
        # Guard Corps", and the same read back from a translation) retrieve alike: the lookup
        # reads the tokens alone.
        self._found: dict[tuple[tuple[str, ...], bool], list[Any]] = {}
        # Seven lists carry one party under the same names: a span scored against a record
        # through a name another record has too (same kind of record, same name, same form)
        # scores the same, with the same explanation (a span is a bare name: no date,
        # country or identifier reads anything else of the record).
        self._scored: dict[tuple[str, str, tuple[str, str, str], NameForm], EntityScore] = {}

    def clear(self) -> None:
        """Forget the span forms bounded, retrieved and scored so far."""
        self._states.clear()
        self._found.clear()
        self._scored.clear()

    def _score_record(self, query: Query, record: Any, slot: int,
                      forms: Sequence[NameForm | None]) -> EntityScore:
        """`score_record(query, record, (slot,), forms)` for a query that is a name alone."""
        cform = forms[slot]
        key = (query.name, record.schema, record.names[slot], cform)
        known = self._scored.get(key)  # type: ignore[arg-type]
        if known is None:
            known = score_record(query, record, (slot,), forms)
            if known.name_score is not None:
                if len(self._scored) >= MAX_SCORED:
                    self._scored.clear()
                self._scored[key] = known  # type: ignore[index]
            return known
        return EntityScore(record, known.score, known.matched_name, known.matched_kind,
                           known.name_score, known.evidence)

    def _candidates(self, form: NameForm) -> list[Any]:
        key = (form.tokens, form.abjad)
        found = self._found.get(key)
        if found is None:
            if len(self._found) >= MAX_FOUND:
                self._found.clear()
            found = self._found[key] = candidates(self.index, form)
        return found

    def entry(self, pos: int) -> Entry:
        """Record `pos` read for scoring; depends on the (immutable) index alone."""
        found = self._entries.get(pos)
        if found is None:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            record, forms = self.index.records[pos], self.index.forms[pos]
            slots = {}
            for slot, ((_v, _k, strength), cform) in enumerate(
                    zip(record.names, forms, strict=True)):
                if cform is not None and cform.tokens:
                    slots[slot] = (slot, cform, compared_as(cform),
                                   _WEAK if strength == "weak" else 0.0)
            found = self._entries[pos] = (record, forms, slots)
        return found

    def score(self, text: str, allowed: set[int] | None, memo: Memo,
              reach: Any = None, least: float | None = None) -> list[PartyResult]:
        """The screening results (best first, at most `LIMIT`) of `text` among the records
        `allowed` (None: any record the index retrieves). `reach(form, allowed)` gives the
        (record, name slots) pairs to compare; by default the index's candidates.

        `least`: only the results scoring at least this much are wanted (and those above
        `review`); records that cannot reach it are left out unscored. The results kept are
        exactly those of the full answer that score `least` or more: a record left out scores
        below all of them, so it never takes one's place among the first `LIMIT`."""
        floor = self._floor
        if least is not None:
            floor = max(floor, _logit(min(max(least, 1e-6), 1 - 1e-6)) - 1e-9)
        query = Query(name=text)
        form = name_form(text, query.schema)
        if allowed is None or len(allowed) > MAX_DIRECT or reach is None:
            found = self._candidates(form)
            pairs: Iterable[tuple[int, tuple[int, ...] | None]] = [
                (c.record, c.name_slots or None) for c in found
                if allowed is None or c.record in allowed]
        else:
            pairs = reach(form, allowed)
        # Each record's best name first; then records scored in full (`score_record`, with
        # the explanation) best bound first, until no other can enter the first `LIMIT`: the
        # evidence beyond the name only counts down (no date, country or identifier speaks
        # for a span), except that one word for a listed person may be lifted to `review`.
        reached = []
        # The span read as each kind of record, with what is kept of that reading.
        readings: dict[str, tuple[NameForm, _QueryState, dict[FormKey, float]] | None] = {}
        for pos, slots in pairs:
            record, forms, entries = self.entry(pos)
            schema = record.schema
            if schema in readings:
                reading = readings[schema]
            else:
                reading = readings[schema] = self._reading(query.name, schema, memo)
            if reading is None:
                continue
            best = self._best_slot(reading, schema, slots, entries, floor)
            if best is not None:
                slot, most = best
                reached.append((-most, record.source, record.source_id, pos, slot, forms))
        reached.sort(key=lambda r: r[:3])
        records = self.index.records
        scored: list[Any] = []
        last: tuple[float, str, str] | None = None  # the LIMIT-th result's order so far
        for neg_most, source, source_id, pos, slot, forms in reached:
            if last is not None and (-logistic(-neg_most), source, source_id) > last:
                break
            result = self._score_record(query, records[pos], slot, forms)
            if result.score >= 0.2:
                scored.append(result)
                if len(scored) >= LIMIT:
                    scored.sort(key=_order)
                    del scored[LIMIT:]
                    last = _order(scored[-1])
        scored.sort(key=_order)
        decide = self.thresholds.decide
        return [PartyResult(s, decide(s.score)) for s in scored[:LIMIT]]

    def _reading(self, text: str, schema: str, memo: Memo
                 ) -> tuple[NameForm, _QueryState, dict[FormKey, float]] | None:
        """The span read as a name of `schema` (as `score_record` reads it), its bound and
        its comparisons so far; None when it has no tokens to compare."""
        qform = name_form(text, schema, query=True)
        if not qform.tokens:
            return None
        # Two spans the comparison reads alike (they differ in case) share their comparisons
        # and bounds: both read only what `compared_as` keeps of the span.
        qkey = compared_as(qform)
        state = self._states.get(qkey)
        if state is None:
            state = self._states[qkey] = _QueryState(qform)
        known = memo.get(qkey)
        if known is None:
            known = memo[qkey] = {}
        return qform, state, known

    def _best_slot(self, reading: tuple[NameForm, _QueryState, dict[FormKey, float]],
                   schema: str, slots: Sequence[int] | None,
                   entries: dict[int, tuple[int, NameForm, FormKey, float]], floor: float
                   ) -> tuple[int, float] | None:
        """The slot `score_record` would pick (`match.entity._best_name`: highest log-odds,
        weak aliases counted down, first of equals) and the most log-odds the record can score
        through it, or None when even the best name cannot reach `floor` (log-odds; review at
        the least). `reading`: the span read as the record's kind of name (`_reading`);
        `entries`: the record's usable slots (`entry`)."""
        qform, state, known = reading
        tight, ceilings = state.bound, state.ceilings
        # Slots in order of what they could reach at most, so that once a name scores above
        # every remaining bound the rest need no comparison; ties go to the lower slot, as
        # `_best_name` keeps the first of equals.
        order = []
        for item in (entries.values() if not slots
                     else [entries[s] for s in slots if s in entries]):
            cform = item[1]
            ceiling = ceilings.get(cform.tokens)
            if ceiling is None:
                ceiling = ceilings[cform.tokens] = tight.ceiling(cform)
            order.append((-(ceiling + item[3]), item))
        order.sort(key=_by_bound)
        # One word for a listed person may be lifted to `review` as a distinctive surname:
        # then the record is shown whatever its names score.
        lift = (_SURNAME if schema == "Person" and len(qform.tokens) == 1
                else float("-inf"))
        top = state.top
        best_slot, best_logit, bound = -1, float("-inf"), float("-inf")
        # Names that cannot reach review, kept for when another name does: then one of them
        # may still be the record's best name (a weak alias counts down).
        pending: list[tuple[float, int, NameForm, FormKey, float]] = []
        for neg_ceiling, (slot, cform, key, adjust) in order:
            ceiling = -neg_ceiling
            if bound >= floor and (
                    ceiling < best_logit or (ceiling == best_logit and slot > best_slot)):
                break
            logit = known.get(key)
            if logit is None:
                # Names written all but alike are compared straight away: the bound would
                # not keep them out.
                most = top if ceiling - adjust >= top else tight(cform, key)
                if most < floor:
                    if most + adjust > best_logit or (
                            most + adjust == best_logit and slot < best_slot):
                        pending.append((most + adjust, slot, cform, key, adjust))
                    continue
                logit = known[key] = score_forms(qform, cform).logit
            if logit > bound:
                bound = logit
            chosen = logit + adjust
            if chosen > best_logit or (chosen == best_logit and slot < best_slot):
                best_slot, best_logit = slot, chosen
        if max(bound, lift) < floor or best_slot < 0 and not pending:
            return None
        for ceiling, slot, cform, key, adjust in pending:
            if ceiling < best_logit or (ceiling == best_logit and slot > best_slot):
                continue
            logit = known.get(key)
            if logit is None:
                logit = known[key] = score_forms(qform, cform).logit
            chosen = logit + adjust
            if chosen > best_logit or (chosen == best_logit and slot < best_slot):
                best_slot, best_logit = slot, chosen
        if best_slot < 0:
            return None
        # Summed in another order than `score_record` sums: a hair above, never below.
        return best_slot, max(best_logit, lift) + 1e-9


def _by_bound(item: tuple[float, tuple[int, Any, Any, float]]) -> tuple[float, int]:
    return item[0], item[1][0]
