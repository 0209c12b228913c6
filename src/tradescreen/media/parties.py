"""Listed parties (or a book's customers) named in a document, scored by the screening matcher.

Spans come from the gazetteer (a whole listed name written out, or a distinctive token grown to
the run of name-like words around it: capitalised words, words of the listed names it may be,
legal forms) and from quoted names. Each distinct span is screened once, as `screen` would
screen it, so a mention carries the same score, decision and explanation rows as a screening.
Two guards keep ordinary language out: a span made only of everyday words ("State Department",
"European Commission") is never a party hit unless a list writes exactly that name with a
country in it, and then at most `review`; a one-word span for a longer listed name ("Alabuga"
for "ST Alabuga", a place as often as a company) is at most `review`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from tradescreen.media.gazetteer import OTHER_SCRIPT_EVERYDAY, Gazetteer, common_word
from tradescreen.media.mentions import DocText, Mention, no_overlaps
from tradescreen.media.namewords import (
    ABJAD,
    CASED,
    EDGE_WORDS,
    SYLLABIC,
    everyday,
    foreign_acronym,
    has_country,
    legal_form,
    proper_name,
    russian_phrase,
    tokens_of,
)
from tradescreen.media.readings import listed_spelling, named_runs, symbol_reading
from tradescreen.media.spans import SpanFinder
from tradescreen.media.spanscore import EXACT_SCORE, Memo, SpanScorer
from tradescreen.media.translated import translated_mentions
from tradescreen.media.words import Word
from tradescreen.normalize.names import NameForm, name_form
from tradescreen.normalize.phonetic import abjad_skeleton, phonetic_key
from tradescreen.screen.party import PartyResult, Screener

__all__ = ["DocText", "Mention", "PartyFinder", "usable_names"]

ABJAD_MIN_SCORE = 0.8
MAX_CACHED_SPANS = 50_000  # screened spans kept across documents
MAX_CACHED_FORMS = 20_000  # span forms whose comparisons with listed names are kept
MAX_KEPT_RECORDS = 20_000  # records whose name keys are kept (index data, not names seen)
_PAREN = re.compile(r"\(([^()]+)\)")


def usable_names(names: Sequence[tuple[str, str, str]]
                 ) -> tuple[list[tuple[str, str]], frozenset[str]]:
    """(name, strength) pairs worth finding in text, and the names that are not.

    Lists write "NAME (X)"; the index also keeps X alone. X is the party's own short name when
    it is an acronym or a word of NAME ("HUAWEI TECHNOLOGIES CO. (HUAWEI)"), but a place when it
    is neither ("Corad Technology (Shenzhen) Ltd.", "Bank (St. Petersburg)"): no party is named
    by writing a city.
    """
    values = [v for v, _k, _s in names]
    out: list[tuple[str, str]] = []
    rejected: set[str] = set()
    for value, _kind, strength in names:
        inside = [v for v in values if v != value and f"({value.lower()})" in v.lower()]
        if inside:
            whole = inside[0]
            base = tokens_of(_PAREN.sub(" ", whole))
            part = tokens_of(value)
            acronym = "".join(t[0] for t in base if t)
            if not (set(part) <= set(base) or "".join(part) == acronym
                    or "".join(part) in acronym):
                rejected.add(value)
                continue
            strength = "strong"  # the party's own short form
        out.append((value, strength))
    return out, frozenset(rejected)


def build_party_tables(index: Any) -> tuple[Gazetteer, dict[int, frozenset[str]]]:
    """The gazetteer of every usable listed name of `index`, and per record the names that are
    not usable (a city in brackets)."""
    rejected: dict[int, frozenset[str]] = {}
    names = []
    for pos in range(len(index.records)):
        rec, forms = index.records[pos], index.forms[pos]
        usable, dropped = usable_names(rec.names)
        if dropped:
            rejected[pos] = dropped
        # The index keeps each name's normalised form: its tokens without the legal form.
        cores = {v: () if f is None else f.tokens
                 for (v, _k, _s), f in zip(rec.names, forms, strict=True)}
        names.extend((pos, value, strength, rec.schema, cores[value])
                     for value, strength in usable)
    return Gazetteer(names), rejected


def party_tables(index: Any) -> tuple[tuple[Gazetteer, dict[int, frozenset[str]]], str]:
    """`build_party_tables`, from the cache beside the index's files when it is there; and
    "loaded" or "built"."""
    from tradescreen.media.cache import load_or_build

    return load_or_build(index, lambda: build_party_tables(index))


class PartyFinder:
    """Mentions of the records of one screener's index: `kind` listed_party or customer."""

    def __init__(self, screener: Screener, kind: str = "listed_party",
                 places: frozenset[str] = frozenset()) -> None:
        self.screener = screener
        self.kind = kind
        self.places = places  # tokens of known place names: a one-word place is not a party
        (self.gazetteer, self._rejected), self.tables_from = party_tables(screener.index)
        records = screener.index.records
        self._rejected_by_key = {(records[p].source, records[p].source_id): names
                                 for p, names in self._rejected.items()}
        self.span_finder = SpanFinder(screener.index, self.gazetteer)
        self.scorer = SpanScorer(screener.index, screener.thresholds)
        # Kept across documents: news repeats its names, and a span's results depend only on
        # its text and the records it may name (the index is immutable), so a name screened in
        # one article is not screened again in the next. Bounded: emptied when full.
        self._results: dict[tuple[str, frozenset[int] | None], list[PartyResult]] = {}
        self._memo: Memo = {}
        self._keys: dict[int, tuple[tuple[int, frozenset[str]], ...]] = {}

    def _caches(self) -> tuple[dict[tuple[str, frozenset[int] | None], list[PartyResult]], Memo]:
        if len(self._results) > MAX_CACHED_SPANS:
            self._results.clear()
        if len(self._memo) > MAX_CACHED_FORMS:
            self._memo.clear()
            self.scorer.clear()
        return self._results, self._memo

    def clear_caches(self) -> None:
        """Forget the spans screened so far (the bench measures articles never seen)."""
        self._results.clear()
        self._memo.clear()
        self.scorer.clear()

    def find(self, doc: DocText) -> list[Mention]:
        found: list[Mention] = []
        cache, memo = self._caches()
        spans, family = self.span_finder.spans(doc)
        named = named_runs(doc)
        for span in named:
            spans.setdefault(span, None)
        for (first, last), allowed in spans.items():
            words = doc.words[first:last + 1]
            span_tokens = [t for w in words for t in w.tokens]
            if len(span_tokens) == 1 and span_tokens[0] in self.places:
                continue  # a port or a country named alone is a place mention, not a party
            if len(words) == 1 and words[0].script in SYLLABIC and (first, last) not in named:
                continue  # one Chinese character is a syllable, not a name
            if len(words) == 1 and words[0].script in ABJAD and not self._abjad_name(words):
                continue  # "هم" ("also"): an everyday Arabic or Persian word, not a name
            if len(words) == 1 and foreign_acronym(words[0]):
                allowed = self._cyrillic_records(allowed)
                if not allowed:
                    continue  # СМИ ("mass media") is not SMI, a listed English acronym
            if (everyday(words) or russian_phrase(words)) and not (
                    has_country(span_tokens) and len(span_tokens) > 1
                    or proper_name(words, allowed)):
                continue
            if allowed is not None and everyday(words):
                # Everyday words name a party only as a listed name spelt exactly so (see
                # `_mention`): a record with no such name cannot be shown, so is not scored.
                allowed = self._exact_records(span_tokens, allowed)
                if not allowed:
                    continue
            start, end = doc.span(first, last)
            text = doc.text[start:end]
            key = (text, None if allowed is None else frozenset(allowed))
            results = cache.get(key)
            if results is None:
                results = cache[key] = self.scorer.score(text, allowed, memo, self._reach)
            read_as, read_allowed, by_symbol = listed_spelling(self.gazetteer, words), key[1], False
            if read_as is not None and _best(results) >= EXACT_SCORE:
                read_as = None  # read as listed already: no reading can be closer
            if read_as is None:
                # A person's name in Chinese, Arabic or Persian script, read through rigour's
                # name symbols as the lists spell it (普京 = Putin, ابراهیم رئیسی = Ebrahim
                # Raisi); the records its transliteration reached are not the ones it names.
                read_as, read_allowed = named.get((first, last)), None
                if read_as is None and all(w.script in ABJAD for w in words):
                    read_as = symbol_reading(text)
                by_symbol = read_as is not None
            if read_as is not None:
                # Russian declines names (Путиным) and romanises them its own way (Шойгу):
                # the words as the lists spell them are scored too, and the closer reading kept.
                alt_key = (read_as, read_allowed)
                alt = cache.get(alt_key)
                if alt is None and results:
                    # Most readings are no closer than the text: first only what could beat
                    # it is scored, and the whole answer only when something does.
                    beats = self.scorer.score(
                        read_as, None if read_allowed is None else set(read_allowed), memo,
                        self._reach, least=_best(results))
                    if by_symbol:
                        beats = [r for r in beats if r.score.record.schema == "Person"]
                    if _best(beats) <= _best(results):
                        alt = []  # not kept: it is not the reading's whole answer
                if alt is None:
                    alt = cache[alt_key] = self.scorer.score(
                        read_as, None if read_allowed is None else set(read_allowed), memo,
                        self._reach)
                if by_symbol:
                    # rigour read it as a person's name: it names a listed person or nothing
                    # ("伊斯兰" reads "islam", which is no one).
                    alt = [r for r in alt if r.score.record.schema == "Person"]
                if _best(alt) > _best(results):
                    results = alt
                else:
                    read_as, by_symbol = None, False
            mention = self._mention(doc, first, last, text, results, (first, last) in family,
                                    by_symbol)
            if mention is not None:
                if read_as is not None:
                    mention.details["read_as"] = read_as
                found.append(mention)
        if self.kind == "listed_party":
            found.extend(translated_mentions(self, doc, cache, memo))
        return no_overlaps(found)

    def _exact_records(self, span_tokens: Sequence[str], allowed: set[int]) -> set[int]:
        """The records with a name whose tokens are exactly the span's, as `_mention` reads
        a matched name for words that are everyday."""
        want = tuple(span_tokens)
        records = self.screener.index.records
        return {pos for pos in allowed
                if any(tokens_of(value) == want
                       or name_form(value, "Organization").tokens == want
                       for value, _k, _s in records[pos].names)}

    def _cyrillic_records(self, allowed: set[int] | None) -> set[int]:
        """The records a Cyrillic acronym can name: those written in Cyrillic or of a country
        that writes it (ВТБ is VTB; СМИ, "mass media", is not Syrian Military Intelligence)."""
        if allowed is None:
            return set()
        out = set()
        for pos in allowed:
            rec = self.screener.index.records[pos]
            if set(rec.countries) & _CYRILLIC_COUNTRIES or any(
                    f is not None and f.script == "Cyrillic"
                    for f in self.screener.index.forms[pos]):
                out.add(pos)
        return out

    def _reach(self, form: NameForm, allowed: set[int]) -> list[tuple[int, tuple[int, ...] | None]]:
        """A few records, no retrieval: their names that share a key with the span; across
        scripts keys differ more than the scorer does, so every name."""
        keys = _form_keys(form)
        reached = []
        for pos in sorted(allowed):
            slots = tuple(i for i, f_keys in self._slot_keys(pos) if not keys.isdisjoint(f_keys))
            if slots or form.script != "Latin":
                reached.append((pos, slots or None))
        return reached

    def _slot_keys(self, pos: int) -> tuple[tuple[int, frozenset[str]], ...]:
        """The keys (`_form_keys`) of each name of record `pos`: index data, kept."""
        found = self._keys.get(pos)
        if found is None:
            if len(self._keys) >= MAX_KEPT_RECORDS:
                self._keys.clear()
            found = self._keys[pos] = tuple(
                (i, _form_keys(f)) for i, f in enumerate(self.screener.index.forms[pos])
                if f is not None)
        return found

    def rejected_names(self, result: PartyResult) -> frozenset[str]:
        rec = result.score.record
        return self._rejected_by_key.get((rec.source, rec.source_id), frozenset())

    def _abjad_name(self, words: Sequence[Word]) -> bool:
        """Arabic-script words can name a party when one of them is not an everyday word of
        Arabic or Persian, or two of them join into a listed name (حزب الله = Hizballah)."""
        if any(not w.text.isdigit() and len(w.text) >= 3
               and not common_word("", w.script, w.text, OTHER_SCRIPT_EVERYDAY) for w in words):
            return True
        toks = [t for w in words for t in w.tokens]
        return any(self.gazetteer.abjad_words.get(abjad_skeleton(a + b))
                   for a, b in zip(toks, toks[1:], strict=False))

    def _mention(self, doc: DocText, first: int, last: int, text: str,
                 results: list[PartyResult], family_only: bool, by_symbol: bool = False
                 ) -> Mention | None:
        words = doc.words[first:last + 1]
        span_tokens = [t for w in words for t in w.tokens]
        ordinary = everyday(words)
        proper = proper_name(words, set())
        # "the Qods aviation company": a name described in ordinary words, not written out.
        descriptive = any(w.script in CASED and not w.capitalised and not legal_form(w.text)
                          and not set(w.tokens) <= EDGE_WORDS for w in words)
        keep: list[tuple[PartyResult, str]] = []
        for result in results:
            if result.decision == "no_match":
                continue
            if result.score.matched_name in self.rejected_names(result):
                continue
            decision = result.decision
            matched = name_form(result.score.matched_name or "").tokens
            if ordinary:
                # Ordinary words name a party only where a list writes them exactly, with a
                # country in them ("Iran Air") or as a proper name ("Sea River Service"), and
                # even then an analyst must look.
                exact = " ".join(span_tokens) == " ".join(name_form(
                    result.score.matched_name or "", "Organization").tokens) or " ".join(
                    span_tokens) == " ".join(tokens_of(result.score.matched_name))
                if not (exact and (has_country(span_tokens) or proper)):
                    continue
                decision = "review"
            if decision == "match" and (
                (len(span_tokens) == 1 and len(matched) > 1) or descriptive
                or family_only):
                decision = "review"
            if (all(w.script in SYLLABIC for w in words) and len(words) < 3
                    and result.score.score < 0.9 and not by_symbol):
                continue  # two characters are two syllables: only an exact name counts
            if (all(w.script in SYLLABIC for w in words) and not by_symbol
                    and result.score.record.schema == "Person"
                    and not set(result.score.record.countries) & _HAN_COUNTRIES):
                # Chinese writes a foreign person's name by sound in characters whose pinyin
                # is nothing like the Latin spelling: pinyin that spells one ("巴巴集", ba ba ji
                # = Babaji) is chance; only rigour's reading of the name counts.
                continue
            if all(w.script in ABJAD or w.text.isdigit() for w in words) and (
                    result.score.score < ABJAD_MIN_SCORE) and not by_symbol:
                # Arabic and Persian names of bodies are everyday words ("Guards of the
                # Islamic Revolution"): only a close reading of a listed name counts.
                continue
            keep.append((result, decision))
        if not keep:
            return None
        best, decision = keep[0]
        start, end = doc.span(first, last)
        details: dict[str, Any] = {"result": best}
        score = round(best.score.score, 4)
        details["also"] = [
            {"source": r.score.record.source, "source_id": r.score.record.source_id,
             "caption": r.score.record.caption, "score": round(r.score.score, 4),
             "decision": d}
            for r, d in keep[1:]
        ]
        return Mention(self.kind, text, start, end, doc.sentence(first), score, decision, details)


@lru_cache(maxsize=300_000)
def _form_keys(form: NameForm) -> frozenset[str]:
    """Tokens, transliteration keys and consonant skeletons: what two spellings of one name
    share."""
    keys = set(form.tokens)
    keys.update(k for t in form.tokens if (k := phonetic_key(t)))
    keys.update("a:" + abjad_skeleton(t) for t in form.tokens if len(t) >= 2)
    return frozenset(keys)


_HAN_COUNTRIES = frozenset({"cn", "tw", "hk", "mo", "sg"})  # where names are written in Han
# Countries that write Cyrillic: an acronym written in it abbreviates their words.
_CYRILLIC_COUNTRIES = frozenset({"ru", "by", "ua", "kz", "kg", "tj", "bg", "rs", "mk", "mn",
                                 "me", "ba", "md", "ge", "am", "az", "uz", "tm"})


def _best(results: list[PartyResult]) -> float:
    return results[0].score.score if results else 0.0


