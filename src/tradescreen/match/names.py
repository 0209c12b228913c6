"""Score one name against another with the fitted name model, with explanation rows.

Scoring is on the hot path (every candidate of every query), explaining only for the results a
caller keeps, so the explanation rows are built on demand from the levels the scoring reached.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradescreen.match.align import Alignment
from tradescreen.match.explain import Feature, token_detail
from tradescreen.match.features import SYLLABIC, NameComparison, Weight, compare_forms
from tradescreen.match.model import Comparison, Level, ScoringModel, logistic, name_model
from tradescreen.match.weights import corpus_weight
from tradescreen.normalize.names import NameForm, name_form


@dataclass(frozen=True, slots=True)
class NameScore:
    logit: float
    comparison: NameComparison
    intercept: float
    levels: tuple[tuple[Comparison, Level, float], ...]

    @property
    def score(self) -> float:
        return logistic(self.logit)

    @property
    def features(self) -> tuple[Feature, ...]:
        cmp = self.comparison
        rows = [Feature("prior", "intercept", self.intercept)]
        detail = token_detail(cmp.query.tokens, cmp.candidate.tokens, cmp.alignment.pairs)
        for comparison, level, value in self.levels:
            text = detail if comparison.feature == "name_dice" else comparison.description
            rows.append(Feature(comparison.feature, level.label, level.weight, value, text))
        if cmp.query.transliterated or cmp.candidate.transliterated:
            scripts = sorted({cmp.query.script, cmp.candidate.script} - {"Latin"})
            rows.append(
                Feature("transliteration", "compared in Latin script", 0.0, ", ".join(scripts))
            )
        return tuple(rows)


def compared_as(form: NameForm) -> tuple:
    """What the name comparison reads of a form: all but how the name was written, which only
    Chinese, Japanese and Korean characters are compared by."""
    raw = form.raw if form.script in SYLLABIC else None
    return (form.tokens, form.legal_forms, form.legal_words, form.dropped, form.script,
            form.kind, raw)


# Screening compares a query with the same listed names more than once (a listing's names
# again when its party's other listings are gathered): the comparisons of the current query are
# kept, keyed by what the comparison reads of both forms, and forgotten when another query
# comes (kept objects that outlive a query would cost the garbage collector more than they save).
_RECENT: dict[tuple, tuple[Alignment, dict[str, float], tuple, float]] = {}
_RECENT_QUERY: list[tuple | None] = [None]
RECENT_SIZE = 1024


def score_forms(
    query: NameForm,
    candidate: NameForm,
    *,
    weight: Weight = corpus_weight,
    model: ScoringModel | None = None,
) -> NameScore:
    if model is None and weight is corpus_weight:
        model = name_model()
        qkey = compared_as(query)
        if qkey != _RECENT_QUERY[0] or len(_RECENT) >= RECENT_SIZE:
            _RECENT.clear()
            _RECENT_QUERY[0] = qkey
        key = (qkey, compared_as(candidate))
        seen = _RECENT.get(key)
        if seen is not None:
            al, values, levels, logit = seen
            return NameScore(logit, NameComparison(query, candidate, al, values),
                             model.intercept, levels)
    else:
        model = model or name_model()
        key = None
    cmp = compare_forms(query, candidate, weight)
    levels, weights = model.score(cmp.values)
    logit = model.intercept + weights
    if key is not None:
        _RECENT[key] = (cmp.alignment, cmp.values, levels, logit)
    return NameScore(logit, cmp, model.intercept, levels)


def score_names(schema: str, name1: str, name2: str) -> NameScore:
    return score_forms(name_form(name1, schema, query=True), name_form(name2, schema))
