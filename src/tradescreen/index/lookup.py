"""Candidate generation: which listed names could a query name be? Recall first.

Every key a query token can share with a listed name (exact, skeleton, one-edit neighbour,
merged neighbours) adds that token's weight to the name; names whose accumulated share of the
query's weight reaches `min_share` are candidates, best first, grouped by record. Identifier hits
are candidates whatever the name says (a renamed vessel keeps its IMO number).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tradescreen.index.build import Index
from tradescreen.index.keys import deletes, normalize_identifier, split_scheme
from tradescreen.match.weights import corpus_weight
from tradescreen.normalize.names import NameForm
from tradescreen.normalize.phonetic import abjad_skeleton, phonetic_key
from tradescreen.normalize.text import letter_runs

SKELETON_FACTOR = 0.85
NEIGHBOUR_FACTOR = 0.7


@dataclass(frozen=True, slots=True)
class Candidate:
    record: int  # position in index.records
    name_slots: tuple[int, ...]  # which of the record's names were reached
    share: float  # blocking score: share of the query's token weight reached
    via_identifier: bool = False


def neighbour_tokens(index: Index, token: str) -> set[str]:
    """Listed tokens one edit away from `token`.

    Tokens one insertion away are reachable even from short query tokens ("oma" -> "omar");
    substitutions and deletions only from tokens long enough to have deletes indexed.
    """
    neighbours: set[str] = set(index.delete_map.get(token, ()))
    for variant in deletes(token):
        neighbours.update(index.delete_map.get(variant, ()))
        neighbours.add(variant)
    neighbours.discard(token)
    return neighbours


def best_per_name(ids: np.ndarray, ws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A name reached by several keys of the same token counts once, with its best key."""
    order = np.lexsort((-ws, ids))
    ids, ws = ids[order], ws[order]
    first = np.empty(len(ids), dtype=bool)
    first[0] = True
    np.not_equal(ids[1:], ids[:-1], out=first[1:])
    return ids[first], ws[first]


def _key_weight(postings: int, names: int) -> float:
    idf = math.log((names + 1) / (postings + 1)) / math.log(names + 1)
    return max(0.2, min(1.0, 1.15 * idf))


def _token_hits(
    index: Index, token: str, weight: float, abjad: bool = False
) -> tuple[np.ndarray, np.ndarray] | None:
    arrays: list[np.ndarray] = []
    weights: list[float] = []

    def add(key: str, w: float) -> None:
        found = index.postings(key)
        if found is not None:
            arrays.append(found)
            weights.append(w)

    add(f"t:{token}", weight)
    # The other script's skeleton: "a:" keys hold Latin names for an Arabic-script query,
    # "b:" keys Arabic-script names for a Latin query.
    cross = abjad_skeleton(token) if len(token) >= 2 else ""
    if len(cross) >= 2:
        found = index.postings(f"{'a' if abjad else 'b'}:{cross}")
        if found is not None:
            arrays.append(found)
            weights.append(min(weight, _key_weight(len(found), index.name_count)) * SKELETON_FACTOR)
    key = phonetic_key(token)
    if key:
        # A fuzzy key is worth no more than what it reaches: an unseen query token ("ahmoud")
        # whose skeleton is that of thousands of Ahmeds must not count as a rare token.
        found = index.postings(f"k:{key}")
        if found is not None:
            arrays.append(found)
            weights.append(min(weight, _key_weight(len(found), index.name_count)) * SKELETON_FACTOR)
    for other in neighbour_tokens(index, token):
        add(f"t:{other}", min(weight, corpus_weight(other)) * NEIGHBOUR_FACTOR)
    if not arrays:
        return None
    ws = np.concatenate([np.full(len(a), w) for a, w in zip(arrays, weights, strict=True)])
    return best_per_name(np.concatenate(arrays), ws)


def candidates(
    index: Index,
    form: NameForm,
    identifiers: tuple[str, ...] = (),
    *,
    limit: int = 30,
    min_share: float = 0.5,
    fallback_share: float = 0.3,
    names_per_record: int = 3,
) -> list[Candidate]:
    """Records whose names reach `min_share` of the query's token weight, best first.

    Measured on the real lists, true matches under typos, reordering and transliteration reach
    a share of 0.59 or more in 99 % of cases while 93 % of the names ordinary queries touch stay
    below 0.5; when nothing reaches `min_share` the search widens to `fallback_share` so that a
    query with many extra words still finds its best candidates.
    """
    found: dict[int, Candidate] = {}
    for raw in identifiers:
        _, value = split_scheme(raw)
        norm = normalize_identifier(value)
        for pos in index.identifiers.get(norm or "", ()):
            found[pos] = Candidate(pos, (), 1.0, via_identifier=True)
    tokens = form.tokens
    if tokens:
        weights = [corpus_weight(t) for t in tokens]
        total = sum(weights)
        id_parts: list[np.ndarray] = []
        w_parts: list[np.ndarray] = []
        for token, w in zip(tokens, weights, strict=True):
            hit = _token_hits(index, token, w, form.abjad)
            if hit is not None:
                id_parts.append(hit[0])
                w_parts.append(hit[1])
        for a, b in letter_runs(tokens):
            # "A B C" reaches a listed "ABC" as one word, worth the letters it joins.
            joined = index.postings(f"t:{''.join(tokens[a:b])}")
            if joined is not None:
                id_parts.append(joined)
                w_parts.append(np.full(len(joined), sum(weights[a:b])))
        for i in range(len(tokens) - 1):
            merged = index.postings(f"t:{tokens[i]}{tokens[i + 1]}")
            if merged is not None:
                id_parts.append(merged)
                w_parts.append(np.full(len(merged), (weights[i] + weights[i + 1]) * 0.9))
        if id_parts:
            ids = np.concatenate(id_parts)
            uniq, inverse = np.unique(ids, return_inverse=True)
            share = np.bincount(inverse, weights=np.concatenate(w_parts)) / total
            keep = share >= min_share
            if not keep.any():
                keep = share >= fallback_share
            uniq, share = uniq[keep], share[keep]
            order = np.argsort(-share, kind="stable")
            slots: dict[int, list[int]] = {}
            best: dict[int, float] = {}
            for name_id, s in zip(uniq[order].tolist(), share[order].tolist(), strict=True):
                pos = int(index.name_record[name_id])
                if pos not in slots:
                    if len(slots) >= limit:
                        continue
                    slots[pos] = []
                    best[pos] = s
                if len(slots[pos]) < names_per_record:
                    slots[pos].append(int(index.name_slot[name_id]))
            for pos, name_slots in slots.items():
                prior = found.get(pos)
                found[pos] = Candidate(
                    pos, tuple(name_slots), max(best[pos], prior.share if prior else 0.0),
                    via_identifier=bool(prior and prior.via_identifier),
                )
    return sorted(found.values(), key=lambda c: -c.share)
