"""Candidate spans of a document: word ranges that may name a listed party, each with the
records it may name.

Spans come from the gazetteer (a whole listed name written out, or a distinctive token grown to
the run of name-like words around it: capitalised words, words of the listed names it may be,
legal forms) and from quoted names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from tradescreen.media.gazetteer import Gazetteer, known_word
from tradescreen.media.mentions import DocText
from tradescreen.media.namewords import (
    ABJAD,
    CASED,
    CONJUNCTIONS,
    EDGE_WORDS,
    everyday,
    german_noun,
    legal_form,
    place,
    starts_name,
)
from tradescreen.media.readings import read_stream
from tradescreen.media.words import Word
from tradescreen.normalize.names import ORG_SCHEMAS, name_form
from tradescreen.normalize.phonetic import abjad_skeleton, phonetic_key

MAX_RECORD_SETS = 5_000  # record sets whose words are kept (index data)
MAX_RUN = 7  # words either side of a distinctive token that a name can reach
_QUOTED = re.compile(r"[\"«„“‹](?P<inner>[^\"«»„“”‹›\n]{2,80})[\"»“”›]")


class SpanFinder:
    """Spans of documents for the records of one index and its gazetteer."""

    def __init__(self, index: Any, gazetteer: Gazetteer) -> None:
        self.index = index
        self.gazetteer = gazetteer
        self._vocab: dict[int, frozenset[str]] = {}
        self._vocab_of: dict[tuple[int, ...], frozenset[str]] = {}
    def _record_vocab(self, records: Sequence[int]) -> AbstractSet[str]:
        # The gazetteer hands out the same tuples of records again and again: their words are
        # index data, read once.
        if isinstance(records, tuple):
            found = self._vocab_of.get(records)
            if found is None:
                if len(self._vocab_of) >= MAX_RECORD_SETS:
                    self._vocab_of.clear()
                found = self._vocab_of[records] = frozenset(self._union_vocab(records))
            return found
        return self._union_vocab(records)

    def _union_vocab(self, records: Sequence[int]) -> set[str]:
        out: set[str] = set()
        for pos in records:
            vocab = self._vocab.get(pos)
            if vocab is None:
                rec = self.index.records[pos]
                # An organisation's index forms are exactly these (same schema class); only a
                # person's names are normalised again, as an organisation's would be.
                forms = (self.index.forms[pos] if rec.schema in ORG_SCHEMAS
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
        return any(not everyday([w]) and not legal_form(w.text)
                   and not german_noun(w) for w in extra)

    @staticmethod
    def _in_vocab(word: Word, vocab: AbstractSet[str]) -> bool:
        if any(t in vocab or (phonetic_key(t) or t) in vocab for t in word.tokens):
            return not set(word.tokens) <= EDGE_WORDS | CONJUNCTIONS
        return word.script in ABJAD and any(
            "a:" + abjad_skeleton(t) in vocab for t in word.tokens if not t.isdigit())

    def _name_like(self, word: Word, vocab: AbstractSet[str]) -> bool:
        if set(word.tokens) <= CONJUNCTIONS:
            return False  # "Qods and Shahed": two names, not one
        if self._in_vocab(word, vocab):
            return True
        if word.script in CASED and word.capitalised:
            return True
        return legal_form(word.text)

    @staticmethod
    def _lower_outsider(word: Word, vocab: AbstractSet[str]) -> bool:
        """A lower-case word the listed names do not have ("the company Albatross"): a name
        does not start with it."""
        return (word.script in CASED and not word.capitalised
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
        while first < wi and (set(doc.words[first].tokens) <= EDGE_WORDS
                               or self._lower_outsider(doc.words[first], vocab)):
            first += 1
        while last > wi and set(doc.words[last].tokens) <= EDGE_WORDS:
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

        stream_text, starts = read_stream(self.gazetteer, doc)
        for hit in self.gazetteer.whole_names(stream_text, starts):
            first, last = doc.token_word[hit.first], doc.token_word[hit.last]
            if not starts_name(doc.words[first]):
                continue
            if first == last or doc.joined(first, last):
                add(first, last, hit.records)
        seen: set[int] = set()
        stream = doc.stream.split()
        for ti, tok in enumerate(stream):
            wi = doc.token_word[ti]
            word = doc.words[wi]
            if wi in seen or not starts_name(word):
                continue
            if word.script in ABJAD:
                nxt = None
                if (wi + 1 < len(doc.words) and doc.words[wi + 1].script in ABJAD
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
                if place(tok):
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

