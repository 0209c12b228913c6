"""Candidate generation: which listed names could a query name be? Recall first.

Every key a query token can share with a listed name (exact, skeleton, one-edit neighbour,
merged neighbours) adds that token's weight to the name; names whose accumulated share of the
query's weight reaches `min_share` are candidates, best first, grouped by record. Identifier hits
are candidates whatever the name says (a renamed vessel keeps its IMO number).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
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
# A key is common when it reaches more names than both of these (the larger wins).
COMMON_POSTINGS = 5_000
COMMON_FRACTION = 0.01
DENSE_RATIO = 32  # see _dense
MARK_RATIO = 4  # see _marked


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


def _token_keys(
    index: Index, token: str, weight: float, abjad: bool = False
) -> list[tuple[np.ndarray, float]]:
    """Every key of one query token with the postings it reaches and what it is worth."""
    found: list[tuple[np.ndarray, float]] = []

    def add(key: str, w: float) -> None:
        hit = index.postings(key)
        if hit is not None:
            found.append((hit, w))

    add(f"t:{token}", weight)
    # The other script's skeleton: "a:" keys hold Latin names for an Arabic-script query,
    # "b:" keys Arabic-script names for a Latin query.
    cross = abjad_skeleton(token) if len(token) >= 2 else ""
    if len(cross) >= 2:
        hit = index.postings(f"{'a' if abjad else 'b'}:{cross}")
        if hit is not None:
            found.append(
                (hit, min(weight, _key_weight(len(hit), index.name_count)) * SKELETON_FACTOR))
    key = phonetic_key(token)
    if key:
        # A fuzzy key is worth no more than what it reaches: an unseen query token ("ahmoud")
        # whose skeleton is that of thousands of Ahmeds must not count as a rare token.
        hit = index.postings(f"k:{key}")
        if hit is not None:
            found.append(
                (hit, min(weight, _key_weight(len(hit), index.name_count)) * SKELETON_FACTOR))
    for other in neighbour_tokens(index, token):
        add(f"t:{other}", min(weight, corpus_weight(other)) * NEIGHBOUR_FACTOR)
    return found


def _dense(reached: int, size: int) -> bool:
    """Whether `reached` name ids out of `size` are better summed in an array of `size` than
    sorted: a query whose keys reach a large part of a big collection (common Chinese or
    Arabic words, ~10^5-10^6 ids) spent 30-70 ms sorting them."""
    return reached * DENSE_RATIO >= size


class _Scratch:
    """Arrays the size of the collection, kept between queries and left clean after each
    (`seen` all False; `at` is read only where just written): a dense query's sums used to
    allocate two collection-size arrays per key group (~27 MB each at 1.5 M entities, written
    page by page: 45-75 ms for a long Chinese company name). One per process, taken under a
    lock; a thread that finds it busy allocates its own."""

    def __init__(self, size: int) -> None:
        self.seen = np.zeros(size, dtype=bool)
        self.at = np.empty(size, dtype=np.int32 if size < 2**31 else np.int64)


_SCRATCH: list[_Scratch] = []
_SCRATCH_LOCK = threading.Lock()


class _scratch:  # noqa: N801 - used as a context manager, named for what it gives
    def __init__(self, size: int) -> None:
        self.size = size
        self.held = False

    def __enter__(self) -> _Scratch:
        if _SCRATCH_LOCK.acquire(blocking=False):
            self.held = True
            if not _SCRATCH or len(_SCRATCH[0].seen) < self.size:
                _SCRATCH[:] = [_Scratch(self.size)]
            return _SCRATCH[0]
        return _Scratch(self.size)

    def __exit__(self, *exc: object) -> None:
        if self.held:
            _SCRATCH_LOCK.release()


def _union(arrays: list[np.ndarray], seen: np.ndarray) -> np.ndarray:
    """The sorted distinct ids of `arrays` (posting lists reaching a large part of the
    collection: marked in `seen`, which is left clean)."""
    for ids in arrays:
        seen[_ix(ids)] = True
    size = max((int(a[-1]) + 1 for a in arrays if len(a)), default=0)
    uniq = np.flatnonzero(seen[:size])
    seen[uniq] = False
    return uniq


def _best_hits(keys: list[tuple[np.ndarray, float]]) -> tuple[np.ndarray, np.ndarray] | None:
    if not keys:
        return None
    size = max((int(a[-1]) + 1 for a, _ in keys if len(a)), default=0)  # postings are sorted
    if _dense(sum(len(a) for a, _ in keys), size):
        with _scratch(size) as scratch:
            reached = _union([a for a, _ in keys], scratch.seen)
            scratch.at[_ix(reached)] = np.arange(len(reached), dtype=scratch.at.dtype)
            return reached, _dense_best(keys, scratch.at, np.empty(len(reached)))
    ws = np.concatenate([np.full(len(a), w) for a, w in keys])
    return best_per_name(np.concatenate([a for a, _ in keys]), ws)


def _dense_best(keys: list[tuple[np.ndarray, float]], at: np.ndarray,
                best: np.ndarray) -> np.ndarray:
    """`best`: the best key's weight of each name (0 where none reaches it); `at`: each id's
    position in `best`."""
    best.fill(0.0)
    for ids, w in sorted(keys, key=lambda k: k[1]):  # the best key is written last
        best[_ix(np.take(at, _ix(ids)))] = w
    return best


def _ix(ids: np.ndarray) -> np.ndarray:
    """`ids` as numpy's own index type: indexing with the index's int32 postings is 5-10
    times slower (numpy converts them element by element) than converting them first."""
    return ids.astype(np.intp, copy=False)


def _token_hits(
    index: Index, token: str, weight: float, abjad: bool = False
) -> tuple[np.ndarray, np.ndarray] | None:
    return _best_hits(_token_keys(index, token, weight, abjad))


def _unique(ids: np.ndarray) -> np.ndarray:
    """`np.unique` by sorting: numpy 2's hash-based unique took 6 ms on the ~10^5 ids a
    query's common keys reach (p99 queries), a sort well under one."""
    ids = np.sort(ids)
    keep = np.empty(len(ids), dtype=bool)
    keep[:1] = True
    np.not_equal(ids[1:], ids[:-1], out=keep[1:])
    return ids[keep]


def top_records(
    records: np.ndarray, limit: int, per_record: int
) -> list[tuple[int, list[int]]]:
    """Given the record of each name in best-first order, the first `limit` records in that
    order with the positions (into `records`) of their first `per_record` names. Vectorised:
    a common query reaches thousands of names, whose records only the best few matter."""
    if not len(records):
        return []
    _, first = np.unique(records, return_index=True)
    first.sort()
    chosen = records[first[:limit]]
    at = np.flatnonzero(np.isin(records, chosen))
    slots: dict[int, list[int]] = {int(r): [] for r in chosen.tolist()}
    for i, rec in zip(at.tolist(), records[at].tolist(), strict=True):
        names = slots[rec]
        if len(names) < per_record:
            names.append(i)
    return list(slots.items())


def common_bound(parts: list[list[tuple[np.ndarray, float]]], common: int) -> float:
    """The most a name reached only through keys of more than `common` postings can sum to."""
    return sum(max((w for a, w in keys if len(a) > common), default=0.0) for keys in parts)


def common_line(parts: list[list[tuple[np.ndarray, float]]], total: float, common: int,
                cut: float) -> int:
    """The lowest postings count above which a query's keys need only be tested on the names
    its rarer keys reach, `common` at most: as long as a name reached through the keys above
    the line alone cannot reach `cut` (the lowest share kept), the candidates are the same
    whatever the line, and each key moved above it is read in a few binary searches instead
    of gathered and sorted whole (a query's keys of 10^3-10^4 names each cost milliseconds)."""
    line = common
    for size in sorted({len(a) for keys in parts for a, _ in keys if len(a) <= common},
                       reverse=True):
        if common_bound(parts, size - 1) / total * (1 + 1e-9) >= cut:
            break
        line = size - 1
    return line


def shares(
    parts: list[list[tuple[np.ndarray, float]]], common: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """(name ids, summed weight): every name reached by a key of at most `common` postings
    (every key when None), with its exact sum over all keys.

    Each part (a query token's keys, a joined letter run, a merged pair) counts once per name
    with its best key, and parts are summed in order: the sums are bit for bit those of one
    pass over every key, so candidates are identical whichever way they were found."""
    rare_parts: list[list[tuple[np.ndarray, float]]] = []
    big: list[list[tuple[np.ndarray, float]]] = []
    for keys in parts:
        rare_parts.append(keys if common is None else [k for k in keys if len(k[0]) <= common])
        big.append([] if common is None else [k for k in keys if len(k[0]) > common])
    rare = [a for keys in rare_parts for a, _ in keys]
    if not rare:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    size = max((int(a[-1]) + 1 for keys in parts for a, _ in keys if len(a)), default=0)
    if _dense(sum(map(len, rare)), size):
        with _scratch(size) as scratch:
            uniq = _union(rare, scratch.seen)
            scratch.at[_ix(uniq)] = np.arange(len(uniq), dtype=scratch.at.dtype)
            return uniq, _summed(parts, rare_parts, big, uniq, scratch,
                                 lambda keys, best: _dense_best(keys, scratch.at, best))
    small = [_best_hits(keys) for keys in rare_parts]
    reached = [h[0] for h in small if h is not None]
    if not any(big):
        ids = np.concatenate(reached)
        ws = np.concatenate([h[1] for h in small if h is not None])
        uniq, inverse = np.unique(ids, return_inverse=True)
        return uniq, np.bincount(inverse, weights=ws)
    uniq = _unique(np.concatenate(reached))
    hits = {id(keys): hit for keys, hit in zip(rare_parts, small, strict=True)}

    def sparse_best(keys: list[tuple[np.ndarray, float]], best: np.ndarray) -> np.ndarray:
        best.fill(0.0)
        hit = hits[id(keys)]
        if hit is not None:
            best[np.searchsorted(uniq, hit[0])] = hit[1]
        return best

    with _scratch(size) as scratch:
        return uniq, _summed(parts, rare_parts, big, uniq, scratch, sparse_best)


def _summed(parts: list[list[tuple[np.ndarray, float]]],
            rare_parts: list[list[tuple[np.ndarray, float]]],
            big: list[list[tuple[np.ndarray, float]]], uniq: np.ndarray, scratch: _Scratch,
            best_of: Callable[[list[tuple[np.ndarray, float]], np.ndarray], np.ndarray]
            ) -> np.ndarray:
    """Each of `uniq` with the sum over `parts`, in order, of its best key in the part: a
    part's rare keys (`best_of`, written into the array it is given) and its common ones
    tested on `uniq` (`big`). A part listed twice (a repeated word, "al ... al":
    `query_parts` lists the same part) is worked out once. One array serves every part: a
    fresh one per part was written page by page (page faults, ~0.5 ms per part at 10^5
    names)."""
    total = np.zeros(len(uniq))
    best = np.empty(len(uniq))
    sigs = [id(keys) for keys in parts]
    again = {sig for i, sig in enumerate(sigs) if sig in sigs[i + 1:]}
    done: dict[int, np.ndarray] = {}
    for keys, wide, sig in zip(rare_parts, big, sigs, strict=True):
        if not keys and not wide:
            continue  # adds 0.0 to every sum: nothing
        got = done.get(sig)
        if got is None:
            got = best_of(keys, best) if keys else _zeroed(best)
            for ids, w in wide:
                np.maximum(got, np.where(_marked(ids, uniq, scratch.seen), w, 0.0), out=got)
            if sig in again:
                done[sig] = got.copy()
        total += got  # adding 0.0 where a part is absent leaves the sum unchanged
    return total


def _zeroed(array: np.ndarray) -> np.ndarray:
    array.fill(0.0)
    return array


def _marked(sorted_ids: np.ndarray, names: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """Which of `names` a posting list holds: for many names, through a mark per name
    (`seen`, left clean), a common key's 10^4-10^5 postings written once instead of one
    binary search per name; for few, by binary search (postings are in name order)."""
    if len(sorted_ids) > MARK_RATIO * len(names):
        at = np.searchsorted(sorted_ids, names)
        np.minimum(at, len(sorted_ids) - 1, out=at)
        return sorted_ids[at] == names
    ids = _ix(sorted_ids)
    seen[ids] = True
    found = seen[_ix(names)]
    seen[ids] = False
    return found


def query_parts(index: Index, form: NameForm) -> tuple[list[list[tuple[np.ndarray, float]]], float]:
    """The query's parts (each token's keys, joined letter runs, merged neighbours), each a
    list of (postings, weight), and the query's total token weight."""
    tokens = form.tokens
    weights = [corpus_weight(t) for t in tokens]
    # A repeated word ("al ... al") is one part read twice: the same arrays, worked out once.
    keyed: dict[str, list[tuple[np.ndarray, float]]] = {}
    parts = []
    for t, w in zip(tokens, weights, strict=True):
        if t not in keyed:
            keyed[t] = _token_keys(index, t, w, form.abjad)
        parts.append(keyed[t])
    for a, b in letter_runs(tokens):
        # "A B C" reaches a listed "ABC" as one word, worth the letters it joins.
        joined = index.postings(f"t:{''.join(tokens[a:b])}")
        if joined is not None:
            parts.append([(joined, float(sum(weights[a:b])))])
    for i in range(len(tokens) - 1):
        merged = index.postings(f"t:{tokens[i]}{tokens[i + 1]}")
        if merged is not None:
            parts.append([(merged, (weights[i] + weights[i + 1]) * 0.9)])
        if form.abjad:
            # (match3) Arabic script writes apart what Latin lists write as one word:
            # نصر الله = "nsr allh" reaches Nasrallah through the Latin names' skeletons.
            cross = index.postings(f"a:{abjad_skeleton(tokens[i] + tokens[i + 1])}")
            if cross is not None:
                w = min(weights[i] + weights[i + 1], _key_weight(len(cross), index.name_count))
                parts.append([(cross, w * SKELETON_FACTOR)])
    return parts, sum(weights)


def candidates(
    index: Index,
    form: NameForm,
    identifiers: tuple[str, ...] = (),
    *,
    limit: int = 30,
    min_share: float = 0.5,
    fallback_share: float = 0.3,
    names_per_record: int = 3,
    common_postings: int = COMMON_POSTINGS,
    common_fraction: float = COMMON_FRACTION,
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
        parts, total = query_parts(index, form)
        # Keys reaching a large part of the collection (the "john", "trading" and "llc" of
        # millions of names) cost most and decide least: names are gathered through the rarer
        # keys first, the common ones only tested on those. That is exact as long as a name
        # reached through common keys alone cannot pass the cut (`common_line`); the fallback
        # cut, lower, is asked only when no name passes the first.
        widest = max(common_postings, int(index.name_count * common_fraction))
        common = common_line(parts, total, widest, min_share)
        bound = common_bound(parts, common) / total * (1 + 1e-9)
        uniq = share = None
        if bound < min_share:
            uniq, summed = shares(parts, common)
            share = summed / total
            if bound >= fallback_share and not (share >= min_share).any():
                uniq = None  # the fallback cut could take names only common keys reach
        if uniq is None:
            common = common_line(parts, total, widest, fallback_share)
            bound = common_bound(parts, common) / total * (1 + 1e-9)
            uniq, summed = shares(parts, common if bound < fallback_share else None)
            share = summed / total
        if len(uniq):
            keep = share >= min_share
            if not keep.any():
                keep = share >= fallback_share
            uniq, share = uniq[keep], share[keep]
            order = np.argsort(-share, kind="stable")
            ids, share = uniq[order], share[order]
            for pos, at in top_records(index.name_record[ids], limit, names_per_record):
                prior = found.get(pos)
                found[pos] = Candidate(
                    pos, tuple(int(index.name_slot[ids[i]]) for i in at),
                    max(float(share[at[0]]), prior.share if prior else 0.0),
                    via_identifier=bool(prior and prior.via_identifier),
                )
    return sorted(found.values(), key=lambda c: -c.share)
