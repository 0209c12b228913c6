"""Word lists shipped with the package: legal forms, honorifics, particles."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml


def _load(name: str) -> dict:
    text = resources.files("tradescreen.normalize").joinpath("data", name).read_text("utf-8")
    return yaml.safe_load(text)


@cache
def legal_forms() -> dict[tuple[str, ...], str]:
    """Folded token sequence -> canonical legal form."""
    table: dict[tuple[str, ...], str] = {}
    for canonical, phrases in _load("legal_forms.yaml").items():
        for phrase in phrases:
            table[tuple(phrase.split())] = canonical
    return table


@cache
def legal_form_words() -> dict[tuple[int, int, str], tuple[tuple[tuple[str, ...], str], ...]]:
    """Multi-word legal forms for the typo-tolerant pass, by (length, position, word): a
    misspelt form still has one word spelt right, and only forms sharing it are compared."""
    found: dict[tuple[int, int, str], list[tuple[tuple[str, ...], str]]] = {}
    for phrase, canonical in legal_forms().items():
        if len(phrase) >= 2 and all(len(t) >= 3 for t in phrase):
            for pos, word in enumerate(phrase):
                found.setdefault((len(phrase), pos, word), []).append((phrase, canonical))
    return {k: tuple(v) for k, v in found.items()}


@cache
def legal_form_max_len() -> int:
    return max(len(k) for k in legal_forms())


@cache
def _stopwords() -> dict[str, frozenset[str]]:
    return {k: frozenset(v) for k, v in _load("stopwords.yaml").items()}


def honorifics() -> frozenset[str]:
    return _stopwords()["honorifics"]


@cache
def person_prefix_max_len() -> int:
    return max(len(p) for p in person_prefixes())


@cache
def person_prefixes() -> frozenset[tuple[str, ...]]:
    """Titles and offices that open a person's name, as folded token sequences: rigour's person
    prefixes (Mr, Dr, General, President, His Excellency, ...) and ours (Sheikh, Haji, Prime
    Minister, military ranks abbreviated, ...)."""
    from rigour._core import person_name_prefixes_list

    from tradescreen.normalize.text import tokens

    found = {tokens(p) for p in person_name_prefixes_list()}
    found.update(tokens(p) for p in _stopwords()["honorifics"])
    found.update(tokens(p) for p in _stopwords()["offices"])
    return frozenset(t for t in found if t)


def particles() -> frozenset[str]:
    return _stopwords()["particles"]


def org_generic() -> frozenset[str]:
    return _stopwords()["org_generic"]


def name_suffixes() -> frozenset[str]:
    return _stopwords()["suffixes"]


@cache
def equivalents() -> dict[str, frozenset[int]]:
    """Token -> ids of the equivalence groups it belongs to (a token can be in two groups)."""
    groups: dict[str, set[int]] = {}
    data = _load("equivalents.yaml")
    gid = 0
    for section in ("abbreviations", "given_names"):
        for group in data[section]:
            for token in group:
                groups.setdefault(str(token), set()).add(gid)
            gid += 1
    return {k: frozenset(v) for k, v in groups.items()}


@cache
def known_names() -> dict[str, frozenset[int]]:
    """Person-name tokens known to be real names -> rigour's name symbols for them (numbered;
    empty when the name is known from the lists only). Built by bench/build_token_df.py."""
    import json

    raw = resources.files("tradescreen.normalize").joinpath("data", "known_names.json")
    data = json.loads(raw.read_text("utf-8"))
    return {token: frozenset(ids) for token, ids in data["names"].items()}


@cache
def symbol_spellings() -> dict[str, tuple[str, int]]:
    """rigour name symbol (a Wikidata id) -> its most listed Latin spelling and how many
    listed names carry that spelling. Built by bench/build_token_df.py."""
    import json

    raw = resources.files("tradescreen.normalize").joinpath("data", "known_names.json")
    data = json.loads(raw.read_text("utf-8"))
    return {qid: (token, int(count)) for qid, (token, count) in data["latin"].items()}
