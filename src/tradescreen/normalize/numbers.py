"""Numbers in names: digits, number words and ordinals are one token ("7" = "seven" = "7th" =
"seventh" = "VII"), so that a numbered series compares by its number (Fund III vs Fund IV).

The words come from rigour's ordinals table (many languages). Kept out: words shorter than four
letters and Mandarin syllables (yi, san, liu, qi, wu are surnames before they are numbers), and
Roman numerals other than runs of i, v and x (li, di, mi, xi are names). rigour's table holds
only a few Roman numerals (ii-ix, xxxvi-xl): the rest of i-xxxix are read here, strictly (a run
that is not how the number is written, "iiv", stays a word).
"""

from __future__ import annotations

import re
from functools import cache

from rigour._core import ordinals_dict

from tradescreen.normalize.phonetic import is_pinyin_syllable
from tradescreen.normalize.text import tokens

_ROMAN = re.compile(r"^[ivxlcdm]+$")
_ROMAN_KEPT = re.compile(r"^[ivx]{2,}$")
_DIGIT_ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th|e|eme|er|re|o|a|ste|na|no|ta|to|ya|yy|iy)$")
# "Plant No. 2", "Bank N 7", "Unit #3": the marker says nothing once the number is a token.
_MARKERS = frozenset({"no", "nr", "nos", "number", "num", "n"})
# Roman numerals that are also names, never read as numbers.
_ROMAN_NAMES = frozenset({"xi", "vi"})


@cache
def number_words() -> dict[str, str]:
    """Folded single-token number word or ordinal -> its digits."""
    table: dict[str, str] = {}
    for value, forms in ordinals_dict().items():
        for form in forms:
            toks = tokens(form)
            if len(toks) != 1 or not toks[0].isalpha():
                continue
            word = toks[0]
            if _ROMAN.match(word.removesuffix("th")):
                if not _ROMAN_KEPT.match(word.removesuffix("th")) or word in _ROMAN_NAMES:
                    continue
            elif len(word) < 4 or is_pinyin_syllable(word):
                continue
            table[word] = str(value)
    return table


# Short Roman numerals read as numbers only where a series number stands: closing a name of
# several words ("Fund V", "Phase VI"), never alone or inside a name. "xi" closes Chinese names
# too (Long Xi): a number only after a word that is not a Mandarin syllable (Fund XI).
_CLOSING_ROMAN = {"i": "1", "v": "5", "x": "10", "vi": "6", "xi": "11"}


def _roman(value: int) -> str:
    tens, units = divmod(value, 10)
    return "x" * tens + ("", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix")[units]


# Every Roman numeral of i-xxxix written the standard way (Fund XII, Trust XIV).
_ROMAN_VALUES = {_roman(n): str(n) for n in range(1, 40)}


def numbers_as_digits(toks: tuple[str, ...]) -> tuple[str, ...]:
    """Number words and ordinals to digits; a number marker before a number dropped."""
    words = number_words()
    out: list[str] = []
    for pos, tok in enumerate(toks):
        if pos == len(toks) - 1 and pos >= 1 and toks[pos - 1].isalpha() and (
            tok in _CLOSING_ROMAN
        ) and not (tok == "xi" and is_pinyin_syllable(toks[pos - 1])):
            out.append(_CLOSING_ROMAN[tok])
            continue
        if (m := _DIGIT_ORDINAL.match(tok)) is not None:
            tok = m.group(1)
        elif tok in words:
            tok = words[tok]
        elif len(tok) >= 3 and tok in _ROMAN_VALUES:
            tok = _ROMAN_VALUES[tok]
        out.append(tok)
    # "Forty 4" = "Forty-four" = 44: tens then units make one number.
    for i in range(len(out) - 1):
        if (out[i].isdigit() and out[i + 1].isdigit() and len(out[i]) == 2
                and out[i].endswith("0") and len(out[i + 1]) == 1 and out[i + 1] != "0"):
            out[i], out[i + 1] = str(int(out[i]) + int(out[i + 1])), ""
    out = [t for t in out if t]
    return tuple(
        t for i, t in enumerate(out)
        if not (t in _MARKERS and i + 1 < len(out) and out[i + 1].isdigit())
    ) or tuple(out)
