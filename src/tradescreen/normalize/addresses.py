"""Postal addresses as comparable keys: rigour's address analysis, plus how specific one is.

rigour reduces an address to canonical tokens (`Street`/`St.` -> `st`, `Syria`/`Сирия` -> `sy`,
Cyrillic transliterated, `№17` -> `17`) and scores two renderings order-independently, with a
heavy penalty for conflicting house or unit numbers. What rigour does not say is whether an
address is specific enough to tie two parties together: "Dubai, UAE" or "Business Centre,
Dubai" is shared by thousands of firms, so such an address is weak evidence whatever it scores.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rigour.addresses import address_fingerprint, compare_address

# Canonical short forms rigour gives address keywords that carry no place of their own.
_KEYWORDS = frozenset({
    "st", "rd", "ave", "blvd", "ln", "dr", "ctr", "bldg", "fl", "ste", "apt", "rm", "ofc", "no",
    "pobox", "po", "box", "br", "kv", "ul", "d", "g", "str", "per", "pr", "pl", "sq", "hwy",
    "business", "center", "centre", "tower", "building", "office", "floor", "suite", "street",
    "road", "avenue", "district", "city", "area", "free", "zone", "fz", "fze", "fzco", "industrial",
    "estate", "park", "plaza", "complex", "house", "the", "of", "and", "&",
})
_TERRITORY = re.compile(r"^[a-z]{2}(-[a-z0-9]{1,3})?$")
MAX_LENGTH = 500  # longer "addresses" are data errors; cut before analysis


@lru_cache(maxsize=100_000)
def address_tokens(text: str) -> tuple[str, ...]:
    """The address's canonical tokens, in order (empty when nothing is analysable)."""
    key = address_fingerprint(" ".join(text.split())[:MAX_LENGTH]) if text else None
    return tuple(key.split()) if key else ()


@lru_cache(maxsize=100_000)
def _is_place_word(token: str) -> bool:
    return not token.isdigit() and token not in _KEYWORDS and not _TERRITORY.match(token)


def specificity(tokens: tuple[str, ...]) -> str | None:
    """None when the address can point at one building; else why it cannot (it is weak).

    A building needs a number (house, plot, P.O. box, postcode) and a word naming a street or
    building; without a number, three such words (a named compound in a small town)."""
    if not tokens:
        return "nothing to compare"
    words = [t for t in tokens if _is_place_word(t) and len(t) >= 3]
    numbers = [t for t in tokens if any(ch.isdigit() for ch in t)]
    if not words and not numbers:
        if any(not _TERRITORY.match(t) for t in tokens):
            return "a generic building name without a street or number"
        return "a country or region only"
    if numbers and words:
        return None
    if len(words) >= 3:
        return None
    if not numbers:
        return "a town or a generic building name without a street or number"
    return "numbers without a street or building name"


def blocking_tokens(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Tokens worth indexing: place words and numbers (keywords and territories are shared
    by too many addresses to find candidates with)."""
    return tuple(dict.fromkeys(
        t for t in tokens
        if (t.isdigit() and len(t) >= 1) or (_is_place_word(t) and len(t) >= 3)
        or (any(ch.isdigit() for ch in t) and len(t) >= 2)
    ))


def similarity(query: str, listed: str) -> float:
    """rigour's order-independent address similarity in [0, 1]."""
    return compare_address(query[:MAX_LENGTH], listed[:MAX_LENGTH])


MATCH = 0.75  # rigour similarity at which two renderings are one address (bench/)
# Translated renderings ("ул. Воровского д.130" / "130 Vorovskogo Street") score 0.5-0.75 in
# rigour; when their numbers (house, postcode, unit: two at least) are the same they are one.
NUMBERED_MATCH = 0.5


def _numbers(tokens: tuple[str, ...]) -> set[str]:
    return {t for t in tokens if any(ch.isdigit() for ch in t)}


def same_address(query: str, listed: str) -> float | None:
    """The similarity when the two denote one address, else None."""
    sim = similarity(query, listed)
    if sim >= MATCH:
        return sim
    if sim >= NUMBERED_MATCH:
        mine, theirs = _numbers(address_tokens(query)), _numbers(address_tokens(listed))
        # The same numbers on both sides: a less specific address (the building, not the
        # office) is rigour's to judge, or a whole business centre would be one address.
        if len(mine) >= 2 and mine == theirs:
            return sim
    return None
