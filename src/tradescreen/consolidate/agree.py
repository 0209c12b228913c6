"""How far two listings' names and birth dates agree, as the lists write them.

Lists copy each other's parties by hand: "GADDAFI, Saadi" and "SAADI QADHAFI", "ESSID, Sami Ben
Khemais" and "SAMI BEN KHAMIS BEN SALEH ELSSEID", a birth date one day or one digit apart
(22 / 23 November, June / September). These are the matcher's own token comparisons
(`match.align.token_sim`: transliteration variants, stems, equivalent names, typos) applied to
the identity words of two names, and the few ways one date is mistyped. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from tradescreen.match.align import token_sim

# A word pair counts as one word written two ways at this similarity (the matcher's
# transliteration and stem levels are 0.9 / 0.95); a typo-level likeness only for long words,
# where two different names rarely come this close (Gaddafi / Qadhafi 0.67, Ivan / Ivanov 0.62).
SAME_WORD = 0.85
LONG_WORD = 6
LONG_WORD_TYPO = 0.65


@lru_cache(maxsize=262_144)
def _alike(a: str, b: str) -> bool:
    sim, _kind = token_sim(a, b)
    if sim >= SAME_WORD:
        return True
    return min(len(a), len(b)) >= LONG_WORD and sim >= LONG_WORD_TYPO


def agreeing_words(x: tuple[str, ...], y: tuple[str, ...]) -> list[str]:
    """The words of `x` that have a distinct counterpart in `y` (greedy, exact words first)."""
    left = list(y)
    found: list[str] = []
    for word in sorted(x, key=lambda w: w not in left):
        for k, other in enumerate(left):
            if word == other or _alike(word, other):
                found.append(word)
                del left[k]
                break
    return found


def best_agreement(xs: Iterable[tuple[str, ...]],
                   ys: Iterable[tuple[str, ...]]) -> tuple[list[str], int]:
    """Over every pair of names: the most agreeing words, and the shorter name's length.

    Two names agree when at least two words, and two thirds of the shorter name, agree."""
    best: tuple[list[str], int] = ([], 0)
    ys = list(ys)
    for x in xs:
        for y in ys:
            words = agreeing_words(x, y)
            shorter = min(len(x), len(y))
            if len(words) >= 2 and len(words) >= 0.66 * shorter and len(words) > len(best[0]):
                best = (words, shorter)
    return best


@lru_cache(maxsize=65_536)
def _day(iso: str) -> date | None:
    try:
        return date.fromisoformat(iso)
    except ValueError:
        return None


def date_slip(x: str, y: str) -> str | None:
    """Two different full dates that are one date mistyped: "day" (one day apart, a time zone
    or a late registration), "digit" (only the year, the month or the day differs), or None."""
    dx, dy = _day(x), _day(y)
    if dx is None or dy is None:
        return None
    if abs((dx - dy).days) <= 1:
        return "day"
    if sum(p != q for p, q in zip(x.split("-"), y.split("-"), strict=True)) == 1:
        return "digit"
    return None


def nearest_slip(a: Iterable[str], b: Iterable[str]) -> tuple[str, str, str] | None:
    """The closest mistyped pair between two sets of full dates: (kind, date a, date b)."""
    found: tuple[str, str, str] | None = None
    for x in a:
        for y in b:
            kind = date_slip(x, y)
            if kind == "day":
                return (kind, x, y)
            if kind and found is None:
                found = (kind, x, y)
    return found
