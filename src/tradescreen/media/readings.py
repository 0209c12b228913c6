"""Other spellings of a document's words, as the lists spell them: declined Russian words read
as listed ("акции Газпрома" -> "akcii gazprom"), and persons' names in Chinese or Arabic script
read through rigour's name symbols (普京 -> "putin")."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from tradescreen.media.gazetteer import Gazetteer
from tradescreen.media.mentions import DocText
from tradescreen.media.namewords import ABJAD, SYLLABIC
from tradescreen.media.words import Word

MAX_HAN_NAME = 6  # characters of a foreign name written in Chinese (梅德韦杰夫 is five)
MAX_ABJAD_NAME = 4  # words of a person's name in Arabic script
_ARABIC_CLITICS = frozenset("وف")
# What follows the name of a body in Chinese (group, company, bank, university, institute).
_HAN_ORG_ENDINGS = ("集团", "公司", "银行", "大学", "研究院", "研究所", "工业", "科技", "技术",
                    "电子", "航空", "组织", "控股", "有限")


@lru_cache(maxsize=50_000)
def symbol_reading(text: str) -> str | None:
    """The Latin spelling of a person's name in another script when rigour's name symbols
    know every part of it and the lists spell those symbols (`normalize.phonetic_scripts`);
    rigour's person tagger loads on the first such document."""
    from tradescreen.normalize.phonetic_scripts import latin_reading

    parts = latin_reading(text.strip())
    return " ".join(parts) if parts else None


def named_runs(doc: DocText) -> dict[tuple[int, int], str]:
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
        longest = MAX_HAN_NAME if script in SYLLABIC else MAX_ABJAD_NAME
        if script not in SYLLABIC and script not in ABJAD:
            i += 1
            continue
        end = i
        while (end + 1 < len(words) and end + 1 - i < longest
               and words[end + 1].script == script and doc.joined(end, end + 1)):
            end += 1
        for j in range(end, i, -1):  # the longest name first; at least two parts
            text = doc.text[words[i].start:words[j].end]
            reading = symbol_reading(text)
            if reading is None and script in ABJAD and text[:1] in _ARABIC_CLITICS:
                # "وإسماعيل هنية": "and" is written onto the name that follows it.
                reading = symbol_reading(text[1:])
            if reading is not None and script in SYLLABIC and doc.text.startswith(
                    _HAN_ORG_ENDINGS, words[j].end):
                reading = None  # 阿里巴巴集团: "巴巴" begins a company's name, not a person's
            if reading is not None:
                out[(i, j)] = reading
                i = j
                break
        i += 1
    return out


def read_stream(gazetteer: Gazetteer, doc: DocText) -> tuple[str, list[int]]:
    """The document's token stream with declined Cyrillic words as the lists spell them
    ("акции Газпрома" -> "akcii gazprom"), so whole listed names are found in any case."""
    if not any(w.script == "Cyrillic" for w in doc.words):
        return doc.stream, list(doc.starts)
    parts: list[str] = []
    starts: list[int] = []
    at = 1
    for w in doc.words:
        read = (gazetteer.reading(w.tokens[0], w.script, w.text)
                if w.script == "Cyrillic" and len(w.tokens) == 1 else None)
        for tok in ((read,) if read else w.tokens):
            parts.append(tok)
            starts.append(at)
            at += len(tok) + 1
    return " " + " ".join(parts) + " ", starts


def listed_spelling(gazetteer: Gazetteer, words: Sequence[Word]) -> str | None:
    """The span with each Cyrillic word as the lists spell it, when one needs a reading."""
    parts, changed = [], False
    for w in words:
        form = (gazetteer.reading(w.tokens[0], w.script, w.text)
                if len(w.tokens) == 1 else None)
        changed |= form is not None
        parts.append(form if form is not None else w.text)
    return " ".join(parts) if changed else None
