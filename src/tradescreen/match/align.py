"""Align the tokens of two names and measure how well they agree.

Pure: takes two `NameForm`s and a token-weight function, returns an `Alignment` with the pairs
that were matched (and how: exact, transliteration variant, typo, initial, merged tokens) and the
weighted coverage of each side. Scoring turns these measurements into evidence.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from tradescreen.match.weights import corpus_weight
from tradescreen.normalize import vocab
from tradescreen.normalize.names import NameForm
from tradescreen.normalize.phonetic import abjad_keys, assimilated, skeleton, spelling, syllables
from tradescreen.normalize.text import letter_runs

Weight = Callable[[str], float]

MIN_TOKEN_SIM = 0.6
TRANSLIT_SIM = 0.9
EQUIVALENT_SIM = 0.85
TYPO_COST = 1.15
MAX_TYPO_EDITS = 3  # more edits than this and two tokens are never typos of one another
MERGE_SIM = 0.85  # the least similarity at which neighbouring tokens join into one word
MERGE_SLACK = 2  # ... and the most letters by which the joined tokens and the word differ


@dataclass(frozen=True, slots=True)
class TokenPair:
    query: tuple[int, ...]  # token positions in the query name
    candidate: tuple[int, ...]  # token positions in the candidate name
    sim: float
    kind: str  # exact|stem|equivalent|symbol|translit|typo|other_name|initial|merged


@dataclass(frozen=True, slots=True)
class Alignment:
    pairs: tuple[TokenPair, ...]
    query_weight: float  # total weight of the query's tokens
    candidate_weight: float
    query_matched: float  # sum of weight * sim over matched query tokens
    candidate_matched: float
    query_unmatched: tuple[int, ...]
    candidate_unmatched: tuple[int, ...]
    # Both sides carry numbers and they differ: 1 = another number of a series (Fund 3 / Fund
    # 4: as many digits), 2 = unrelated numbers (Yard No. 455 / 9918779); 0 = no conflict.
    numbers_conflict: int

    @property
    def dice(self) -> float:
        total = self.query_weight + self.candidate_weight
        return (self.query_matched + self.candidate_matched) / total if total else 0.0

    @property
    def query_coverage(self) -> float:
        return self.query_matched / self.query_weight if self.query_weight else 0.0

    @property
    def candidate_coverage(self) -> float:
        return self.candidate_matched / self.candidate_weight if self.candidate_weight else 0.0

    @property
    def min_coverage(self) -> float:
        return min(self.query_coverage, self.candidate_coverage)


@lru_cache(maxsize=1_000_000)
def token_sim(a: str, b: str, abjad: bool = False) -> tuple[float, str]:
    """How alike two tokens are, and why. `abjad`: one side was written without short vowels,
    so only its consonant skeleton can be compared (محمد -> "mhmd" = Mohamed)."""
    if a == b:
        return 1.0, "exact"
    if len(a) == 1 or len(b) == 1:
        if a[0] == b[0]:
            return 0.75, "initial"
        return 0.0, "none"
    eq = vocab.equivalents()
    if a in eq and b in eq and eq[a] & eq[b]:
        return EQUIVALENT_SIM, "equivalent"
    if min(len(a), len(b)) >= 4 and _stem(a) == _stem(b):
        return 0.95, "stem"
    if (
        min(len(a), len(b)) >= 3
        and skeleton(a) == skeleton(b)
        and syllables(a) == syllables(b)
        # the skeleton drops vowels, so Traci and Torres share one: ask for real closeness too
        and Levenshtein.normalized_similarity(a, b) >= 0.5
    ):
        return TRANSLIT_SIM, "translit"
    if abjad and min(len(a), len(b)) >= 2:
        key = _abjad_agree(a, b)
        if len(key) >= 2:
            # Two consonants (Saud / Sayed, Zara / Sari) say little: the lowest aligning value.
            return (TRANSLIT_SIM if len(key) >= 3 else MIN_TOKEN_SIM), "translit"
    return typo_sim(a, b), "typo"


_SOFT = str.maketrans("", "", "hyw")


@lru_cache(maxsize=1_000_000)
def name_relation(a: str, b: str) -> str | None:
    """What rigour's name symbols and the lists say about two person-name tokens: "same" when
    they share a symbol (two spellings of one name: Petrov / Petrova, Yuri / Iouri), "other"
    when both are known names with no symbol in common and their consonants differ beyond the
    h, y and w romanisations add or drop (Rahimi / Rahiqi, Safari / Safavi; not Choudary /
    Chaudhry), None when either token is not a known name."""
    known = vocab.known_names()
    sa, sb = known.get(a), known.get(b)
    if sa is None or sb is None:
        return None
    if sa & sb:
        return "same"
    if skeleton(a).translate(_SOFT) == skeleton(b).translate(_SOFT):
        return None
    return "other"


@lru_cache(maxsize=200_000)
def _stem(token: str) -> str:
    """English plural/adjective endings that company names vary on (Industries / Industry)."""
    for suffix, repl in (("ies", "y"), ("ial", ""), ("es", ""), ("s", "")):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)] + repl
    return token


def typo_sim(a: str, b: str) -> float:
    """Similarity that tolerates the edits a typist makes, in proportion to the token's length.

    Normalised Levenshtein is too kind to short names (Federer / Federman = 0.63, Duran / Burhan
    = 0.67): an edit costs more than its share of the letters, and below 0.6 it is another name.
    """
    length = max(len(a), len(b))
    edits = OSA.distance(a, b, score_cutoff=MAX_TYPO_EDITS)
    if edits > MAX_TYPO_EDITS:
        return 0.0
    if length <= 4:
        # Wang / Yang, Chen / Chan, Hong / Dong: in a short name one letter is another name,
        # so it aligns only at the lowest similarity that still counts, and not at all when the
        # first letter is the one that differs.
        return MIN_TOKEN_SIM if edits == 1 else 0.0
    sim = 1.0 - TYPO_COST * edits / length
    return sim if sim >= MIN_TOKEN_SIM else 0.0


@lru_cache(maxsize=1_000_000)
def pair_sim(a: str, b: str, abjad: bool = False) -> tuple[float, str]:
    """`token_sim`, then what the romanisations and rigour's name symbols say about a near
    spelling: one name in two national romanisations (Prigoschin / Prigozhin) is never
    "another real name a letter or two away"; two spellings of one symbol are one name.

    A new way for two tokens to agree (a key both must share) goes into `_token_keys` too:
    the alignment asks only the pairs that share a key or lie a few edits apart."""
    sim, kind = token_sim(a, b, abjad)
    if kind != "typo" or min(len(a), len(b)) < 3:
        return sim, kind
    if spelling(a) == spelling(b):
        return max(sim, TRANSLIT_SIM), "translit"
    relation = name_relation(a, b)
    if relation == "same":
        return max(sim, EQUIVALENT_SIM), "symbol"
    if relation == "other" and sim >= MIN_TOKEN_SIM and (
        min(len(a), len(b)) >= 5 or a[0] != b[0]
    ):
        # A slip late in a short name often makes another name (Chol / Choi); a short name
        # that starts differently is another name (Wei / Lei).
        return sim, "other_name"
    return sim, kind


@lru_cache(maxsize=200_000)
def _token_keys(token: str) -> frozenset[str]:
    """Keys two tokens share whenever `pair_sim` can find them alike other than as typos,
    initials or the same token: stem, skeleton, spelling, equivalence groups, name symbols."""
    keys = {"t" + _stem(token), "k" + skeleton(token), "p" + spelling(token)}
    keys.update(f"e{g}" for g in vocab.equivalents().get(token, ()))
    keys.update(f"n{g}" for g in vocab.known_names().get(token, ()))
    return frozenset(keys)


@lru_cache(maxsize=200_000)
def _abjad_token_keys(token: str) -> frozenset[str]:
    """The readings `_abjad_agree` compares when one side was written without short vowels."""
    plain, spoken = abjad_keys(token)
    return frozenset(("a" + plain, "b" + spoken))


def _may_agree(a: str, b: str, abjad: bool) -> bool:
    """False only when `pair_sim(a, b, abjad)` is below MIN_TOKEN_SIM: no shared key, more
    edits apart than a typo and neither an initial (tests check this on the lists' names)."""
    if a == b or len(a) == 1 or len(b) == 1:
        return True
    if not _token_keys(a).isdisjoint(_token_keys(b)):
        return True
    if abjad and not _abjad_token_keys(a).isdisjoint(_abjad_token_keys(b)):
        return True
    return (
        abs(len(a) - len(b)) <= MAX_TYPO_EDITS
        and OSA.distance(a, b, score_cutoff=MAX_TYPO_EDITS) <= MAX_TYPO_EDITS
    )


@lru_cache(maxsize=1_000_000)
def aligning_sim(a: str, b: str, abjad: bool = False) -> tuple[float, str] | None:
    """`pair_sim` when the two tokens can align (similarity >= MIN_TOKEN_SIM), else None;
    pairs that share nothing are not asked (most pairs of two names share nothing)."""
    if not _may_agree(a, b, abjad):
        return None
    found = pair_sim(a, b, abjad)
    return found if found[0] >= MIN_TOKEN_SIM else None


@lru_cache(maxsize=200_000)
def merge_windows(tokens: tuple[str, ...]) -> tuple[tuple[tuple[int, ...], str], ...]:
    """Runs of a name's tokens written together, in the order they are tried: two and three
    tokens, and acronyms spelt letter by letter ("I R G C") over their whole length."""
    return tuple([(span, merged) for span, merged, _ in _sized_windows(tokens)])


def _sized_windows(tokens: tuple[str, ...]) -> tuple[tuple[tuple[int, ...], str, int], ...]:
    """`merge_windows` with each run's length."""
    n = len(tokens)
    if n < 2:
        return ()
    longest = 3
    if min(map(len, tokens)) == 1:  # a one-letter token: maybe an acronym spelt out
        longest = max((b - a for a, b in letter_runs(tokens)), default=3)
    out = []
    for size in range(2, max(3, longest) + 1):
        for i in range(n - size + 1):
            merged = "".join(tokens[i : i + size])
            out.append((_span(i, size), merged, len(merged)))
    return tuple(out)


_SPANS: dict[tuple[int, int], tuple[int, ...]] = {}


def _span(start: int, size: int) -> tuple[int, ...]:
    """tuple(range(start, start + size)), one object per span (cached sides share them)."""
    key = (start, size)
    span = _SPANS.get(key)
    if span is None:
        span = _SPANS[key] = tuple(range(start, start + size))
    return span


# What the alignment reads of one name's tokens alone, worked out once per token tuple (a
# listed name meets many queries, a query many listed names). Kept as plain tuples of plain
# values, which the garbage collector stops tracking: a cache of objects, dicts or lists would
# be walked by every full collection. Read by position:
# (numbers, weights, total weight, weights with numbers 0, their total, the merge windows
#  with their lengths, (position, token, length) of each token, shortest - slack, longest +
#  slack).
Side = tuple


@lru_cache(maxsize=200_000)
def _side(tokens: tuple[str, ...]) -> Side:
    weights = tuple(map(corpus_weight, tokens))
    total = sum(weights)
    if all(map(str.isalpha, tokens)):  # tokens are alphanumeric already
        number_set, words, word_total = _NONE, weights, total
    else:
        # When both names carry numbers they count 0 (see `align`).
        number_set = frozenset([t for t in tokens if not t.isalpha()])
        words = tuple([0.0 if t in number_set else w
                       for t, w in zip(tokens, weights, strict=True)])
        word_total = sum(words)
    if not tokens:
        return number_set, weights, total, words, word_total, (), (), 0, -1
    lens = tuple(map(len, tokens))
    return (number_set, weights, total, words, word_total, _sized_windows(tokens),
            tuple(zip(range(len(tokens)), tokens, lens, strict=True)), min(lens) - MERGE_SLACK,
            max(lens) + MERGE_SLACK)


# An option is a pair of token spans that may align: (sim, tokens covered, query span,
# candidate span, kind).
Option = tuple[float, int, tuple[int, ...], tuple[int, ...], str]
# Options are tried the most similar first; on ties, merged pairs cover more tokens so they go
# first (a stable sort, reversed: ties keep the order found).
_RANK = operator.itemgetter(0, 1)


def _candidates(
    q: tuple[str, ...], c: tuple[str, ...], side_q: Side, side_c: Side, abjad: bool = False
) -> list[Option]:
    found: list[Option] = []
    paired_q = [False] * len(q)
    paired_c = [False] * len(c)
    for i, a in enumerate(q):
        for j, b in enumerate(c):
            agree = aligning_sim(a, b, abjad)
            if agree is not None:
                found.append((agree[0], 2, (i,), (j,), agree[1]))
                paired_q[i] = paired_c[j] = True
    if len(q) == len(c) and all(paired_q) and all(paired_c):
        return found  # every token has a partner: no merge can do better
    # Tokens written together on one side and apart on the other: "vanderbilt" / "van der bilt",
    # "jinping" / "jin ping", "abdulaziz" / "abdul aziz".
    if not q or not c:
        return found
    if abjad:
        _abjad_candidates(q, c, side_q[5], side_c[5], found)
        return found
    similarity = Levenshtein.normalized_similarity
    for windows, (_, _, _, _, _, _, lengths, lo, hi), flip in (
        (side_q[5], side_c, False), (side_c[5], side_q, True)
    ):
        for span, merged, size in windows:
            if not lo <= size <= hi:
                continue  # no word on the other side is within two letters of it
            for j, b, length in lengths:
                if length - size > MERGE_SLACK or size - length > MERGE_SLACK:
                    continue
                sim = similarity(merged, b, score_cutoff=MERGE_SIM)
                if sim >= MERGE_SIM:
                    found.append((sim, len(span) + 1, (j,), span, "merged") if flip
                                 else (sim, len(span) + 1, span, (j,), "merged"))
    return found


def _abjad_candidates(q: tuple[str, ...], c: tuple[str, ...], windows_q: tuple,
                      windows_c: tuple, found: list[Option]) -> None:
    """Merged tokens when one side was written without short vowels: every run is tried (its
    consonants may agree whatever its length). `_abjad_merge`, read from each run's and each
    token's consonant keys (`_abjad_runs`, `abjad_keys`)."""
    similarity = Levenshtein.normalized_similarity
    for side_a, side_b, windows, flip in ((q, c, windows_q, False), (c, q, windows_c, True)):
        runs = _abjad_runs(side_a)
        keys_b = [(j, b, len(b), *abjad_keys(b)) for j, b in enumerate(side_b)]
        for (span, merged, size), (need, readings) in zip(windows, runs, strict=True):
            for j, b, length, plain_b, spoken_b in keys_b:
                for plain, spoken, text_len in readings:
                    # `_abjad_agree(text, b)` is at least `need` letters long
                    if plain == plain_b:
                        if len(plain) >= need:
                            break
                    elif (spoken == spoken_b and len(spoken) >= 3 and text_len >= 4
                          and length >= 4 and len(spoken) >= need):
                        break
                else:
                    if abs(length - size) > MERGE_SLACK:
                        continue
                    sim = similarity(merged, b, score_cutoff=MERGE_SIM)
                    if sim >= MERGE_SIM:
                        found.append((sim, len(span) + 1, (j,), span, "merged") if flip
                                     else (sim, len(span) + 1, span, (j,), "merged"))
                    continue
                # قدرت الله = "qdrt allh" = Qudratullah: no short vowels on one side.
                found.append((TRANSLIT_SIM, len(span) + 1, (j,), span, "merged") if flip
                             else (TRANSLIT_SIM, len(span) + 1, span, (j,), "merged"))


@lru_cache(maxsize=100_000)
def _abjad_runs(tokens: tuple[str, ...]) -> tuple[tuple[int, tuple[tuple[str, str, int], ...]],
                                                  ...]:
    """For each merge window of `tokens` (in order): the consonants `_abjad_merge` asks to
    agree (3 beside Allah or the article, else 4), and the keys (`abjad_keys`) and length of
    the run written together and as the article assimilates."""
    out = []
    for span, merged, _ in _sized_windows(tokens):
        i, size = span[0], len(span)
        words = tokens[i : i + size]
        after = tokens[i + size] if i + size < len(tokens) else ""
        need = 3 if {"al", "allh"} & set(words) else 4
        readings = tuple((*abjad_keys(text), len(text))
                         for text in {merged: None, assimilated(words, after): None})
        out.append((need, readings))
    return tuple(out)


def _abjad_agree(a: str, b: str) -> str:
    """The consonant skeleton two tokens share in either reading (see abjad_keys), or "".
    The spoken reading joins more letters, so it speaks only for words of three consonants
    and four letters or more (Gasmi, Wassiq; not Agd / اقتصاد)."""
    (plain_a, spoken_a), (plain_b, spoken_b) = abjad_keys(a), abjad_keys(b)
    if plain_a == plain_b:
        return plain_a
    if spoken_a == spoken_b and len(spoken_a) >= 3 and min(len(a), len(b)) >= 4:
        return spoken_a
    return ""


@lru_cache(maxsize=200_000)
def _abjad_merge(merged: tuple[str, ...], token: str, spoken: str) -> bool:
    """Words written apart in Arabic script and together in Latin (عبد الرحمن = Abdurrahman):
    four consonants agree, or three when the words are Allah or the article (Nurullah)."""
    short = bool({"al", "allh"} & set(merged))
    return any(
        len(_abjad_agree(text, token)) >= (3 if short else 4)
        for text in {"".join(merged), spoken}
    )


def numbers_conflict(nq: frozenset[str], nc: frozenset[str]) -> int:
    if not nq or not nc or nq == nc:
        return 0
    shape = {len(t) for t in nq} == {len(t) for t in nc}
    return 1 if shape else 2


def _by_query(pair: TokenPair) -> tuple[int, ...]:
    return pair.query


def align(query: NameForm, candidate: NameForm, weight: Weight) -> Alignment:
    q, c = query.tokens, candidate.tokens
    side_q, side_c = _side(q), _side(c)
    options = _candidates(q, c, side_q, side_c, query.abjad != candidate.abjad)
    if len(options) > 1:
        options.sort(key=_RANK, reverse=True)
    nq, nc = side_q[0], side_c[0]
    # When both names carry numbers, the numbers are judged once, by `numbers_conflict`; the
    # words alone say how alike the names are (Snow Storm 1 / Snow Storm 2: words identical).
    both = bool(nq and nc)
    if weight is corpus_weight:
        if both:
            wq, total_q = side_q[3], side_q[4]
            wc, total_c = side_c[3], side_c[4]
        else:
            wq, total_q = side_q[1], side_q[2]
            wc, total_c = side_c[1], side_c[2]
    else:
        wq = [0.0 if both and t in nq else weight(t) for t in q]
        wc = [0.0 if both and t in nc else weight(t) for t in c]
        total_q, total_c = sum(wq), sum(wc)
    used_q = [False] * len(q)
    used_c = [False] * len(c)
    left_q, left_c = len(q), len(c)
    pairs: list[TokenPair] = []
    # The matched weights, summed by `sum` in the order the pairs are chosen.
    got_q: list[float] = []
    got_c: list[float] = []
    for sim, covered, span_q, span_c, kind in options:
        if not left_q or not left_c:
            break  # every token of one side is taken: no further pair can be
        if covered == 2:  # one token each
            i, j = span_q[0], span_c[0]
            if used_q[i] or used_c[j]:
                continue
            used_q[i] = used_c[j] = True
            got_q.append(wq[i] * sim)
            got_c.append(wc[j] * sim)
            pairs.append(TokenPair(span_q, span_c, sim, kind))
            left_q -= 1
            left_c -= 1
            continue
        if any(used_q[i] for i in span_q) or any(used_c[j] for j in span_c):
            continue
        for i in span_q:
            used_q[i] = True
            got_q.append(wq[i] * sim)
        for j in span_c:
            used_c[j] = True
            got_c.append(wc[j] * sim)
        pairs.append(TokenPair(span_q, span_c, sim, kind))
        left_q -= len(span_q)
        left_c -= len(span_c)
    if len(pairs) > 1:
        pairs.sort(key=_by_query)
    if both:
        unmatched_q = tuple(i for i in range(len(q)) if not used_q[i] and q[i] not in nq)
        unmatched_c = tuple(j for j in range(len(c)) if not used_c[j] and c[j] not in nc)
    else:
        unmatched_q = tuple([i for i, used in enumerate(used_q) if not used]) if left_q else ()
        unmatched_c = tuple([j for j, used in enumerate(used_c) if not used]) if left_c else ()
    return Alignment(
        pairs=tuple(pairs),
        query_weight=total_q,
        candidate_weight=total_c,
        query_matched=sum(got_q),
        candidate_matched=sum(got_c),
        query_unmatched=unmatched_q,
        candidate_unmatched=unmatched_c,
        numbers_conflict=numbers_conflict(nq, nc) if both else 0,
    )


_NONE: frozenset[str] = frozenset()
