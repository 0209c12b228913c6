"""Where a document may name a listed party, found without screening every sentence.

Built once per index: every listed name and alias as a token sequence in an Aho-Corasick
automaton (a whole name written out), and the *distinctive* tokens of listed names (rare on the
lists and rare in ordinary language) with the records that carry them, so "the Qods aviation
company" is found through "qods" although no list writes it that way. A distinctive token is
also looked up by its transliteration skeleton (Quds / Qods / Ghods).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from tradescreen.normalize.phonetic import phonetic_key
from tradescreen.normalize.text import tokens

MIN_TRIGGER_LEN = 4
MAX_TRIGGER_RECORDS = 60  # a token on more records than this is not what makes a name distinctive
COMMON_ZIPF = 4.3  # wordfreq's Zipf scale: 4.3 is about 20 per million words ("aviation" 4.2)
OTHER_SCRIPT_ZIPF = 5.0  # only the most frequent words of Russian, Persian, Arabic news
_LANGS = {"Cyrillic": ("ru", "uk"), "Arabic": ("fa", "ar")}


@lru_cache(maxsize=8)
def _common_set(lang: str, zipf: float) -> frozenset[str]:
    from wordfreq import get_frequency_dict

    floor = 10 ** (zipf - 9)
    return frozenset(w for w, f in get_frequency_dict(lang).items() if f >= floor)


def common_word(token: str, script: str = "Latin", original: str | None = None) -> bool:
    """A word of ordinary language ("state", "department", "european"), by wordfreq's tables:
    English for folded tokens, the script's own languages for a word written in it."""
    if token in _common_set("en", COMMON_ZIPF):
        return True
    if original is not None and script in _LANGS:
        low = original.lower()
        return any(low in _common_set(lang, OTHER_SCRIPT_ZIPF) for lang in _LANGS[script])
    return False


@dataclass(frozen=True, slots=True)
class NameHit:
    first: int  # token positions in the document's token stream, inclusive
    last: int
    records: tuple[int, ...]


class Gazetteer:
    """Whole names (automaton) and distinctive tokens (dict) of one set of records."""

    def __init__(self, names: Iterable[tuple[int, str]]) -> None:
        automaton = ahocorasick.Automaton()
        by_pattern: dict[str, set[int]] = defaultdict(set)
        token_records: dict[str, set[int]] = defaultdict(set)
        for pos, value in names:
            toks = tokens(value)
            if not toks:
                continue
            by_pattern[" " + " ".join(toks) + " "].add(pos)
            for tok in set(toks):
                if len(tok) >= MIN_TRIGGER_LEN and not tok.isdigit():
                    token_records[tok].add(pos)
        for pattern, records in by_pattern.items():
            automaton.add_word(pattern, (pattern.count(" ") - 1, tuple(sorted(records))))
        self.patterns = len(by_pattern)
        if self.patterns:
            automaton.make_automaton()
        self._automaton = automaton
        self.triggers: dict[str, tuple[int, ...]] = {}
        self.phonetic: dict[str, tuple[int, ...]] = {}
        phonetic: dict[str, set[int]] = defaultdict(set)
        for tok, records in token_records.items():
            if len(records) > MAX_TRIGGER_RECORDS or common_word(tok):
                continue
            self.triggers[tok] = tuple(sorted(records))
            key = phonetic_key(tok)
            if key and len(key) >= 3:
                phonetic[key].update(records)
        self.phonetic = {k: tuple(sorted(v)) for k, v in phonetic.items()
                         if len(v) <= MAX_TRIGGER_RECORDS}

    def whole_names(self, stream: str, starts: list[int]) -> list[NameHit]:
        """Listed names written out in full in `stream` (" tok tok ... "); `starts[i]` is the
        offset of token i in the stream."""
        if not self.patterns:
            return []
        from bisect import bisect_left

        hits = []
        for end, (size, records) in self._automaton.iter(stream):
            # `end` is the pattern's trailing space; its first token starts after the pattern's
            # leading space.
            last = bisect_left(starts, end) - 1
            hits.append(NameHit(last - size + 1, last, records))
        return hits

    def trigger(self, token: str) -> tuple[int, ...]:
        found = self.triggers.get(token)
        if found is not None:
            return found
        if len(token) >= MIN_TRIGGER_LEN and not token.isdigit() and not common_word(token):
            key = phonetic_key(token)
            if key and len(key) >= 3:
                return self.phonetic.get(key, ())
        return ()
