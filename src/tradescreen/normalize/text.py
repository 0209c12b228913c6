"""Script-independent text folding: any script to lower-case ASCII tokens.

ICU's `Any-Latin` transliterator covers Cyrillic, Greek, Arabic/Persian, Hebrew, Han (pinyin),
Hangul and more with the standard romanisations; anyascii catches what ICU leaves non-ASCII.
Both are deterministic and ship their tables, so nothing is fetched at run time.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

import icu
from anyascii import anyascii

# Transliterators are not thread-safe; one per process is enough because callers are either
# single-threaded or use processes for parallelism.
_TRANSLIT = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
# Cyrillic the way English-language lists write it (BGN/PCGN: Юрий = Yuriy, Жуков = Zhukov,
# Ходорковский = Khodorkovskiy, Цой = Tsoy), not ISO 9's one letter per letter that Any-Latin
# writes and ASCII folding flattens (urij, zukov, hodorkovskij, coj). BGN marks a letter pair
# that is not a digraph with a middle dot (т·с), which is no word boundary.
_CYRILLIC = icu.Transliterator.createInstance("Russian-Latin/BGN; Any-Latin; Latin-ASCII")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u02bf\u02be\u0060\u00b4\u02b9\u02bb]")

SCRIPTS_LATIN = frozenset({"Latin", "Common", "Inherited"})


def script_of(text: str) -> str:
    """The dominant non-Latin script of a string ("Latin" when there is none)."""
    if text.isascii():
        return "Latin"
    scripts = [_char_script(ch) for ch in text if ch > "\u024f" and ch.isalpha()]
    if not scripts:
        return "Latin"
    if scripts.count(scripts[0]) == len(scripts):  # one script, nearly every name
        return scripts[0]
    counts = Counter(scripts)  # by first occurrence: a tie goes to the script seen first
    return max(counts, key=lambda k: counts[k])


@lru_cache(maxsize=65_536)
def _char_script(ch: str) -> str:
    # Looking a character's Unicode name up was a tenth of an index build of non-Latin names.
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0].title() if name else "Unknown"


@lru_cache(maxsize=200_000)
def ascii_fold(text: str) -> str:
    """Lower-case ASCII rendering of any text, punctuation kept (for display and legal forms)."""
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        if _HAN_CONTEXT.search(text):
            text = _fold_whole(text)
        else:
            # Word by word: names repeat their words far more than whole names (a million
            # names hold some hundred thousand words), and ICU's Any-Latin is the costliest
            # step of an index build. The same output: no rule of ICU's reads across a space
            # but Han-Latin's four (a test compares both ways on every listed name).
            text = " ".join(map(_fold_word, text.split(" ")))
    return text.lower()


# ICU Han-Latin's only context rules ({重}' '?庆 > chóng, 藏文, 沈阳, 秘鲁), which read
# across a space: a text holding one of these characters is read whole.
_HAN_CONTEXT = re.compile("[重藏沈秘]")
# A word of CJK unified ideographs, none of them read by context.
_HAN_WORD = re.compile("[\u4e00-\u9fff]+")


def _fold_whole(text: str) -> str:
    if _CYRILLIC_LETTER.search(text):
        text = _CYRILLIC.transliterate(text).replace("\u00b7", "")
    text = _TRANSLIT.transliterate(text)
    return text if text.isascii() else anyascii(text)


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    if word.isascii():
        return word
    if len(word) > 1 and _HAN_WORD.fullmatch(word):
        # Han is read character by character (pinyin syllables joined by spaces), yet is the
        # slowest script of all by far (~0.1 ms a name): per character, from a cache.
        syllables = [_han_char(ch) for ch in word]
        if all(syllables):
            return " ".join(syllables)  # type: ignore[arg-type]
    return _fold_whole(word)


@lru_cache(maxsize=65_536)
def _han_char(ch: str) -> str | None:
    syllable = _TRANSLIT.transliterate(ch)
    return syllable if syllable.isascii() and syllable else None


@lru_cache(maxsize=200_000)
def tokens(text: str) -> tuple[str, ...]:
    """Fold to ASCII, drop apostrophes inside words (O'Brien = OBrien), split on the rest."""
    folded = _APOSTROPHES.sub("", ascii_fold(text))
    return tuple(t for t in _NON_ALNUM.split(folded) if t)


def letter_runs(tokens: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of every run of two or more one-letter tokens: an acronym written with
    dots or spaces ("A.B.C.", "I R G C") that lists and queries also write as one word."""
    runs: list[tuple[int, int]] = []
    if len(tokens) < 2 or min(map(len, tokens)) > 1:  # no two one-letter tokens: no run
        return runs
    start = None
    for i, tok in enumerate((*tokens, "")):
        if len(tok) == 1 and tok.isalpha():
            start = i if start is None else start
            continue
        if start is not None and i - start >= 2:
            runs.append((start, i))
        start = None
    return runs
