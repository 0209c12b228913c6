"""People's names written phonetically in Katakana, Hiragana or Hangul, read back in Latin.

Japanese and Korean write foreign names by sound (ウラジーミル・プーチン, 블라디미르 푸틴); a
romanisation of that spelling ("urajimiru puchin") is far from "Vladimir Putin". rigour's
person-name tagger knows such spellings as names (Wikidata given and family names in every
script) and tags them with the same symbol as their Latin forms; each symbol is read as its
most listed Latin spelling (vocab.symbol_spellings). Parts rigour does not know keep our
romanisation. The tagger takes seconds to load, so it is loaded on the first such name only.
"""

from __future__ import annotations

from functools import lru_cache

from tradescreen.normalize import vocab
from tradescreen.normalize.text import tokens

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
    if not by_part:
        return None
    out: list[str] = []
    for part in name.parts:
        options = by_part.get(part.index)
        if options:
            out.append(max(options, key=lambda o: (o[1], o[0]))[0])
        else:
            out.extend(tokens(part.form))
    return tuple(out)
