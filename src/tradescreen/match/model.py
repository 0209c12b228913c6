"""The scoring model as data: comparisons, their levels, and each level's weight.

Splink-style: a comparison buckets one measurement into levels; each level carries a weight in
log-odds (natural log of a Bayes factor); the score is the logistic of intercept + the weights.
The file is versioned with the code (`name_model.json`) and fitted by `bench/fit_name_model.py`
on the labelled dev pairs and generated variants, so a change of weights is a reviewable diff.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Level:
    min: float  # the level applies when the measurement is >= min (levels are tried in order)
    weight: float
    label: str


@dataclass(frozen=True, slots=True)
class Comparison:
    feature: str
    description: str
    levels: tuple[Level, ...]

    def level(self, value: float) -> Level:
        for level in self.levels:
            if value >= level.min:
                return level
        return self.levels[-1]


@dataclass(frozen=True, slots=True)
class ScoringModel:
    name: str
    intercept: float
    comparisons: tuple[Comparison, ...]

    def score(self, values: dict[str, float]) -> tuple[tuple[tuple[Comparison, Level, float],
                                                             ...], float]:
        """Each comparison's (comparison, level, value) for `values`, and the sum of the levels'
        weights in the model's order."""
        out = []
        weights = []
        for c in self.comparisons:
            value = values[c.feature]
            for level in c.levels:
                if value >= level.min:
                    break
            else:
                level = c.levels[-1]
            out.append((c, level, value))
            weights.append(level.weight)
        return tuple(out), sum(weights)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "intercept": self.intercept,
            "comparisons": [
                {
                    "feature": c.feature,
                    "description": c.description,
                    "levels": [
                        {"min": lv.min, "weight": lv.weight, "label": lv.label} for lv in c.levels
                    ],
                }
                for c in self.comparisons
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> ScoringModel:
        return cls(
            name=data["name"],
            intercept=float(data["intercept"]),
            comparisons=tuple(
                Comparison(
                    feature=c["feature"],
                    description=c["description"],
                    levels=tuple(Level(float(lv["min"]), float(lv["weight"]), lv["label"])
                                 for lv in c["levels"]),
                )
                for c in data["comparisons"]
            ),
        )


def logistic(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@cache
def name_model() -> ScoringModel:
    text = resources.files("tradescreen.match").joinpath("name_model.json").read_text("utf-8")
    return ScoringModel.from_dict(json.loads(text))
