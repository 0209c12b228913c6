"""Names of listed bodies translated word by word, read back in the English the lists use.

The press writes "Корпус стражей исламской революции", "الحرس الثوري الإيراني" and
"伊朗伊斯兰革命卫队" for the Islamic Revolutionary Guard Corps, and 海康威视 for Hikvision; the
lists carry none of these, and no transliteration turns them into a listed name. A run of
words (or, in Chinese, of segments) that `data/glossary.yaml` knows is read in English and
screened like any span; what it reads must be close to a listed name of a body. The glossary
holds words, not articles: a name of unknown words is never read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

import yaml

_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# A word of an alphabetic script, Persian's zero-width non-joiner and hyphens inside it.
_WORD = re.compile(r"\w+(?:[\-\u200c]\w+)*", re.UNICODE)
_ARABIC_CLITICS = ("و", "ف", "ب", "ل", "ك")
_ARTICLE = "ال"
MAX_STEM_ENDING = 4  # letters of a case ending after a Cyrillic or German stem
MAX_PHRASE = 3  # words of a glossary phrase
# Words between two words of one name ("Ministry of Defence"); never "and": "X and Y" is two.
_FILLERS = frozenset({"of", "der", "die", "des", "den", "dem"})


@dataclass(frozen=True, slots=True)
class Reading:
    start: int
    end: int
    english: str  # the run read in English
    words: int  # glossary entries the run is made of
    body: bool  # it names a government body (a ministry, a department)


@dataclass
class Glossary:
    zh: dict[str, str]
    stems: dict[str, str]  # Cyrillic and German word stems
    abjad: dict[str, str]  # Arabic and Persian words without clitics
    body: frozenset[str]
    longest_zh: int
    heads: frozenset[str] = frozenset()  # first words of the phrases
    # word as written -> (cleaned, first word of a phrase, English)
    _words: dict[str, tuple[str, bool, str | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        heads = {k.split()[0] for k in (*self.stems, *self.abjad) if " " in k}
        self.heads = frozenset(f for h in heads for f in _abjad_forms(h))

    def readings(self, text: str) -> list[Reading]:
        """Maximal runs of glossary words in `text`, read in English: at least two entries,
        or one of a name that no other language spells alike (海康威视)."""
        return self._han(text) + self._alphabetic(text)

    def _han(self, text: str) -> list[Reading]:
        out: list[Reading] = []
        for run in _HAN_RUN.finditer(text):
            s, i = run.group(), 0
            parts: list[tuple[int, int, str]] = []
            while i < len(s):
                for size in range(min(self.longest_zh, len(s) - i), 0, -1):
                    english = self.zh.get(s[i:i + size])
                    if english is not None:
                        parts.append((i, i + size, english))
                        i += size
                        break
                else:
                    out.extend(self._runs(parts, run.start()))
                    parts = []
                    i += 1
            out.extend(self._runs(parts, run.start()))
        return out

    def _runs(self, parts: list[tuple[int, int, str]], offset: int) -> list[Reading]:
        if not parts:
            return []
        english = " ".join(p[2] for p in parts)
        return [Reading(offset + parts[0][0], offset + parts[-1][1], english, len(parts),
                        self._is_body(english))]

    def _alphabetic(self, text: str) -> list[Reading]:
        words = list(_WORD.finditer(text))
        out: list[Reading] = []
        run: list[tuple[int, int, str]] = []
        i = 0
        while i < len(words):
            hit = self._phrase(words, i)
            if hit is not None:
                size, english = hit
                joined = not run or (_only_space(text[run[-1][1]:words[i].start()])
                                     and not _conjoined(words[i].group(), self.abjad))
                if not joined:
                    out.extend(self._runs(run, 0))
                    run = []
                run.append((words[i].start(), words[i + size - 1].end(), english))
                i += size
                continue
            if run and words[i].group().lower() in _FILLERS and i + 1 < len(words) and (
                    self._phrase(words, i + 1) is not None):
                i += 1  # "Ministry of Defence": a filler between two glossary words
                continue
            out.extend(self._runs(run, 0))
            run = []
            i += 1
        out.extend(self._runs(run, 0))
        return out

    def _phrase(self, words: list[re.Match[str]], i: int) -> tuple[int, str] | None:
        # Most words of a text are neither a phrase's first word nor a glossary word: what a
        # word is, as written, is read once.
        raw = words[i].group()
        known = self._words.get(raw)
        if known is None:
            if len(self._words) > 100_000:
                self._words.clear()
            first = _clean(raw)
            head = any(f in self.heads for f in _abjad_forms(first)) or first in self.heads
            known = self._words[raw] = (first, head, self._lookup(first))
        first, head, english = known
        if head:
            for size in range(min(MAX_PHRASE, len(words) - i), 1, -1):
                parts = [first] + [_clean(w.group()) for w in words[i + 1:i + size]]
                english_phrase = self.stems.get(" ".join(parts)) or self._abjad_phrase(parts)
                if english_phrase is not None:
                    return size, english_phrase
        return None if english is None else (1, english)

    def _abjad_phrase(self, parts: list[str]) -> str | None:
        if not parts[0] or not "\u0600" <= parts[0][0] <= "\u06ff":
            return None
        rest = " ".join(parts[1:])
        for form in _abjad_forms(parts[0]):
            english = self.abjad.get(f"{form} {rest}")
            if english is not None:
                return english
        return None

    def _lookup(self, word: str) -> str | None:
        if not word:
            return None
        if "\u0600" <= word[0] <= "\u06ff":
            for form in _abjad_forms(word):
                english = self.abjad.get(form)
                if english is not None:
                    return english
            return None
        for cut in range(0, MAX_STEM_ENDING + 1):
            stem = word[:len(word) - cut] if cut else word
            if len(stem) < 3:
                break
            english = self.stems.get(stem)
            if english is not None:
                return english
        return None

    def _is_body(self, english: str) -> bool:
        words = english.split()
        return any(w in self.body for w in words) or any(
            phrase in english for phrase in self.body if " " in phrase)


def _only_space(between: str) -> bool:
    return not between.strip(" \u00a0«»\"„“”")


def _conjoined(word: str, abjad: dict[str, str]) -> bool:
    """"وفيلق": Arabic writes "and" onto the word that begins the next name."""
    return word[:1] == "و" and _clean(word) not in abjad


def _abjad_forms(word: str) -> list[str]:
    """The word, then without "and"/"by"/"for" written onto it, then without the article:
    بالحرس -> الحرس -> حرس; a multi-word phrase is unclipped only at its start."""
    if not word or not "\u0600" <= word[0] <= "\u06ff":
        return [word]
    forms = [word]
    w = word
    for _ in range(2):
        if len(w) > 3 and w[0] in _ARABIC_CLITICS:
            w = w[1:]
            forms.append(w)
            if w.startswith(_ARTICLE) is False and word[0] == "ل" and word[1:2] == "ل":
                forms.append(_ARTICLE + w[1:])  # للحرس = ل + الحرس
    if w.startswith(_ARTICLE) and len(w) > 4:
        forms.append(w[2:])
    if word.startswith("ل") and not word.startswith(_ARTICLE):
        forms.append(_ARTICLE + word[1:])  # لحزب = ل + حزب; للحرس = ل + الحرس
    return forms


@lru_cache(maxsize=50_000)
def _clean(word: str) -> str:
    return unicodedata.normalize("NFC", word).lower().replace("\u0640", "")


@cache
def glossary() -> Glossary:
    data = yaml.safe_load(
        resources.files("tradescreen.media").joinpath("data/glossary.yaml").read_text("utf-8"))
    zh = {k: v for k, v in (data.get("zh") or {}).items()}
    stems = {_clean(k): v for lang in ("ru", "de") for k, v in (data.get(lang) or {}).items()}
    abjad = {_clean(k): v for lang in ("ar", "fa") for k, v in (data.get(lang) or {}).items()}
    return Glossary(zh, stems, abjad, frozenset(data.get("body") or ()),
                    max(map(len, zh), default=1))
