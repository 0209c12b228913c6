"""A document read for scanning (its words, their token stream, the sentence of each) and the
mentions found in it, each with its offsets in the extracted text and its sentence."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tradescreen.media.words import Word

_JOINER = re.compile(r"^[\s\-–'’\"«»„“”‹›()&/.·・]*$")  # · joins a foreign name in Chinese


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


def no_overlaps(mentions: list[Mention]) -> list[Mention]:
    """The strongest mention of each stretch of text: higher score, then the longer span."""
    order = sorted(mentions, key=lambda m: (-(m.score or 0), -(m.end - m.start), m.start))
    taken: list[Mention] = []
    for m in order:
        if all(m.end <= t.start or m.start >= t.end for t in taken):
            taken.append(m)
    return sorted(taken, key=lambda m: m.start)
