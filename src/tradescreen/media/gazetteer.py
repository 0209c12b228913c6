"""Where a document may name a listed party, found without screening every sentence.

Built once per index: every listed name and alias as a token sequence in an Aho-Corasick
automaton (a whole name written out), and the *distinctive* tokens of listed names (rare on the
lists and rare in ordinary language) with the records that carry them, so "the Qods aviation
company" is found through "qods" although no list writes it that way. A distinctive token is
also looked up by its transliteration skeleton (Quds / Qods / Ghods).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from tradescreen.normalize.names import name_form
from tradescreen.normalize.phonetic import abjad_skeleton, is_pinyin_syllable, phonetic_key
from tradescreen.normalize.text import tokens

MIN_TRIGGER_LEN = 4
MAX_TRIGGER_RECORDS = 60  # a token on more records than this is not what makes a name distinctive
COMMON_ZIPF = 4.3  # wordfreq's Zipf scale: 4.3 is about 20 per million words ("aviation" 4.2)
OTHER_SCRIPT_ZIPF = 5.0  # only the most frequent words of Russian, Persian, Arabic news
OTHER_SCRIPT_EVERYDAY = 4.5  # everyday words of Arabic and Persian (هم, القرار, صنعت)
_DIGIT = re.compile(r"\d")
_LANGS = {"Cyrillic": ("ru", "uk"), "Arabic": ("fa", "ar")}


@lru_cache(maxsize=8)
def _common_set(lang: str, zipf: float) -> frozenset[str]:
    from wordfreq import get_frequency_dict

    floor = 10 ** (zipf - 9)
    return frozenset(w for w, f in get_frequency_dict(lang).items() if f >= floor)


def common_word(token: str, script: str = "Latin", original: str | None = None,
                zipf: float = OTHER_SCRIPT_ZIPF) -> bool:
    """A word of ordinary language ("state", "department", "european"), by wordfreq's tables:
    English for folded tokens, the script's own languages for a word written in it."""
    if token and token in _common_set("en", COMMON_ZIPF):
        return True
    if original is not None and script in _LANGS:
        return any(_zipf(original, lang) >= zipf for lang in _LANGS[script])
    return False


def known_word(token: str) -> bool:
    """An English word at all (Zipf >= 3, "maritime", "deutsche"), common or not."""
    return token in _common_set("en", 3.0)


@lru_cache(maxsize=100_000)
def _zipf(word: str, lang: str) -> float:
    # wordfreq normalises Arabic and Cyrillic spellings before looking a word up.
    from wordfreq import zipf_frequency

    return zipf_frequency(word, lang)


@lru_cache(maxsize=100_000)
def _split_pinyin(token: str) -> tuple[str, ...] | None:
    """"fangwei" -> ("fang", "wei"); None when the token is not all pinyin syllables."""
    if is_pinyin_syllable(token):
        return (token,)
    for cut in range(min(6, len(token) - 1), 0, -1):
        head = token[:cut]
        if is_pinyin_syllable(head) and (rest := _split_pinyin(token[cut:])) is not None:
            return (head, *rest)
    return None


def pinyin_syllables(toks: tuple[str, ...]) -> tuple[str, ...] | None:
    """The name as pinyin syllables when every token is pinyin and one has several."""
    out: list[str] = []
    for tok in toks:
        parts = _split_pinyin(tok)
        if parts is None:
            return None
        out.extend(parts)
    return tuple(out) if len(out) > len(toks) else None


@dataclass(frozen=True, slots=True)
class NameHit:
    first: int  # token positions in the document's token stream, inclusive
    last: int
    records: tuple[int, ...]


class Gazetteer:
    """Whole names (automaton) and distinctive tokens (dicts) of one set of records.

    `names`: (record position, name, strength, schema). Besides whole names and distinctive
    tokens it keeps what a one-word mention may name: listed names that are one word ("Rostec",
    "Hamas"), and the family names of listed people ("Putin"); and, for words in Arabic or
    Persian script, the consonant skeletons of listed tokens (alone and two joined: حزب الله is
    Hizballah).
    """

    def __init__(self, names: Iterable[tuple[int, str, str, str, tuple[str, ...] | None]]
                 ) -> None:
        """`names`: (record position, name, strength, schema, core tokens): the core is the
        name's tokens without its legal form, as the index keeps its normalised form (None:
        computed here)."""
        automaton = ahocorasick.Automaton()
        by_pattern: dict[str, set[int]] = defaultdict(set)
        token_records: dict[str, set[int]] = defaultdict(set)
        singles: dict[str, set[int]] = defaultdict(set)
        surnames: dict[str, set[int]] = defaultdict(set)
        abjad: dict[str, set[int]] = defaultdict(set)
        abjad_words: dict[str, set[int]] = defaultdict(set)
        persons_seen: set[int] = set()
        written: set[str] = set()  # one-word names as lists write them, no legal form dropped
        for pos, value, strength, schema, core in names:
            toks = tokens(value)
            if not toks:
                continue
            if core is None:
                core = name_form(value, schema).tokens  # legal forms aside: "Belaruskali OAO"
            if len(core) == 1 and strength != "weak" and not core[0].isdigit():
                singles[core[0]].add(pos)
                if (key := phonetic_key(core[0])) and len(key) >= 3:
                    singles["~" + key].add(pos)
                if len(toks) == 1:
                    written.add(core[0])
            if len(toks) == 1 and strength == "weak":
                continue  # a short weak alias alone names nothing
            if schema == "Person" and len(toks) > 1 and pos not in persons_seen:
                # The family name of the listed name itself; aliases ("Abu Talha der Deutsche")
                # end in epithets as often as in family names.
                persons_seen.add(pos)
                head = tokens(value.split(",")[0]) if "," in value else toks
                family = head[-1] if head else toks[-1]
                if len(family) >= MIN_TRIGGER_LEN and not common_word(family):
                    surnames[family].add(pos)
            by_pattern[" " + " ".join(toks) + " "].add(pos)
            if len(core) > 1 and core != toks:  # "Success Aviation Services" without "FZC"
                by_pattern[" " + " ".join(core) + " "].add(pos)
            syllables = pinyin_syllables(toks)
            if syllables is not None:
                # Chinese script reads one syllable a character: "Huawei" is 华为, "hua wei".
                by_pattern[" " + " ".join(syllables) + " "].add(pos)
            for tok in set(toks):
                if len(tok) >= MIN_TRIGGER_LEN and not tok.isdigit():
                    token_records[tok].add(pos)
            for i, tok in enumerate(toks):
                digits = _DIGIT.search(tok) is not None
                if len(tok) >= MIN_TRIGGER_LEN and not tok.isdigit():
                    skel = abjad_skeleton(tok)
                    abjad_words[skel].add(pos)
                    if not digits:
                        abjad[skel].add(pos)
                if not digits and i + 1 < len(toks) and not _DIGIT.search(toks[i + 1]):
                    joined = tok + toks[i + 1]
                    if len(joined) >= MIN_TRIGGER_LEN:
                        abjad[abjad_skeleton(joined)].add(pos)
        for pattern, records in by_pattern.items():
            automaton.add_word(pattern, (pattern.count(" ") - 1, tuple(sorted(records))))
        self.patterns = len(by_pattern)
        if self.patterns:
            automaton.make_automaton()
        self._automaton = automaton
        self.triggers: dict[str, tuple[int, ...]] = {}
        phonetic: dict[str, set[int]] = defaultdict(set)
        for tok, records in token_records.items():
            if len(records) > MAX_TRIGGER_RECORDS or common_word(tok):
                continue
            self.triggers[tok] = tuple(sorted(records))
            key = phonetic_key(tok)
            if key and len(key) >= 3:
                phonetic[key].update(records)
        self.phonetic = _small(phonetic)
        self.singles = _small(singles)
        self.written = frozenset(written)
        self.surnames = _small(surnames)
        self.abjad = {k: v for k, v in _small(abjad).items() if len(k) >= 3}
        # One listed word that Arabic script writes as two (حزب الله = Hizballah).
        self.abjad_words = {k: v for k, v in _small(abjad_words).items() if len(k) >= 4}

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

    def trigger(self, token: str, script: str = "Latin", original: str | None = None
                ) -> tuple[int, ...]:
        for form in _inflections(token, script, original):
            found = self.triggers.get(form)
            if found is not None:
                return found
        if len(token) >= MIN_TRIGGER_LEN and not token.isdigit() and not common_word(token):
            for form in _inflections(token, script, original):
                key = phonetic_key(form)
                if key and len(key) >= 3 and (found := self.phonetic.get(key)):
                    return found
        return ()

    def one_word(self, token: str, script: str = "Latin", original: str | None = None
                 ) -> tuple[tuple[int, ...], str]:
        """(records a one-word mention may name, how): "name" for a one-word listed name,
        "core" for a listed name that is one word besides its legal form ("Maritime" of
        "Maritime Joint Stock Bank"), "family" for a listed person's family name."""
        if len(token) < 3:
            return (), ""  # two letters are an abbreviation of anything
        forms = _inflections(token, script, original)
        for form in forms:
            found = self.singles.get(form)
            if found is None and script == "Latin":
                found = self._sounds_single(form)  # Hisbollah, Hizballah
            if found:
                return found, "name" if form in self.written else "core"
        for form in forms:
            if found := self.surnames.get(form):
                return found, "family"
        if script == "Cyrillic":
            # Russian spells listed words its own way (Белоруськалий, Belaruskali); after the
            # family names, so that Путиным is Putin and not a vessel that sounds alike.
            for form in forms:
                if found := self._sounds_single(form):
                    return found, "core"
        return (), ""

    def _sounds_single(self, form: str) -> tuple[int, ...] | None:
        if len(form) < MIN_TRIGGER_LEN or not (key := phonetic_key(form)):
            return None
        return self.singles.get("~" + key)

    def reading(self, token: str, script: str, original: str) -> str | None:
        """A declined or differently romanised Cyrillic word as the lists spell it ("Путиным"
        -> "putin", "Шойгу" -> "shoygu"), when that form and not the word as ICU writes it is
        a listed word; None when the word needs no reading."""
        if script == "Latin":
            english = english_from_german(token)
            if english is None:
                return None
            forms = [english]
        elif script != "Cyrillic":
            return None
        else:
            forms = _inflections(token, script, original)
        for known in (self._listed, self._sounds_listed):
            for form in forms:
                if known(form):
                    return None if form == token else form
        return None

    def _listed(self, form: str) -> bool:
        return form in self.triggers or form in self.singles or form in self.surnames

    def _sounds_listed(self, form: str) -> bool:
        key = phonetic_key(form) if len(form) >= MIN_TRIGGER_LEN else None
        return bool(key) and (key in self.phonetic or "~" + key in self.singles)

    def abjad_trigger(self, token: str, joined_with_next: str | None = None) -> tuple[int, ...]:
        keys = [abjad_skeleton(token)]
        if joined_with_next:
            keys.insert(0, abjad_skeleton(token + joined_with_next))
        for key in keys:
            if len(key) >= 3 and (found := self.abjad.get(key)):
                return found
        return ()


# Russian and Ukrainian decline names: "глава Рособоронэкспорта", "в Сбербанке".
_CASE_ENDINGS = ("ogo", "ego", "omu", "emu", "ykh", "ikh", "ami", "ym", "im", "ov", "om", "oi",
                 "ei", "ii", "ia", "iu", "e", "a", "u", "y", "i", "j")
_A_ENDINGS = ("oi", "oj", "oy", "ei", "ej", "ey", "oiu", "oyu", "e", "u", "y", "i")
# Lists romanise Russian names the English way (Lukashenko, Shoigu); ICU's scientific
# transliteration writes Lukasenko, Sojgu. Both are tried.
_ENGLISH_CYRILLIC = str.maketrans({
    "ш": "sh", "щ": "shch", "ж": "zh", "ч": "ch", "х": "kh", "ц": "ts", "ю": "yu", "я": "ya",
    "й": "y", "ы": "y", "э": "e", "ё": "e", "ь": "", "ъ": "", "і": "i", "ї": "yi", "є": "ye",
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "з": "z", "и": "i", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f",
})


# й is written y or i (Shoygu / Shoigu, Yevgeniy / Yevgenii): both are tried.
_ENGLISH_CYRILLIC_I = {**_ENGLISH_CYRILLIC, ord("й"): "i"}


_GERMAN_SIGNS = ("sch", "w", "j")


@lru_cache(maxsize=100_000)
def english_from_german(token: str) -> str | None:
    """A Russian name as German writes it, the English way the lists write it (Setschin ->
    sechin, Timtschenko -> timchenko, Uralwagonsawod -> uralvagonzavod, Juri -> yuri); None
    for a word with no sign of German romanisation."""
    if not any(sign in token for sign in _GERMAN_SIGNS):
        return None
    t = token.replace("schtsch", "\x03").replace("tsch", "\x01").replace("sch", "\x02")
    t = t.replace("ch", "kh").replace("ss", "\x04").replace("z", "ts").replace("w", "v")
    t = re.sub(r"(?<=[aeiouy\x01\x02])j|^j", "y", t)
    # з is s in German, с is s or ss: s between two vowels, or after n/r/l before one, is з.
    t = re.sub(r"(?<=[aeiouy])s(?=[aeiouy])|(?<=[nrl])s(?=[aeiou])", "z", t)
    t = t.replace("\x03", "shch").replace("\x01", "ch").replace("\x02", "sh")
    t = t.replace("\x04", "s")
    return None if t == token else t


def _inflections(token: str, script: str, original: str | None = None) -> list[str]:
    bases = [token]
    if script == "Latin" and (english := english_from_german(token)):
        bases.append(english)
    if script == "Cyrillic" and original:
        low = original.lower()
        for table in (_ENGLISH_CYRILLIC, _ENGLISH_CYRILLIC_I):
            english = "".join(c for c in low.translate(table) if c.isalnum())
            if english and english not in bases:
                bases.append(english)
    forms = list(bases)
    if script == "Cyrillic":
        for base in bases:
            if len(base) > 5:
                forms += [base[: -len(e)] for e in _CASE_ENDINGS if base.endswith(e)]
                # Names in -a decline on the stem: Дерипаской, Дерипаске -> Deripaska.
                forms += [base[: -len(e)] + "a" for e in _A_ENDINGS if base.endswith(e)]
    return list(dict.fromkeys(forms))


def _small(table: dict[str, set[int]]) -> dict[str, tuple[int, ...]]:
    return {k: tuple(sorted(v)) for k, v in table.items() if len(v) <= MAX_TRIGGER_RECORDS}
