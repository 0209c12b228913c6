"""Score one name against another with the fitted name model, with explanation rows.

Scoring is on the hot path (every candidate of every query), explaining only for the results a
caller keeps, so the explanation rows are built on demand from the levels the scoring reached.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradescreen.match.explain import Feature, token_detail
from tradescreen.match.features import NameComparison, Weight, compare_forms
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


def score_forms(
    query: NameForm,
    candidate: NameForm,
    *,
    weight: Weight = corpus_weight,
    model: ScoringModel | None = None,
) -> NameScore:
    model = model or name_model()
    cmp = compare_forms(query, candidate, weight)
    levels = tuple(model.evaluate(cmp.values))
    logit = model.intercept + sum(level.weight for _, level, _ in levels)
    return NameScore(logit, cmp, model.intercept, levels)


def score_names(schema: str, name1: str, name2: str) -> NameScore:
    return score_forms(name_form(name1, schema, query=True), name_form(name2, schema))
