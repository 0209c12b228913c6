"""An upper bound of a name comparison's log-odds, from what costs nothing to measure.

The name model sums one weight per measurement. All but one of those measurements need the
token alignment, the expensive part; the similarity of the two names' sorted, joined tokens is
one Levenshtein ratio. Taking every other measurement at its best level bounds the log-odds
from above, so a record's names can be compared best-first and the search stopped once a name
scores above what any remaining one could (`spanscore.SpanScorer._best_slot`). Read from the
fitted model, so a refit moves the bound with it; a test checks it against real list names.
"""

from __future__ import annotations

from functools import cache

from tradescreen.match.features import joined_similarity
from tradescreen.match.model import Comparison, name_model
from tradescreen.normalize.names import NameForm

JOINED = "joined_similarity"


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
