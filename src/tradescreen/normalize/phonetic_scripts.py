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

