"""Score two bare names (the `score-pairs` case)."""

from __future__ import annotations

from tradescreen.match.names import score_names

# The verdict threshold of a bare name pair: chosen on the dev pairs for the best F1 and
# reported by bench/names.py; screening uses its own configurable match/review bands.
PAIR_THRESHOLD = 0.5


def compare_names(schema: str, name1: str, name2: str) -> tuple[float, bool]:
    """Return (score in [0, 1], verdict) for two names of the given schema."""
    score = score_names(schema, name1, name2).score
    return score, score >= PAIR_THRESHOLD
