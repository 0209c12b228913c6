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
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from tradescreen.index.lookup import candidates
from tradescreen.match.entity import Query, score_record
from tradescreen.media.gazetteer import Gazetteer, common_word
from tradescreen.media.words import Word
from tradescreen.normalize.names import name_form
from tradescreen.normalize.phonetic import phonetic_key
from tradescreen.screen.party import PartyResult, Screener

MAX_RUN = 7  # words either side of a distinctive token that a name can reach
_JOINER = re.compile(r"^[\s\-–'’\"«»„“”‹›()&/.]*$")
_QUOTED = re.compile(r"[\"«„“‹](?P<inner>[^\"«»„“”‹›\n]{2,80})[\"»“”›]")
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
        out.update(self.details)
        return out


@lru_cache(maxsize=50_000)
def _legal_form(word: str) -> bool:
    # Beside a placeholder word, since a name made only of legal-form words keeps them as name.
    return bool(name_form(f"zzqx {word}", "Organization").legal_forms)


def _starts_name(word: Word) -> bool:
    """Names are capitalised in cased scripts; scripts without case give no such hint."""
    return word.capitalised or word.script not in _CASED


class PartyFinder:
    """Mentions of the records of one screener's index: `kind` listed_party or customer."""

    def __init__(self, screener: Screener, kind: str = "listed_party",
                 places: frozenset[str] = frozenset()) -> None:
        self.screener = screener
        self.kind = kind
        self.places = places  # tokens of known place names: a one-word place is not a party
        records = screener.index.records
        self.gazetteer = Gazetteer(
            (pos, value) for pos, rec in enumerate(records) for value, _k, _s in rec.names
        )
        self._vocab: dict[int, frozenset[str]] = {}

    def _record_vocab(self, records: Sequence[int]) -> set[str]:
        out: set[str] = set()
        for pos in records:
            vocab = self._vocab.get(pos)
            if vocab is None:
                rec = self.screener.index.records[pos]
                toks = {t for value, _k, _s in rec.names for t in name_form(value).tokens}
                vocab = self._vocab[pos] = frozenset(toks | {phonetic_key(t) or t for t in toks})
            out |= vocab
        return out

    def _name_like(self, word: Word, vocab: set[str]) -> bool:
        if set(word.tokens) <= _CONJUNCTIONS:
            return False  # "Qods and Shahed": two names, not one
        if any(t in vocab or (phonetic_key(t) or t) in vocab for t in word.tokens):
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

    def _grow(self, doc: DocText, wi: int, records: Sequence[int]) -> tuple[int, int]:
        vocab = self._record_vocab(records)
        first = last = wi
        while (first > 0 and wi - first < MAX_RUN and doc.joined(first - 1, first)
               and self._name_like(doc.words[first - 1], vocab)):
            first -= 1
        while (last + 1 < len(doc.words) and last - wi < MAX_RUN and doc.joined(last, last + 1)
               and self._name_like(doc.words[last + 1], vocab)):
            last += 1
        # Articles and prepositions at the edges belong to the sentence, not the name.
        while first < wi and (set(doc.words[first].tokens) <= _EDGE_WORDS
                               or self._lower_outsider(doc.words[first], vocab)):
            first += 1
        while last > wi and set(doc.words[last].tokens) <= _EDGE_WORDS:
            last -= 1
        return first, last

    def spans(self, doc: DocText) -> dict[tuple[int, int], set[int] | None]:
        """Word ranges to screen, each with the records it may name (None: any)."""
        out: dict[tuple[int, int], set[int] | None] = {}

        def add(first: int, last: int, records: Sequence[int] | None) -> None:
            if (first, last) in out and out[(first, last)] is None:
                return
            if records is None:
                out[(first, last)] = None
            else:
                out.setdefault((first, last), set()).update(records)  # type: ignore[union-attr]

        for hit in self.gazetteer.whole_names(doc.stream, list(doc.starts)):
            first, last = doc.token_word[hit.first], doc.token_word[hit.last]
            if not _starts_name(doc.words[first]):
                continue
            if first == last or doc.joined(first, last):
                add(first, last, hit.records)
        seen: set[int] = set()
        for ti, tok in enumerate(doc.stream.split()):
            wi = doc.token_word[ti]
            if wi in seen or not _starts_name(doc.words[wi]):
                continue
            records = self.gazetteer.trigger(tok)
            if records:
                seen.add(wi)
                first, last = self._grow(doc, wi, records)
                add(first, last, records)
        for m in _QUOTED.finditer(doc.text):
            inside = [i for i, w in enumerate(doc.words)
                      if w.start >= m.start("inner") and w.end <= m.end("inner")]
            if inside and len(inside) <= MAX_RUN and doc.joined(inside[0], inside[-1]):
                add(inside[0], inside[-1], None)
        return out

    def find(self, doc: DocText) -> list[Mention]:
        found: list[Mention] = []
        cache: dict[tuple[str, frozenset[int] | None], list[PartyResult]] = {}
        for (first, last), allowed in self.spans(doc).items():
            words = doc.words[first:last + 1]
            span_tokens = [t for w in words for t in w.tokens]
            if len(span_tokens) == 1 and span_tokens[0] in self.places:
                continue  # a port or a country named alone is a place mention, not a party
            if self._everyday(words) and not _has_country(span_tokens):
                continue
            start, end = doc.span(first, last)
            text = doc.text[start:end]
            key = (text, None if allowed is None else frozenset(allowed))
            results = cache.get(key)
            if results is None:
                results = cache[key] = self._screen(text, allowed)
            mention = self._mention(doc, first, last, text, results, allowed)
            if mention is not None:
                found.append(mention)
        return _no_overlaps(found)

    def _screen(self, text: str, allowed: set[int] | None) -> list[PartyResult]:
        """`Screener.screen` restricted to the records the span may name: the same candidates,
        scores and explanations, without scoring the rest of the list."""
        if allowed is None:
            return self.screener.screen(Query(name=text), limit=10)
        index = self.screener.index
        query = Query(name=text)
        found = candidates(index, name_form(text, query.schema))
        scored = []
        for cand in found:
            if cand.record not in allowed:
                continue
            result = score_record(query, index.records[cand.record], cand.name_slots or None,
                                  index.forms[cand.record])
            if result.score >= 0.2:
                scored.append(result)
        scored.sort(key=lambda s: (-s.score, s.record.source, s.record.source_id))
        decide = self.screener.thresholds.decide
        return [PartyResult(s, decide(s.score)) for s in scored[:10]]

    @staticmethod
    def _everyday(words: Sequence[Word]) -> bool:
        return all(t in _EDGE_WORDS or common_word(t, w.script, w.text)
                   for w in words for t in w.tokens)

    def _mention(self, doc: DocText, first: int, last: int, text: str,
                 results: list[PartyResult], allowed: set[int] | None) -> Mention | None:
        words = doc.words[first:last + 1]
        span_tokens = [t for w in words for t in w.tokens]
        everyday = self._everyday(words)
        # "the Qods aviation company": a name described in ordinary words, not written out.
        descriptive = any(w.script in _CASED and not w.capitalised and not _legal_form(w.text)
                          and not set(w.tokens) <= _EDGE_WORDS for w in words)
        keep: list[tuple[PartyResult, str]] = []
        for result in results:
            if result.decision == "no_match":
                continue
            decision = result.decision
            matched = name_form(result.score.matched_name or "").tokens
            if everyday:
                # Ordinary words name a party only where a list writes them exactly and with a
                # country in them ("Iran Air"), and even then an analyst must look.
                exact = " ".join(span_tokens) == " ".join(_tokens_of(result.score.matched_name))
                if not (exact and _has_country(span_tokens)):
                    continue
                decision = "review"
            if decision == "match" and (
                (len(span_tokens) == 1 and len(matched) > 1) or descriptive):
                decision = "review"
            keep.append((result, decision))
        if not keep:
            return None
        best, decision = keep[0]
        start, end = doc.span(first, last)
        details = best.to_dict()
        details.pop("decision", None)
        score = details.pop("score")
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
