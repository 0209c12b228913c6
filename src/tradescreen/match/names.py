"""Score one name against another with the fitted name model, with explanation rows."""

from __future__ import annotations

from dataclasses import dataclass

from tradescreen.match.explain import Feature, token_detail
from tradescreen.match.features import NameComparison, Weight, compare_forms
from tradescreen.match.model import ScoringModel, logistic, name_model
from tradescreen.match.weights import corpus_weight
from tradescreen.normalize.names import NameForm, name_form


@dataclass(frozen=True, slots=True)
class NameScore:
    logit: float
    comparison: NameComparison
    features: tuple[Feature, ...]

    @property
    def score(self) -> float:
        return logistic(self.logit)


def score_forms(
    query: NameForm,
    candidate: NameForm,
    *,
    weight: Weight = corpus_weight,
    model: ScoringModel | None = None,
) -> NameScore:
    model = model or name_model()
    cmp = compare_forms(query, candidate, weight)
    logit = model.intercept
    features: list[Feature] = [Feature("prior", "intercept", model.intercept)]
    detail = token_detail(query.tokens, candidate.tokens, cmp.alignment.pairs)
    for comparison, level, value in model.evaluate(cmp.values):
        logit += level.weight
        features.append(
            Feature(
                comparison.feature,
                level.label,
                level.weight,
                value,
                detail if comparison.feature == "name_dice" else comparison.description,
            )
        )
    if query.transliterated or candidate.transliterated:
        scripts = sorted({query.script, candidate.script} - {"Latin"})
        features.append(
            Feature("transliteration", "compared in Latin script", 0.0, ", ".join(scripts))
        )
    return NameScore(logit, cmp, tuple(features))


def score_names(schema: str, name1: str, name2: str) -> NameScore:
    return score_forms(name_form(name1, schema), name_form(name2, schema))
