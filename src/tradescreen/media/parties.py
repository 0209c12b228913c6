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

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from tradescreen.media.gazetteer import (
    OTHER_SCRIPT_EVERYDAY,
    Gazetteer,
    _zipf,
    common_word,
    known_word,
)
from tradescreen.media.spanscore import Memo, SpanScorer
from tradescreen.media.words import Word
from tradescreen.normalize.names import ORG_SCHEMAS, NameForm, name_form
from tradescreen.normalize.phonetic import abjad_skeleton, phonetic_key
from tradescreen.screen.party import PartyResult, Screener

ABJAD_MIN_SCORE = 0.8
TRANSLATED_MIN_SCORE = 0.8  # a name translated word by word, read back in English
GERMAN_NOUN_ZIPF = 2.0  # in German text at least once per 10 million words
ENGLISH_NAME_ZIPF = 1.5  # ...and all but unknown in English (McKenzie is a name in both)
EXACT_SCORE = 0.95  # the screening score of a name written as listed
MAX_HAN_NAME = 6  # characters of a foreign name written in Chinese (梅德韦杰夫 is five)
MAX_ABJAD_NAME = 4  # words of a person's name in Arabic script
MAX_RUN = 7  # words either side of a distinctive token that a name can reach
MAX_CACHED_SPANS = 50_000  # screened spans kept across documents
MAX_CACHED_FORMS = 20_000  # span forms whose comparisons with listed names are kept
_JOINER = re.compile(r"^[\s\-–'’\"«»„“”‹›()&/.·・]*$")  # · joins a foreign name in Chinese
_QUOTED = re.compile(r"[\"«„“‹](?P<inner>[^\"«»„“”‹›\n]{2,80})[\"»“”›]")
_ABJAD = frozenset({"Arabic", "Hebrew", "Syriac"})
_SYLLABIC = frozenset({"Cjk", "Hiragana", "Katakana"})
_CASED = frozenset({"Latin", "Cyrillic", "Greek", "Armenian", "Georgian"})
_CONJUNCTIONS = frozenset({"and", "und", "et", "y", "i", "or", "oder", "ou", "ili", "va", "wa"})
_EDGE_WORDS = frozenset({
    "the", "a", "an", "of", "and", "for", "in", "on", "at", "by", "to", "from", "with", "der",
    "die", "das", "des", "dem", "den", "und", "von", "fur", "la", "le", "les", "el", "los", "de",
    "du", "et", "i", "v", "s", "na", "po",
})


@dataclass(frozen=True)
class DocText:
    """A document read for scanning: its words, their token stream and sentence of each."""

    text: str
    words: Sequence[Word]
    sentence_of: Sequence[int]  # word index -> sentence index
    sentences: Sequence[tuple[int, int]]
    stream: str  # " tok tok tok " of every word's tokens
    starts: Sequence[int]  # offset of each token in `stream`
    token_word: Sequence[int]  # token index -> word index

    def joined(self, a: int, b: int) -> bool:
        """Words a and a+1..b are one run: same sentence, only spaces/hyphens/quotes between."""
        if self.sentence_of[a] != self.sentence_of[b]:
            return False
        return all(_JOINER.match(self.text[self.words[i].end:self.words[i + 1].start])
                   for i in range(a, b))

    def sentence_start(self, word: int) -> bool:
        return word == 0 or self.sentence_of[word - 1] != self.sentence_of[word]

    def span(self, first: int, last: int) -> tuple[int, int]:
        return self.words[first].start, self.words[last].end

    def sentence(self, word: int) -> str:
        s, e = self.sentences[self.sentence_of[word]]
        return self.text[s:e].strip()


@dataclass
class Mention:
    kind: str
    text: str
    start: int
    end: int
    sentence: str
    score: float | None = None
    decision: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "text": self.text, "start": self.start,
                               "end": self.end, "sentence": self.sentence}
        if self.score is not None:
            out["score"] = self.score
            out["decision"] = self.decision
        for key, value in self.details.items():
            if key == "result":  # the screening result: its fields, as `screen` gives them
                fields = value.to_dict()
                fields.pop("score", None)
                fields.pop("decision", None)
                out.update(fields)
            else:
                out[key] = value
        return out

    def get(self, key: str) -> Any:
        """A field of the mention as `to_dict` gives it (source, caption, ...)."""
        if key in self.details:
            return self.details[key]
        result = self.details.get("result")
        if result is not None:
            record = result.score.record
            return getattr(record, key, None) if hasattr(record, key) else None
        return None


@lru_cache(maxsize=50_000)
def _legal_form(word: str) -> bool:
    # Beside a placeholder word, since a name made only of legal-form words keeps them as name.
    return bool(name_form(f"zzqx {word}", "Organization").legal_forms)


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
            base = _tokens_of(_PAREN.sub(" ", whole))
            part = _tokens_of(value)
            acronym = "".join(t[0] for t in base if t)
            if not (set(part) <= set(base) or "".join(part) == acronym
                    or "".join(part) in acronym):
                rejected.add(value)
                continue
            strength = "strong"  # the party's own short form
        out.append((value, strength))
    return out, frozenset(rejected)


def _starts_name(word: Word) -> bool:
    """Names are capitalised in cased scripts; scripts without case give no such hint."""
    return word.capitalised or word.script not in _CASED


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
        self._vocab: dict[int, frozenset[str]] = {}
        self.scorer = SpanScorer(screener.index, screener.thresholds)
        # Kept across documents: news repeats its names, and a span's results depend only on
        # its text and the records it may name (the index is immutable), so a name screened in
        # one article is not screened again in the next. Bounded: emptied when full.
        self._results: dict[tuple[str, frozenset[int] | None], list[PartyResult]] = {}
        self._memo: Memo = {}

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

    def _record_vocab(self, records: Sequence[int]) -> set[str]:
        out: set[str] = set()
        for pos in records:
            vocab = self._vocab.get(pos)
            if vocab is None:
                rec = self.screener.index.records[pos]
                # An organisation's index forms are exactly these (same schema class); only a
                # person's names are normalised again, as an organisation's would be.
                forms = (self.screener.index.forms[pos] if rec.schema in ORG_SCHEMAS
                         else (None,) * len(rec.names))
                toks = {t for (value, _k, _s), f in zip(rec.names, forms, strict=True)
                        for t in (f.tokens if f is not None else name_form(value).tokens)}
                vocab = self._vocab[pos] = frozenset(
                    toks | {phonetic_key(t) or t for t in toks}
                    | {"a:" + abjad_skeleton(t) for t in toks})
            out |= vocab
        return out

    def _adds_name(self, doc: DocText, grown: tuple[int, int], strict: tuple[int, int]) -> bool:
        """Whether the words a run adds beyond the listed names' own could be part of a name:
        not everyday words, not legal forms, not articles."""
        extra = [doc.words[i] for i in range(grown[0], grown[1] + 1)
                 if not strict[0] <= i <= strict[1]]
        return any(not self._everyday([w]) and not _legal_form(w.text)
                   and not _german_noun(w) for w in extra)

    @staticmethod
    def _in_vocab(word: Word, vocab: set[str]) -> bool:
        if any(t in vocab or (phonetic_key(t) or t) in vocab for t in word.tokens):
            return not set(word.tokens) <= _EDGE_WORDS | _CONJUNCTIONS
        return word.script in _ABJAD and any(
            "a:" + abjad_skeleton(t) in vocab for t in word.tokens if not t.isdigit())

    def _name_like(self, word: Word, vocab: set[str]) -> bool:
        if set(word.tokens) <= _CONJUNCTIONS:
            return False  # "Qods and Shahed": two names, not one
        if self._in_vocab(word, vocab):
            return True
        if word.script in _CASED and word.capitalised:
            return True
        return _legal_form(word.text)

    @staticmethod
    def _lower_outsider(word: Word, vocab: set[str]) -> bool:
        """A lower-case word the listed names do not have ("the company Albatross"): a name
        does not start with it."""
        return (word.script in _CASED and not word.capitalised
                and not any(t in vocab for t in word.tokens))

    def _grow(self, doc: DocText, wi: int, records: Sequence[int], strict: bool = False
              ) -> tuple[int, int]:
        """The run of name-like words around word `wi`; `strict`: only words of the listed
        names themselves ("President Vladimir Putin" -> "Vladimir Putin")."""
        vocab = self._record_vocab(records)
        like = self._in_vocab if strict else self._name_like
        first = last = wi
        while (first > 0 and wi - first < MAX_RUN and doc.joined(first - 1, first)
               and like(doc.words[first - 1], vocab)):
            first -= 1
        while (last + 1 < len(doc.words) and last - wi < MAX_RUN and doc.joined(last, last + 1)
               and like(doc.words[last + 1], vocab)):
            last += 1
        # Articles and prepositions at the edges belong to the sentence, not the name.
        while first < wi and (set(doc.words[first].tokens) <= _EDGE_WORDS
                               or self._lower_outsider(doc.words[first], vocab)):
            first += 1
        while last > wi and set(doc.words[last].tokens) <= _EDGE_WORDS:
            last -= 1
        return first, last

    def spans(self, doc: DocText
              ) -> tuple[dict[tuple[int, int], set[int] | None], set[tuple[int, int]]]:
        """Word ranges to screen, each with the records it may name (None: any), and the
        one-word ranges that can only be a listed person's family name."""
        out: dict[tuple[int, int], set[int] | None] = {}
        family: set[tuple[int, int]] = set()

        def add(first: int, last: int, records: Sequence[int] | None) -> None:
            if (first, last) in out and out[(first, last)] is None:
                return
            if records is None:
                out[(first, last)] = None
            else:
                out.setdefault((first, last), set()).update(records)  # type: ignore[union-attr]

        stream_text, starts = self._read_stream(doc)
        for hit in self.gazetteer.whole_names(stream_text, starts):
            first, last = doc.token_word[hit.first], doc.token_word[hit.last]
            if not _starts_name(doc.words[first]):
                continue
            if first == last or doc.joined(first, last):
                add(first, last, hit.records)
        seen: set[int] = set()
        stream = doc.stream.split()
        for ti, tok in enumerate(stream):
            wi = doc.token_word[ti]
            word = doc.words[wi]
            if wi in seen or not _starts_name(word):
                continue
            if word.script in _ABJAD:
                nxt = None
                if (wi + 1 < len(doc.words) and doc.words[wi + 1].script in _ABJAD
                        and doc.joined(wi, wi + 1) and doc.words[wi + 1].tokens):
                    nxt = doc.words[wi + 1].tokens[0]
                records = self.gazetteer.abjad_trigger(tok, nxt)
            else:
                records = self.gazetteer.trigger(tok, word.script, word.text)
            if not records:
                continue
            seen.add(wi)
            strict = self._grow(doc, wi, records, strict=True)
            grown = self._grow(doc, wi, records)
            if grown != strict and self._adds_name(doc, grown, strict):
                add(grown[0], grown[1], records)  # "Kalikonzern Belaruskali": maybe one name
            if strict[0] != strict[1]:
                add(strict[0], strict[1], records)
            elif grown[1] > strict[1] and self._adds_name(doc, (strict[1] + 1, grown[1]), strict):
                continue  # "Baker McKenzie": the word begins another name
            elif len(word.tokens) == 1:
                # One word names a party only as a one-word listed name or a family name.
                if _place(tok):
                    continue  # "Moscow", "Iranian": a place or its people, not a party
                one, how = self.gazetteer.one_word(tok, word.script, word.text)
                if not one:
                    continue
                if how != "name" and doc.sentence_start(wi) and known_word(tok):
                    continue  # "Maritime analysts said": a capital letter that says nothing
                if how == "family":
                    family.add(strict)
                add(strict[0], strict[1], one)
        for m in _QUOTED.finditer(doc.text):
            inside = [i for i, w in enumerate(doc.words)
                      if w.start >= m.start("inner") and w.end <= m.end("inner")]
            if inside and len(inside) <= MAX_RUN and doc.joined(inside[0], inside[-1]):
                add(inside[0], inside[-1], None)
        return out, family

    def find(self, doc: DocText) -> list[Mention]:
        found: list[Mention] = []
        cache, memo = self._caches()
        spans, family = self.spans(doc)
        named = self._named_runs(doc)
        for span in named:
            spans.setdefault(span, None)
        for (first, last), allowed in spans.items():
            words = doc.words[first:last + 1]
            span_tokens = [t for w in words for t in w.tokens]
            if len(span_tokens) == 1 and span_tokens[0] in self.places:
                continue  # a port or a country named alone is a place mention, not a party
            if len(words) == 1 and words[0].script in _SYLLABIC and (first, last) not in named:
                continue  # one Chinese character is a syllable, not a name
            if len(words) == 1 and words[0].script in _ABJAD and not self._abjad_name(words):
                continue  # "هم" ("also"): an everyday Arabic or Persian word, not a name
            if len(words) == 1 and _foreign_acronym(words[0]):
                allowed = self._cyrillic_records(allowed)
                if not allowed:
                    continue  # СМИ ("mass media") is not SMI, a listed English acronym
            if (self._everyday(words) or _russian_phrase(words)) and not (
                    _has_country(span_tokens) and len(span_tokens) > 1
                    or self._proper_name(words, allowed)):
                continue
            if allowed is not None and self._everyday(words):
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
            read_as, read_allowed, by_symbol = self._reading(words), key[1], False
            if read_as is not None and _best(results) >= EXACT_SCORE:
                read_as = None  # read as listed already: no reading can be closer
            if read_as is None:
                # A person's name in Chinese, Arabic or Persian script, read through rigour's
                # name symbols as the lists spell it (普京 = Putin, ابراهیم رئیسی = Ebrahim
                # Raisi); the records its transliteration reached are not the ones it names.
                read_as, read_allowed = named.get((first, last)), None
                if read_as is None and all(w.script in _ABJAD for w in words):
                    read_as = _symbol_reading(text)
                by_symbol = read_as is not None
            if read_as is not None:
                # Russian declines names (Путиным) and romanises them its own way (Шойгу):
                # the words as the lists spell them are scored too, and the closer reading kept.
                alt_key = (read_as, read_allowed)
                alt = cache.get(alt_key)
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
            found.extend(self._translated(doc, cache, memo))
        return _no_overlaps(found)

    def _translated(self, doc: DocText, cache: dict[tuple[str, frozenset[int] | None],
                                                      list[PartyResult]], memo: Memo
                    ) -> list[Mention]:
        """Names of bodies the press translates word by word (`media.glossary`), read in
        English and screened: only a close reading of a listed body counts, at most `review`,
        and never a government body (a ministry, a department)."""
        from tradescreen.media.glossary import glossary

        out: list[Mention] = []
        for reading in glossary().readings(doc.text):
            words = reading.english.split()
            everyday = all(common_word(w) for w in words)
            if reading.body or everyday and (
                    reading.words == 1 or len(words) < 3 and not _has_country(words)):
                continue  # "company", "defence industry": no name without a proper noun
            # Everyday words ("United Aircraft Corporation") only as a listed name exactly.
            least = EXACT_SCORE if everyday and not _has_country(words) else (
                TRANSLATED_MIN_SCORE)
            keep: list[PartyResult] = []
            for english in _translated_variants(words):
                key = (english, None)
                results = cache.get(key)
                if results is None:
                    results = cache[key] = self.scorer.score(english, None, memo)
                found_here = [r for r in results if r.score.record.schema != "Person"
                              and r.score.score >= least
                              and r.score.matched_name not in self._rejected_names(r)]
                if found_here and (not keep or found_here[0].score.score
                                   > keep[0].score.score):
                    keep = found_here
            if not keep:
                continue
            first = bisect.bisect_right([w.start for w in doc.words], reading.start) - 1
            best = keep[0]
            details: dict[str, Any] = {"result": best, "read_as": reading.english,
                                       "translated": True, "also": [
                {"source": r.score.record.source, "source_id": r.score.record.source_id,
                 "caption": r.score.record.caption, "score": round(r.score.score, 4),
                 "decision": "review"} for r in keep[1:]]}
            out.append(Mention(self.kind, doc.text[reading.start:reading.end], reading.start,
                               reading.end, doc.sentence(max(first, 0)),
                               round(best.score.score, 4), "review", details))
        return out

    def _exact_records(self, span_tokens: Sequence[str], allowed: set[int]) -> set[int]:
        """The records with a name whose tokens are exactly the span's, as `_mention` reads
        a matched name for words that are everyday."""
        want = tuple(span_tokens)
        records = self.screener.index.records
        return {pos for pos in allowed
                if any(_tokens_of(value) == want
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

    @staticmethod
    def _named_runs(doc: DocText) -> dict[tuple[int, int], str]:
        """Runs of Chinese characters, or of two or more Arabic-script words, that rigour
        knows as a person's name in every part, each with its Latin spelling on the lists
        (普京 -> "putin", ابراهیم رئیسی -> "ibrahim raisi"): Chinese writes foreign names by
        sound in characters whose pinyin is nothing like the name, and Arabic script leaves
        out the vowels that tell one name from another."""
        out: dict[tuple[int, int], str] = {}
        words = doc.words
        i = 0
        while i < len(words):
            script = words[i].script
            longest = MAX_HAN_NAME if script in _SYLLABIC else MAX_ABJAD_NAME
            if script not in _SYLLABIC and script not in _ABJAD:
                i += 1
                continue
            end = i
            while (end + 1 < len(words) and end + 1 - i < longest
                   and words[end + 1].script == script and doc.joined(end, end + 1)):
                end += 1
            for j in range(end, i, -1):  # the longest name first; at least two parts
                text = doc.text[words[i].start:words[j].end]
                reading = _symbol_reading(text)
                if reading is None and script in _ABJAD and text[:1] in _ARABIC_CLITICS:
                    # "وإسماعيل هنية": "and" is written onto the name that follows it.
                    reading = _symbol_reading(text[1:])
                if reading is not None and script in _SYLLABIC and doc.text.startswith(
                        _HAN_ORG_ENDINGS, words[j].end):
                    reading = None  # 阿里巴巴集团: "巴巴" begins a company's name, not a person's
                if reading is not None:
                    out[(i, j)] = reading
                    i = j
                    break
            i += 1
        return out

    def _read_stream(self, doc: DocText) -> tuple[str, list[int]]:
        """The document's token stream with declined Cyrillic words as the lists spell them
        ("акции Газпрома" -> "akcii gazprom"), so whole listed names are found in any case."""
        if not any(w.script == "Cyrillic" for w in doc.words):
            return doc.stream, list(doc.starts)
        parts: list[str] = []
        starts: list[int] = []
        at = 1
        for w in doc.words:
            read = (self.gazetteer.reading(w.tokens[0], w.script, w.text)
                    if w.script == "Cyrillic" and len(w.tokens) == 1 else None)
            for tok in ((read,) if read else w.tokens):
                parts.append(tok)
                starts.append(at)
                at += len(tok) + 1
        return " " + " ".join(parts) + " ", starts

    def _reading(self, words: Sequence[Word]) -> str | None:
        """The span with each Cyrillic word as the lists spell it, when one needs a reading."""
        parts, changed = [], False
        for w in words:
            form = (self.gazetteer.reading(w.tokens[0], w.script, w.text)
                    if len(w.tokens) == 1 else None)
            changed |= form is not None
            parts.append(form if form is not None else w.text)
        return " ".join(parts) if changed else None

    def _reach(self, form: NameForm, allowed: set[int]) -> list[tuple[int, tuple[int, ...] | None]]:
        """A few records, no retrieval: their names that share a key with the span; across
        scripts keys differ more than the scorer does, so every name."""
        keys = _form_keys(form)
        forms = self.screener.index.forms
        reached = []
        for pos in sorted(allowed):
            slots = tuple(i for i, f in enumerate(forms[pos])
                          if f is not None and not keys.isdisjoint(_form_keys(f)))
            if slots or form.script != "Latin":
                reached.append((pos, slots or None))
        return reached

    def _rejected_names(self, result: PartyResult) -> frozenset[str]:
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

    @staticmethod
    def _proper_name(words: Sequence[Word], allowed: set[int] | None) -> bool:
        """Everyday words written as a proper name: three or more, each capitalised, as a
        listed name spells them ("Success Aviation Services", "Sea River Service")."""
        content = [w for w in words if not set(w.tokens) <= _EDGE_WORDS]
        return (allowed is not None and len(content) >= 3
                and all(w.capitalised for w in content))


    @staticmethod
    def _everyday(words: Sequence[Word]) -> bool:
        # English frequencies of the folded tokens: a Russian or Persian news corpus counts
        # "Путин" among its most frequent words, which says nothing about it being a name.
        return all(t in _EDGE_WORDS or common_word(t) for w in words for t in w.tokens)

    def _mention(self, doc: DocText, first: int, last: int, text: str,
                 results: list[PartyResult], family_only: bool, by_symbol: bool = False
                 ) -> Mention | None:
        words = doc.words[first:last + 1]
        span_tokens = [t for w in words for t in w.tokens]
        everyday = self._everyday(words)
        proper = self._proper_name(words, set())
        # "the Qods aviation company": a name described in ordinary words, not written out.
        descriptive = any(w.script in _CASED and not w.capitalised and not _legal_form(w.text)
                          and not set(w.tokens) <= _EDGE_WORDS for w in words)
        keep: list[tuple[PartyResult, str]] = []
        for result in results:
            if result.decision == "no_match":
                continue
            if result.score.matched_name in self._rejected_names(result):
                continue
            decision = result.decision
            matched = name_form(result.score.matched_name or "").tokens
            if everyday:
                # Ordinary words name a party only where a list writes them exactly, with a
                # country in them ("Iran Air") or as a proper name ("Sea River Service"), and
                # even then an analyst must look.
                exact = " ".join(span_tokens) == " ".join(name_form(
                    result.score.matched_name or "", "Organization").tokens) or " ".join(
                    span_tokens) == " ".join(_tokens_of(result.score.matched_name))
                if not (exact and (_has_country(span_tokens) or proper)):
                    continue
                decision = "review"
            if decision == "match" and (
                (len(span_tokens) == 1 and len(matched) > 1) or descriptive
                or family_only):
                decision = "review"
            if (all(w.script in _SYLLABIC for w in words) and len(words) < 3
                    and result.score.score < 0.9 and not by_symbol):
                continue  # two characters are two syllables: only an exact name counts
            if (all(w.script in _SYLLABIC for w in words) and not by_symbol
                    and result.score.record.schema == "Person"
                    and not set(result.score.record.countries) & _HAN_COUNTRIES):
                # Chinese writes a foreign person's name by sound in characters whose pinyin
                # is nothing like the Latin spelling: pinyin that spells one ("巴巴集", ba ba ji
                # = Babaji) is chance; only rigour's reading of the name counts.
                continue
            if all(w.script in _ABJAD or w.text.isdigit() for w in words) and (
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


@lru_cache(maxsize=50_000)
def _tokens_of(value: str) -> tuple[str, ...]:
    from tradescreen.normalize.text import tokens

    return tokens(value)


@lru_cache(maxsize=10_000)
def _country_token(token: str) -> bool:
    import countrynames

    return len(token) > 3 and countrynames.to_code(token) is not None


@lru_cache(maxsize=50_000)
def _place(token: str) -> bool:
    import countrynames

    return countrynames.to_code(token) is not None


@lru_cache(maxsize=300_000)
def _form_keys(form: NameForm) -> frozenset[str]:
    """Tokens, transliteration keys and consonant skeletons: what two spellings of one name
    share."""
    keys = set(form.tokens)
    keys.update(k for t in form.tokens if (k := phonetic_key(t)))
    keys.update("a:" + abjad_skeleton(t) for t in form.tokens if len(t) >= 2)
    return frozenset(keys)


_ARABIC_CLITICS = frozenset("وف")
# What follows the name of a body in Chinese (group, company, bank, university, institute).
_HAN_ORG_ENDINGS = ("集团", "公司", "银行", "大学", "研究院", "研究所", "工业", "科技", "技术",
                    "电子", "航空", "组织", "控股", "有限")
_HAN_COUNTRIES = frozenset({"cn", "tw", "hk", "mo", "sg"})  # where names are written in Han
# Countries that write Cyrillic: an acronym written in it abbreviates their words.
_CYRILLIC_COUNTRIES = frozenset({"ru", "by", "ua", "kz", "kg", "tj", "bg", "rs", "mk", "mn",
                                 "me", "ba", "md", "ge", "am", "az", "uz", "tm"})


def _german_noun(word: Word) -> bool:
    """A German common noun ("Rüstungskonzern Almaz-Antey", "Machthaber Lukaschenko"): German
    capitalises every noun, so a title or a kind of firm before a name looks like a name."""
    return word.script == "Latin" and word.capitalised and not word.text.isupper() and (
        _zipf(word.text, "de") >= GERMAN_NOUN_ZIPF and _zipf(word.text, "en") < ENGLISH_NAME_ZIPF)


def _translated_variants(words: list[str]) -> list[str]:
    """A translated name as read, then without the place it is of and the kind of body it is
    ("movement hamas" -> "hamas", "russian federation sberbank" -> "sberbank"), which a list
    may not write with it."""
    out = [" ".join(words)]
    core = list(words)
    while len(core) > 1 and (_place(core[0]) or core[0] in _DESCRIPTORS):
        core.pop(0)
    while len(core) > 1 and core[-1] in _DESCRIPTORS:
        core.pop()
    if core != words and not all(common_word(w) for w in core):
        out.append(" ".join(core))
    return out


_DESCRIPTORS = frozenset({"movement", "organization", "company", "group", "russian", "iran",
                          "china", "korea", "federation", "state"})


def _foreign_acronym(word: Word) -> bool:
    return (word.script == "Cyrillic" and 2 <= len(word.text) <= 5 and word.text.isupper()
            and word.text.isalpha())


def _russian_phrase(words: Sequence[Word]) -> bool:
    """"Министерство финансов": Russian capitalises only the first word of an institution's
    name, and writes it in everyday words (Russian word frequencies); a person's name is
    capitalised throughout (an acronym after it is a place: Министерство финансов США)."""
    return (len(words) > 1 and all(w.script == "Cyrillic" for w in words)
            and not any(w.capitalised and not _foreign_acronym(w) for w in words[1:])
            and all(common_word("", "Cyrillic", w.text, OTHER_SCRIPT_EVERYDAY - 0.5)
                    for w in words))


@lru_cache(maxsize=50_000)
def _symbol_reading(text: str) -> str | None:
    """The Latin spelling of a person's name in another script when rigour's name symbols
    know every part of it and the lists spell those symbols (`normalize.phonetic_scripts`);
    rigour's person tagger loads on the first such document."""
    from tradescreen.normalize.phonetic_scripts import latin_reading

    parts = latin_reading(text.strip())
    return " ".join(parts) if parts else None


def _best(results: list[PartyResult]) -> float:
    return results[0].score.score if results else 0.0


def _has_country(tokens: Sequence[str]) -> bool:
    return any(_country_token(t) for t in tokens)


def _no_overlaps(mentions: list[Mention]) -> list[Mention]:
    """The strongest mention of each stretch of text: higher score, then the longer span."""
    order = sorted(mentions, key=lambda m: (-(m.score or 0), -(m.end - m.start), m.start))
    taken: list[Mention] = []
    for m in order:
        if all(m.end <= t.start or m.start >= t.end for t in taken):
            taken.append(m)
    return sorted(taken, key=lambda m: m.start)
