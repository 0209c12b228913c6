"""Candidate generation for books whose result depends only on the (row, listed entity) pair.

Delta re-screening keeps every alert on an entity that did not change and screens the book only
against a small index of added and changed entries. That equals a full re-screen exactly only if
"does row R alert on entity E" is a function of R and E alone. The interactive lookup
(`index.lookup.candidates`) is not: it keeps the best 30 records, widens its share threshold when
nothing reaches it, and weighs phonetic and cross-script keys by how many names they reach in the
whole index, so an unrelated new entry can hide or reveal an alert on an old one.

Here, therefore:
- one fixed share threshold, no record limit;
- exact, neighbour and merged keys weigh what they do in the interactive lookup (static corpus
  weights, so already pair-pure);
- a phonetic or cross-script key weighs no more than the listed token it reached
  (`min(query token weight, corpus weight of that listed token)`), computed per name once when
  the index is prepared, instead of from the key's posting count;
- every reached name of a reached record is scored (the interactive path scores the best three).

Recall stays at least that of the interactive path on the names it reaches at share >= 0.5.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tradescreen.index.build import Index
from tradescreen.index.keys import abjad_key, normalize_identifier, split_scheme
from tradescreen.index.lookup import (
    NEIGHBOUR_FACTOR,
    SKELETON_FACTOR,
    best_per_name,
    neighbour_tokens,
)
from tradescreen.match.weights import corpus_weight
from tradescreen.normalize.names import NameForm
from tradescreen.normalize.phonetic import abjad_skeleton, phonetic_key

# Share of the query's token weight a listed name must reach. The interactive lookup uses 0.5 and
# falls back to 0.3 for queries nothing reaches; a single value keeps the rule pair-pure.
MIN_SHARE = 0.4
_FUZZY_PREFIXES = ("k:", "a:", "b:")
_CACHE_TOKENS = 100_000


@dataclass
class BookIndex:
    """An index plus, for every posting of a fuzzy key, the weight of the listed token reached."""

    index: Index
    fuzzy_weight: np.ndarray  # float64 aligned with index.name_ids; 1.0 where unused
    # Set when the weights are a file mapped from beside a file index: then this object
    # pickles (to a Dask worker) as two paths and the worker maps the same files.
    weights_file: Path | None = None
    # Hits per (query token, script): a book repeats its tokens (llc, trading, john) across
    # many rows, and a token's hits depend on nothing else. Filled per process, never shipped.
    _hits: dict[tuple[str, bool], tuple[np.ndarray, np.ndarray] | None] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __getstate__(self) -> dict:
        weights = None if self.weights_file is not None else self.fuzzy_weight
        return {"index": self.index, "fuzzy_weight": weights, "weights_file": self.weights_file,
                "_hits": {}}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self.fuzzy_weight is None and self.weights_file is not None:
            self.fuzzy_weight = np.load(self.weights_file, mmap_mode="r").view(np.ndarray)

    @property
    def snapshots(self) -> tuple[str, ...]:
        return self.index.snapshots


def _name_key_weights(form: NameForm) -> dict[str, float]:
    out: dict[str, float] = {}
    for token in form.tokens:
        w = corpus_weight(token)
        for key in (f"k:{k}" if (k := phonetic_key(token)) else None, abjad_key(token, form.abjad)):
            if key is not None and w > out.get(key, 0.0):
                out[key] = w
    return out


def prepare(index: Index) -> BookIndex:
    """Compute the per-posting fuzzy-key weights (one pass over the index's names)."""
    per_name: list[dict[str, float]] = []
    for pos, slot in zip(index.name_record.tolist(), index.name_slot.tolist(), strict=True):
        form = index.forms[pos][slot]
        per_name.append(_name_key_weights(form) if form is not None else {})
    weights = np.ones(len(index.name_ids), dtype=np.float64)
    for key, slot in index.key_slot.items():
        if not key.startswith(_FUZZY_PREFIXES):
            continue
        start, end = int(index.offsets[slot]), int(index.offsets[slot + 1])
        for i, name_id in enumerate(index.name_ids[start:end].tolist(), start=start):
            weights[i] = per_name[name_id].get(key, 1.0)
    return BookIndex(index, weights)


def _fuzzy(bidx: BookIndex, key: str, weight: float) -> tuple[np.ndarray, np.ndarray] | None:
    slot = bidx.index.key_slot.get(key)
    if slot is None:
        return None
    start, end = int(bidx.index.offsets[slot]), int(bidx.index.offsets[slot + 1])
    ids = bidx.index.name_ids[start:end]
    return ids, np.minimum(weight, bidx.fuzzy_weight[start:end]) * SKELETON_FACTOR


def _token_hits(
    bidx: BookIndex, token: str, weight: float, abjad: bool
) -> tuple[np.ndarray, np.ndarray] | None:
    index = bidx.index
    parts: list[tuple[np.ndarray, np.ndarray]] = []

    def add(key: str, w: float) -> None:
        found = index.postings(key)
        if found is not None:
            parts.append((found, np.full(len(found), w)))

    add(f"t:{token}", weight)
    cross = abjad_skeleton(token) if len(token) >= 2 else ""
    if len(cross) >= 2 and (hit := _fuzzy(bidx, f"{'a' if abjad else 'b'}:{cross}", weight)):
        parts.append(hit)
    key = phonetic_key(token)
    if key and (hit := _fuzzy(bidx, f"k:{key}", weight)):
        parts.append(hit)
    for other in neighbour_tokens(index, token):
        add(f"t:{other}", min(weight, corpus_weight(other)) * NEIGHBOUR_FACTOR)
    if not parts:
        return None
    ids = np.concatenate([p[0] for p in parts])
    return best_per_name(ids, np.concatenate([p[1] for p in parts]))


def pair_candidates(
    bidx: BookIndex, form: NameForm, identifiers: tuple[str, ...] = (),
    min_share: float = MIN_SHARE,
) -> dict[int, tuple[int, ...]]:
    """Record position -> reached name slots (empty: reached by identifier, score every name)."""
    index = bidx.index
    found: dict[int, tuple[int, ...]] = {}
    for raw in identifiers:
        _, value = split_scheme(raw)
        for pos in index.identifiers.get(normalize_identifier(value) or "", ()):
            found[pos] = ()
    tokens = form.tokens
    if not tokens:
        return found
    weights = [corpus_weight(t) for t in tokens]
    id_parts: list[np.ndarray] = []
    w_parts: list[np.ndarray] = []
    cache = bidx._hits
    for token, w in zip(tokens, weights, strict=True):
        key = (token, form.abjad)
        if key in cache:
            hit = cache[key]
        else:
            hit = _token_hits(bidx, token, w, form.abjad)
            if len(cache) < _CACHE_TOKENS:
                cache[key] = hit
        if hit is not None:
            id_parts.append(hit[0])
            w_parts.append(hit[1])
    for i in range(len(tokens) - 1):
        merged = index.postings(f"t:{tokens[i]}{tokens[i + 1]}")
        if merged is not None:
            id_parts.append(merged)
            w_parts.append(np.full(len(merged), (weights[i] + weights[i + 1]) * 0.9))
    if not id_parts:
        return found
    uniq, inverse = np.unique(np.concatenate(id_parts), return_inverse=True)
    share = np.bincount(inverse, weights=np.concatenate(w_parts)) / sum(weights)
    reached: dict[int, list[int]] = {}
    for name_id in uniq[share >= min_share - 1e-9].tolist():
        pos = int(index.name_record[name_id])
        reached.setdefault(pos, []).append(int(index.name_slot[name_id]))
    for pos, slots in reached.items():
        if pos not in found:  # an identifier hit already scores every name
            found[pos] = tuple(slots)
    return found
