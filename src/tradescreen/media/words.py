"""Words of a document with their character offsets, folded the way listed names are folded.

The gazetteer compares token sequences, so a document is read as the same ASCII tokens that
`normalize.text.tokens` makes of a listed name; each token remembers the word it came from, so a
hit maps back to exact offsets in the extracted text. Words of scripts written without spaces
(Han, Kana, Thai) are one run each, transliterated syllable by syllable.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from tradescreen.normalize.text import tokens

# Persian joins the parts of one word with a zero-width non-joiner (خامنه‌ای, می‌شود).
_WORD = re.compile(r"\w+(?:['’\-.&\u200c]\w+)*\.?", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？؟])\s+(?=\S)|\n\s*\n|\n(?=\s*[-•*\u2022])")


@dataclass(frozen=True, slots=True)
class Word:
    start: int
    end: int
    text: str
    tokens: tuple[str, ...]
    capitalised: bool  # starts with an upper-case letter, or is in a script without case
    script: str  # Latin | Cyrillic | Arabic | Han | ... (of its first letter)


@lru_cache(maxsize=200_000)
def _fold(word: str) -> tuple[str, ...]:
    return tokens(word)


def script_of_char(ch: str) -> str:
    if ord(ch) < 0x250:
        return "Latin"
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0].title() if name else "Unknown"


_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _pieces(m: re.Match[str]) -> list[tuple[int, int, str]]:
    """A run of Han or Kana is one character a word: those scripts write no spaces, and a
    name is a few characters inside a longer run."""
    raw = m.group(0)
    if not _UNSPACED.search(raw):
        return [(m.start(), m.end(), raw)]
    out: list[tuple[int, int, str]] = []
    buf_start = None
    for i, ch in enumerate(raw):
        if _UNSPACED.match(ch):
            if buf_start is not None:
                out.append((m.start() + buf_start, m.start() + i, raw[buf_start:i]))
                buf_start = None
            out.append((m.start() + i, m.start() + i + 1, ch))
        elif buf_start is None:
            buf_start = i
    if buf_start is not None:
        out.append((m.start() + buf_start, m.end(), raw[buf_start:]))
    return out


def words(text: str) -> list[Word]:
    out: list[Word] = []
    for m in _WORD.finditer(text):
        for start, end, raw in _pieces(m):
            word = _word(start, end, raw)
            if word is not None:
                out.append(word)
    return out


_POSSESSIVE = re.compile(r"['’]s$")


def _word(start: int, end: int, raw: str) -> Word | None:
    if raw.endswith(".") and not _is_abbreviation(raw):
        raw, end = raw[:-1], end - 1  # a sentence's full stop is not part of the word
    if (m := _POSSESSIVE.search(raw)) is not None:
        raw, end = raw[: m.start()], end - 2  # "Novatek's" names Novatek
    if not raw:
        return None
    first = raw[0]
    capitalised = first.isupper() or (first.isalpha() and not first.islower()
                                      and not first.isupper()) or first.isdigit()
    return Word(start, end, raw, _fold(raw), capitalised, script_of_char(first))


def _is_abbreviation(raw: str) -> bool:
    """"J.S.C." and "Co." keep their dots; "Alabuga." loses it."""
    return raw.count(".") > 1 or raw[:-1].lower() in {"co", "inc", "ltd", "corp", "jsc", "llc",
                                                     "gmbh", "st", "dr", "gen", "mr", "mrs"}


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: split after . ! ? and at blank lines or list bullets."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans
