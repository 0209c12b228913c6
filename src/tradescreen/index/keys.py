"""Blocking keys: the pure functions that decide which listed names a query can reach.

Recall first: a true match must share at least one key with the query. Keys per token are the
exact token, its transliteration skeleton, and concatenations of neighbouring tokens (so
"Jinping" reaches "Jin Ping"); typos are reached through the deletion neighbourhood of each
token (every string one deletion away), which covers one substitution, insertion, deletion or
transposition on either side.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tradescreen.normalize.phonetic import abjad_skeleton, phonetic_key
from tradescreen.normalize.text import letter_runs

MIN_DELETE_LEN = 4  # shorter query tokens have too many one-edit neighbours to be useful keys
# Listed tokens are indexed down to 3 letters so that a query dropping one letter of a short name
# (Km -> Kim, Oma -> Omar) still reaches it through the query token itself.
MIN_INDEXED_DELETE_LEN = 3

_ID_CLEAN = re.compile(r"[^0-9A-Z]")
_ID_PREFIX = re.compile(r"^(IMO|MMSI|NO|NUMBER|NR)(?=\d)")


def abjad_key(token: str, abjad: bool) -> str | None:
    """Cross-script key: Latin names are reached from Arabic-script queries under "a:", names
    written in Arabic script from Latin queries under "b:" (never Latin from Latin: too loose)."""
    if len(token) < 2 or token.isdigit():
        return None
    key = abjad_skeleton(token)
    if len(key) < 2:
        return None
    return f"{'b' if abjad else 'a'}:{key}"


@lru_cache(maxsize=1 << 18)
def _single_keys(token: str, abjad: bool) -> tuple[str, ...]:
    """The keys of one token alone: listed tokens repeat (a vocabulary of a few hundred
    thousand over millions of names), so each is keyed once per build."""
    keys = [f"t:{token}"]
    if k := phonetic_key(token):
        keys.append(f"k:{k}")
    if k := abjad_key(token, abjad):
        keys.append(k)
    return tuple(keys)


def forget_token_keys() -> None:
    """Drop the per-token cache once a build is done: a server that built its index keeps no
    vocabulary's worth of keys in memory."""
    _single_keys.cache_clear()


def token_keys(tokens: tuple[str, ...], abjad: bool = False) -> set[str]:
    keys: set[str] = set()
    for t in tokens:
        keys.update(_single_keys(t, abjad))
    keys.update(f"t:{''.join(tokens[a:b])}" for a, b in letter_runs(tokens))
    for i in range(len(tokens) - 1):
        keys.add(f"t:{tokens[i]}{tokens[i + 1]}")
    return keys


def deletes(token: str, min_len: int = MIN_DELETE_LEN) -> set[str]:
    if len(token) < min_len or token.isdigit():
        return set()
    return {token[:i] + token[i + 1 :] for i in range(len(token))}


def normalize_identifier(value: str) -> str | None:
    """'IMO 9187655' -> '9187655'; 'RU-1021606353810' -> 'RU1021606353810'. Short ids are noise."""
    cleaned = _ID_PREFIX.sub("", _ID_CLEAN.sub("", value.upper()))
    if len(cleaned) < 5 or not any(ch.isdigit() for ch in cleaned):
        return None
    return cleaned


def split_scheme(raw: str) -> tuple[str | None, str]:
    """'imo:9187655' -> ('imo', '9187655'); without a short alphabetic prefix it is all value."""
    head, sep, tail = raw.partition(":")
    if sep and head.isalpha() and len(head) <= 20:
        return head.lower(), tail
    return None, raw
