"""Legal forms of organisation names, read by rigour's org-type tables.

rigour (the name analysis under followthemoney and nomenklatura) knows legal forms in many
languages and writings: spelt out ("Gesellschaft mit beschränkter Haftung", "Общество с
ограниченной ответственностью"), abbreviated with or without dots ("S.A.R.L.", "o.o.o."), and
it tags each with a class (LLC, JSC, LP, ...). The class is what we compare: a GmbH and an
OOO are the same kind of company (LLC), a GmbH and an AG are not. What rigour does not know
(Persian "sherkat sahami khass", misspelt forms) stays in our small table, vocab.legal_forms().
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from rigour.names import NamePartTag, NameTypeTag, SymbolCategory, analyze_names, extract_org_types

# A legal form glued to the name ("NovatekGmbH", "AlfaLLC"): split where a lower-case letter
# meets an upper-case one and what follows is a legal form.
_CAMEL = re.compile(r"(?<=[^\W\d_])(?<![A-Z])(?=[A-Z])")
_ROMAN = re.compile(r"^[ivx]+$")
_GLUED = re.compile(r"\b\w*[a-z][A-Z]\w*\b")


def _split_glued(match: re.Match[str]) -> str:
    word = match.group(0)
    for cut in (m.start() for m in _CAMEL.finditer(word)):
        if cut == 0:
            continue
        tail = word[cut:]
        found = extract_org_types(tail)
        if found and found[0][0] == tail:
            return f"{word[:cut]} {tail}"
    return word


def unglue(raw: str) -> str:
    """'NovatekGmbH' -> 'Novatek GmbH'; 'McDonald' and 'DeepMind' are left alone."""
    return _GLUED.sub(_split_glued, raw) if _GLUED.search(raw) else raw


@cache
def _warm() -> None:
    analyze_names(NameTypeTag.ORG, ["warm up"], phonetics=False, consolidate=False)


@lru_cache(maxsize=300_000)
def split_org(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(name part texts in order, legal-form classes found) of one organisation name.

    Part texts are rigour's part forms, in the original script (dotted abbreviations joined:
    "a.b.c." -> "abc"), for our folding to read;
    classes are rigour's ORG_CLASS symbols lower-cased ("llc", "jsc", "lp"), or the form itself
    for a legal word rigour tags without a class; then the legal forms as rigour writes them
    for comparison ("gmbh", "inc", "ltd").
    """
    _warm()
    names = analyze_names(
        NameTypeTag.ORG, [text], phonetics=False, consolidate=False, numerics=False
    )
    if not names:
        return (), (), ()
    name = next(iter(names))
    classes: dict[int, str] = {}
    for span in name.spans:
        if span.symbol.category == SymbolCategory.ORG_CLASS:
            for part in span.parts:
                classes.setdefault(part.index, str(span.symbol.id).lower())
    kept: list[str] = []
    forms: list[str] = []
    words: list[str] = []
    for part in name.parts:
        # A Roman numeral closing a name is a number of a series (Fund II), not the
        # Lithuanian "IĮ" rigour reads in it.
        if part.tag == NamePartTag.LEGAL and not _ROMAN.match(part.comparable):
            forms.append(classes.get(part.index, part.comparable))
            words.append(part.comparable)
        else:
            kept.append(part.form)
    return tuple(kept), tuple(dict.fromkeys(forms)), tuple(dict.fromkeys(words))
