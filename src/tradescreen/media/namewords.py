"""Which words of a document can be part of a name: scripts, capitals, everyday words, legal
forms, places, and the guards that keep ordinary language ("State Department", "Министерство
финансов", a German noun before a name) from being read as a listed party."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from tradescreen.media.gazetteer import OTHER_SCRIPT_EVERYDAY, _zipf, common_word
from tradescreen.media.words import Word
from tradescreen.normalize.names import name_form

GERMAN_NOUN_ZIPF = 2.0  # in German text at least once per 10 million words
ENGLISH_NAME_ZIPF = 1.5  # ...and all but unknown in English (McKenzie is a name in both)
ABJAD = frozenset({"Arabic", "Hebrew", "Syriac"})
SYLLABIC = frozenset({"Cjk", "Hiragana", "Katakana"})
CASED = frozenset({"Latin", "Cyrillic", "Greek", "Armenian", "Georgian"})
CONJUNCTIONS = frozenset({"and", "und", "et", "y", "i", "or", "oder", "ou", "ili", "va", "wa"})
EDGE_WORDS = frozenset({
    "the", "a", "an", "of", "and", "for", "in", "on", "at", "by", "to", "from", "with", "der",
    "die", "das", "des", "dem", "den", "und", "von", "fur", "la", "le", "les", "el", "los", "de",
    "du", "et", "i", "v", "s", "na", "po",
})


@lru_cache(maxsize=50_000)
def legal_form(word: str) -> bool:
    # Beside a placeholder word, since a name made only of legal-form words keeps them as name.
    return bool(name_form(f"zzqx {word}", "Organization").legal_forms)


def starts_name(word: Word) -> bool:
    """Names are capitalised in cased scripts; scripts without case give no such hint."""
    return word.capitalised or word.script not in CASED


@lru_cache(maxsize=50_000)
def tokens_of(value: str) -> tuple[str, ...]:
    from tradescreen.normalize.text import tokens

    return tokens(value)


@lru_cache(maxsize=10_000)
def country_token(token: str) -> bool:
    import countrynames

    return len(token) > 3 and countrynames.to_code(token) is not None


@lru_cache(maxsize=50_000)
def place(token: str) -> bool:
    import countrynames

    return countrynames.to_code(token) is not None


def has_country(tokens: Sequence[str]) -> bool:
    return any(country_token(t) for t in tokens)


def everyday(words: Sequence[Word]) -> bool:
    # English frequencies of the folded tokens: a Russian or Persian news corpus counts
    # "Путин" among its most frequent words, which says nothing about it being a name.
    return all(t in EDGE_WORDS or common_word(t) for w in words for t in w.tokens)


def proper_name(words: Sequence[Word], allowed: set[int] | None) -> bool:
    """Everyday words written as a proper name: three or more, each capitalised, as a
    listed name spells them ("Success Aviation Services", "Sea River Service")."""
    content = [w for w in words if not set(w.tokens) <= EDGE_WORDS]
    return (allowed is not None and len(content) >= 3
            and all(w.capitalised for w in content))


def german_noun(word: Word) -> bool:
    """A German common noun ("Rüstungskonzern Almaz-Antey", "Machthaber Lukaschenko"): German
    capitalises every noun, so a title or a kind of firm before a name looks like a name."""
    return word.script == "Latin" and word.capitalised and not word.text.isupper() and (
        _zipf(word.text, "de") >= GERMAN_NOUN_ZIPF and _zipf(word.text, "en") < ENGLISH_NAME_ZIPF)


def foreign_acronym(word: Word) -> bool:
    return (word.script == "Cyrillic" and 2 <= len(word.text) <= 5 and word.text.isupper()
            and word.text.isalpha())


def russian_phrase(words: Sequence[Word]) -> bool:
    """"Министерство финансов": Russian capitalises only the first word of an institution's
    name, and writes it in everyday words (Russian word frequencies); a person's name is
    capitalised throughout (an acronym after it is a place: Министерство финансов США)."""
    return (len(words) > 1 and all(w.script == "Cyrillic" for w in words)
            and not any(w.capitalised and not foreign_acronym(w) for w in words[1:])
            and all(common_word("", "Cyrillic", w.text, OTHER_SCRIPT_EVERYDAY - 0.5)
                    for w in words))
