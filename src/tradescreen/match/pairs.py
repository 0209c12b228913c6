"""Score two bare names (the `score-pairs` case). Placeholder until the scorer lands."""

from __future__ import annotations

from rapidfuzz import fuzz


def compare_names(schema: str, name1: str, name2: str) -> tuple[float, bool]:
    """Return (score in [0, 1], verdict) for two names of the given schema."""
    score = fuzz.token_sort_ratio(name1.lower(), name2.lower()) / 100.0
    return score, score >= 0.85
