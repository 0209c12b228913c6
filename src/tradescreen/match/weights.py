"""Token weights: rare name tokens are strong evidence, common ones weak.

Weights come from document frequencies over every name on the official lists, shipped as
`data/token_df.json` (built by `bench/build_token_df.py`) so that pair scoring, screening and the
fitted model all use the same numbers. Particles and generic words are capped low regardless.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources

from tradescreen.normalize import vocab

MIN_WEIGHT = 0.2


@cache
def _table() -> tuple[dict[str, int], int]:
    raw = resources.files("tradescreen.match").joinpath("data", "token_df.json").read_text("utf-8")
    data = json.loads(raw)
    return data["df"], int(data["names"])


@lru_cache(maxsize=200_000)
def corpus_weight(token: str) -> float:
    df, n = _table()
    count = df.get(token, 0)
    # Inverse document frequency scaled to [MIN_WEIGHT, 1]: a token on 1 name in 10,000 is ~1.0,
    # one on 1 name in 50 (mohammad, bank) is ~0.4.
    idf = math.log((n + 1) / (count + 1)) / math.log(n + 1)
    weight = max(MIN_WEIGHT, min(1.0, 1.15 * idf))
    if token in vocab.particles():
        weight = min(weight, 0.3)
    elif token in vocab.org_generic():
        weight = min(weight, 0.4)
    elif len(token) == 1:
        weight = min(weight, 0.5)
    return weight


def document_frequencies(token_lists: Iterable[Iterable[str]], min_count: int = 3) -> dict:
    """Build the shipped table from the folded tokens of every listed name."""
    counts: Counter[str] = Counter()
    names = 0
    for toks in token_lists:
        names += 1
        counts.update(set(toks))
    df = {t: c for t, c in sorted(counts.items()) if c >= min_count}
    return {"names": names, "df": df}
