"""People's names written phonetically in Katakana, Hiragana or Hangul, read back in Latin.

Japanese and Korean write foreign names by sound (ウラジーミル・プーチン, 블라디미르 푸틴); a
romanisation of that spelling ("urajimiru puchin") is far from "Vladimir Putin". rigour's
person-name tagger knows such spellings as names (Wikidata given and family names in every
script) and tags them with the same symbol as their Latin forms; each symbol is read as its
most listed Latin spelling (vocab.symbol_spellings). A name with any part rigour does not know
keeps our romanisation. The tagger takes seconds to load: it is loaded on the first such name.
"""

from __future__ import annotations

from functools import lru_cache

from tradescreen.normalize import vocab

SCRIPTS = frozenset({"Katakana", "Hiragana", "Hangul"})

# The DPRK's romanisation, syllable by syllable: how the lists write Korean names ("Kim Jong
# Un", "Ri Pyong Chol", "Choe Ryong Hae"). ICU's Korean-Latin/BGN reads the South's way (리 ->
# ni, 정 -> chŏng), which the lists do not use; Revised Romanization spellings (Eun-jeong)
# differ from this one mostly in vowels, which the matcher's skeleton tolerates. The Unicode
# Hangul block is built arithmetically from these three jamo series.
_INITIALS = ("k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "j", "jj", "ch",
             "k", "t", "p", "h")
_MEDIALS = ("a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u",
            "wo", "we", "wi", "yu", "u", "ui", "i")
_FINALS = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m",
           "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t")
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3


# A Korean personal name is a family name and a given name of two to four syllables in all
# (김정은, 남궁 민); longer Hangul is a foreign name spelt by sound, left to the usual reading.
KOREAN_NAME_SYLLABLES = 4


def korean_reading(raw: str) -> tuple[str, ...] | None:
    """A Korean name in Hangul as the lists romanise it, one token per syllable (김정은 ->
    kim jong un: the lists write the given name's syllables apart or hyphenated). None when
    the name is not Hangul syllables alone or too long to be a Korean name."""
    out: list[str] = []
    for ch in raw:
        code = ord(ch)
        if _HANGUL_FIRST <= code <= _HANGUL_LAST:
            initial, rest = divmod(code - _HANGUL_FIRST, 21 * 28)
            medial, final = divmod(rest, 28)
            out.append(_INITIALS[initial] + _MEDIALS[medial] + _FINALS[final])
        elif not (ch.isspace() or ch in "-·."):
            return None
    if not 2 <= len(out) <= KOREAN_NAME_SYLLABLES or len(raw.split()) > 2:
        return None
    return tuple(out)


@lru_cache(maxsize=20_000)
def latin_reading(raw: str) -> tuple[str, ...] | None:
    """Latin tokens for a person's name in a phonetic East Asian script, or None when rigour
    recognises none of its parts."""
    from rigour.names import NameTypeTag, SymbolCategory, analyze_names

    names = analyze_names(NameTypeTag.PER, [raw], phonetics=False, consolidate=False)
    if not names:
        return None
    name = next(iter(names))
    spellings = vocab.symbol_spellings()
    by_part: dict[int, list[tuple[str, int]]] = {}
    for span in name.spans:
        if span.symbol.category != SymbolCategory.NAME or len(span.parts) != 1:
            continue
        found = spellings.get(str(span.symbol.id))
        if found is not None:
            by_part.setdefault(span.parts[0].index, []).append(found)
    # Every part must be a known name: a native Korean or Japanese name (황은정) read in
    # part through a symbol would mix two readings into a name nobody has.
    if not name.parts or any(part.index not in by_part for part in name.parts):
        return None
    return tuple(max(by_part[p.index], key=lambda o: (o[1], o[0]))[0] for p in name.parts)


def needs_reading(text: str) -> bool:
    """Whether a name is written in a script `latin_reading` reads (and so loads the tagger)."""
    from tradescreen.normalize.text import script_of

    return not text.isascii() and script_of(text) in SCRIPTS


def warm() -> None:
    """Load the tagger now: a parent that forks workers after this shares the tagger's pages
    with all of them instead of each loading its own (seconds and ~400 MB apiece)."""
    latin_reading("ウラジーミル・プーチン")

