"""Turn a raw name into the form the index and the matcher compare: `NameForm`.

Pure and cached: the same string and schema always give the same form. The steps, in order:
fold any script to ASCII tokens; for people drop titles and offices before the name (rigour's
person prefixes and ours); for organisations pull out legal forms as their class (rigour's
org types: OOO, GmbH, S.A.R.L. -> llc) and read number words as digits ("Seventh" -> 7); keep
name particles but mark them, since "al-Assad" and "Assad" are the same family name while "bin
Salman" is not "Salman".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from tradescreen.normalize import phonetic_scripts, vocab
from tradescreen.normalize.legal import split_org, unglue
from tradescreen.normalize.numbers import numbers_as_digits
from tradescreen.normalize.phonetic import skeleton
from tradescreen.normalize.text import ascii_fold, script_of, tokens

PERSON_SCHEMAS = frozenset({"Person"})
ORG_SCHEMAS = frozenset({"Company", "Organization", "LegalEntity"})
ABJADS = frozenset({"Arabic", "Hebrew", "Syriac"})


@dataclass(frozen=True, slots=True)
class NameForm:
    raw: str
    tokens: tuple[str, ...]  # identity-bearing tokens, in the name's order
    legal_forms: tuple[str, ...] = ()  # legal-form classes found (llc, jsc, lp, ...)
    legal_words: tuple[str, ...] = ()  # the legal forms as written, folded (gmbh, inc, ooo)
    dropped: tuple[str, ...] = ()  # honorifics / titles removed
    script: str = "Latin"  # script of the raw name (transliterated when not Latin)
    kind: str = "other"  # person | org | other (vessels, aircraft): how the name was read

    @property
    def joined(self) -> str:
        return "".join(self.tokens)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(skeleton(t) for t in self.tokens)

    @property
    def transliterated(self) -> bool:
        return self.script != "Latin"

    @property
    def abjad(self) -> bool:
        """Written in a script that leaves short vowels out (Arabic, Persian, Urdu, Hebrew)."""
        return self.script in ABJADS


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 5:
        return False
    return OSA.distance(a, b, score_cutoff=2) <= (1 if len(b) < 8 else 2)


@lru_cache(maxsize=1)
def _phrase_words() -> frozenset[str]:
    return frozenset(word for _size, _pos, word in vocab.legal_form_words())


def _fuzzy_form(window: tuple[str, ...]) -> str | None:
    """A multi-word legal form with a typo ("limited liability commpany", "joibt stick
    company"): one slip per word allowed, at least one word spelt exactly."""
    # Most windows hold no word of any multi-word form: nothing to compare (an index build
    # asks this of every window of every organisation name).
    if len(window) < 2 or _phrase_words().isdisjoint(window):
        return None
    index = vocab.legal_form_words()
    size = len(window)
    seen: set[tuple[str, ...]] = set()
    for pos, word in enumerate(window):
        for phrase, canonical in index.get((size, pos, word), ()):
            if phrase in seen:
                continue
            seen.add(phrase)
            if all(_same_word(a, b) for a, b in zip(window, phrase, strict=True)):
                return canonical
    return None


def _strip_legal_forms(
    toks: tuple[str, ...],
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    table = vocab.legal_forms()
    longest = vocab.legal_form_max_len()
    kept: list[str] = []
    forms: list[str] = []
    words: list[str] = []
    i = 0
    while i < len(toks):
        for size in range(min(longest, len(toks) - i), 0, -1):
            canonical = table.get(toks[i : i + size]) or _fuzzy_form(toks[i : i + size])
            if canonical is not None:
                forms.append(canonical)
                words.append("".join(toks[i : i + size]))
                i += size
                break
        else:
            kept.append(toks[i])
            i += 1
    if not kept:
        # A name made only of legal-form words ("The Company") keeps them as its identity.
        return toks, (), ()
    return tuple(kept), tuple(dict.fromkeys(forms)), tuple(dict.fromkeys(words))


def _org_tokens(
    raw: str, toks: tuple[str, ...], script: str
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Identity tokens, legal-form classes and legal forms as written of an organisation name.

    rigour reads the name as written when it is in Latin script (it knows "Société anonyme",
    "S.A.R.L.", dotted abbreviations join: "A.B.C." -> "abc"), else our Latin folding and then
    the original script ("Общество с ограниченной ответственностью"). Our table takes what
    rigour does not know (Persian forms, accent-less spellings, typos); when our table alone
    explains more of the name as legal form, its reading wins.
    """
    arabic = script == "Arabic"
    text = unglue(_arabic_reading(raw, person=False) if arabic else raw)
    parts, forms, written = split_org(text if script == "Latin" else ascii_fold(text))
    if not forms and not raw.isascii() and not arabic:
        alt = split_org(text)
        if alt[1]:
            parts, forms, written = alt
    words = tuple(t for p in parts for t in tokens(p))
    table = _strip_legal_forms(words) if words else (toks, (), ())
    read = (
        table[0],
        tuple(dict.fromkeys(forms + table[1])),
        tuple(dict.fromkeys(written + table[2])),
    )
    if words != toks:
        ours = _strip_legal_forms(toks)
        if len(ours[0]) < len(read[0]):
            read = ours
    if not read[0] or not read[1] and not words:
        # A name made only of legal-form words ("The Company") keeps them as its identity.
        return toks, (), ()
    return read


def _strip_honorifics(toks: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Titles and offices come first ("Dr.", "Sheikh", "Prime Minister") and generational
    suffixes last ("Jr", "III"); the same words inside a name are names (Charles King, John
    Major). A name is never emptied: its last word stays."""
    prefixes, suffixes = vocab.person_prefixes(), vocab.name_suffixes()
    longest = vocab.person_prefix_max_len()
    start, end = 0, len(toks)
    moved = True
    while moved:
        moved = False
        for size in range(min(longest, end - start - 1), 0, -1):
            if toks[start : start + size] in prefixes:
                start += size
                moved = True
                break
    while end - 1 > start and toks[end - 1] in suffixes:
        end -= 1
    return toks[start:end], toks[:start] + toks[end:]


# Arabic writes the article joined to its word (الرحمن) and to "Abd" in compound names
# (عبدالكريم); Latin lists write "al-Rahman", "Abd al-Karim". Split on the Arabic letters,
# before ayn is read as alef, so that a name beginning with ayn-lam (علوان, عليم) stays whole.
# Allah (الله) is one word however it is written (Abdullah, Abd Allah, Nasrallah).
_ARTICLE = re.compile(
    r"(?<!\w)(\u0639\u0628\u062f)?\u0627\u0644(?=\w\w)(?!\u0644\u0647(?!\w))"
)


def _arabic_reading(raw: str, *, person: bool) -> str:
    """Ayn has no Latin letter; romanisations write it as a vowel or nothing (علي = Ali,
    عبد = Abd), so it reads as alef. A person's name ending in ta marbuta is written -a or -ah
    (حمزة = Hamza, فاطمة = Fatimah), never -t: it reads as the ha it sounds."""
    text = _ARTICLE.sub(lambda m: (m[1] + " " if m[1] else "") + "\u0627\u0644 ", raw)
    text = text.replace("\u0639", "\u0627")
    return text.replace("\u0629", "\u0647") if person else text


@lru_cache(maxsize=300_000)
def name_form(raw: str, schema: str = "LegalEntity", *, query: bool = False) -> NameForm:
    """`query`: the name is a screening query, so a person's name in Katakana, Hiragana or
    Hangul is read back to its Latin spelling (phonetic_scripts: loads rigour's person
    tagger on first use). Listed names keep their romanisation: the lists give the Latin
    original beside such spellings, and building an index must not wait for the tagger."""
    script = script_of(raw)
    if script == "Arabic":
        toks = tokens(_arabic_reading(raw, person=schema in PERSON_SCHEMAS))
    else:
        toks = tokens(raw)
    legal: tuple[str, ...] = ()
    written: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    kind = "other"
    if schema in PERSON_SCHEMAS:
        if query and script in phonetic_scripts.SCRIPTS:
            toks = (
                phonetic_scripts.latin_reading(raw)
                or (phonetic_scripts.korean_reading(raw) if script == "Hangul" else None)
                or toks
            )
        toks, dropped = _strip_honorifics(toks)
        kind = "person"
    elif schema in ORG_SCHEMAS:
        toks, legal, written = _org_tokens(raw, toks, script)
        kind = "org"
    if kind != "person":
        toks = numbers_as_digits(toks)
    return NameForm(
        raw=raw, tokens=toks, legal_forms=legal, legal_words=written, dropped=dropped,
        script=script, kind=kind,
    )


def display(raw: str) -> str:
    """ASCII rendering for explanations ("АО ОЭЗ ППТ «Алабуга»" -> "ao oez ppt <<alabuga>>")."""
    return ascii_fold(raw)
