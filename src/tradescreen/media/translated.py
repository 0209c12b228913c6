"""Names of bodies the press translates word by word (`media.glossary`), read back in English
and screened."""

from __future__ import annotations

import bisect
from typing import Any

from tradescreen.media.gazetteer import common_word
from tradescreen.media.mentions import DocText, Mention
from tradescreen.media.namewords import has_country, place
from tradescreen.media.spanscore import EXACT_SCORE, Memo
from tradescreen.screen.party import PartyResult

TRANSLATED_MIN_SCORE = 0.8  # a name translated word by word, read back in English


def translated_mentions(finder: Any, doc: DocText, cache: dict[tuple[str, frozenset[int] | None],
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
                reading.words == 1 or len(words) < 3 and not has_country(words)):
            continue  # "company", "defence industry": no name without a proper noun
        # Everyday words ("United Aircraft Corporation") only as a listed name exactly.
        least = EXACT_SCORE if everyday and not has_country(words) else (
            TRANSLATED_MIN_SCORE)
        keep: list[PartyResult] = []
        for english in translated_variants(words):
            results = cache.get((english, None))
            if results is None:
                # Only what scores `least` is read: nothing below it is ever kept.
                key = (english, None, least)
                results = cache.get(key)  # type: ignore[call-overload]
                if results is None:
                    results = cache[key] = finder.scorer.score(  # type: ignore[index]
                        english, None, memo, least=least)
            found_here = [r for r in results if r.score.record.schema != "Person"
                          and r.score.score >= least
                          and r.score.matched_name not in finder.rejected_names(r)]
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
        out.append(Mention(finder.kind, doc.text[reading.start:reading.end], reading.start,
                           reading.end, doc.sentence(max(first, 0)),
                           round(best.score.score, 4), "review", details))
    return out


def translated_variants(words: list[str]) -> list[str]:
    """A translated name as read, then without the place it is of and the kind of body it is
    ("movement hamas" -> "hamas", "russian federation sberbank" -> "sberbank"), which a list
    may not write with it."""
    out = [" ".join(words)]
    core = list(words)
    while len(core) > 1 and (place(core[0]) or core[0] in _DESCRIPTORS):
        core.pop(0)
    while len(core) > 1 and core[-1] in _DESCRIPTORS:
        core.pop()
    if core != words and not all(common_word(w) for w in core):
        out.append(" ".join(core))
    return out


_DESCRIPTORS = frozenset({"movement", "organization", "company", "group", "russian", "iran",
                          "china", "korea", "federation", "state"})
