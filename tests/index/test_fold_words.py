"""Names are folded to ASCII word by word (Han character by character), from caches: the same
text as ICU's Any-Latin reading the whole name at once, on every listed name."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import icu
from anyascii import anyascii

from tradescreen import sources
from tradescreen.normalize.text import ascii_fold, script_of

_WHOLE = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
# Cyrillic the BGN way first (normalize.text reads it as English-language lists write it).
_CYRILLIC = icu.Transliterator.createInstance("Russian-Latin/BGN; Any-Latin; Latin-ASCII")


def whole(text: str) -> str:
    """The fold as it was: the whole text through ICU at once."""
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        if any("\u0400" <= ch <= "\u04ff" for ch in text):
            text = _CYRILLIC.transliterate(text).replace("\u00b7", "")
        text = _WHOLE.transliterate(text)
        if not text.isascii():
            text = anyascii(text)
    return text.lower()


def test_word_by_word_is_the_whole_reading(data_dir: Path) -> None:
    names: set[str] = set()
    for rel in ("ofac/sdn_2024-05-03", "un/consolidated.xml", "canada/sema-lmes.xml"):
        for entity in sources.read(data_dir / rel).entities:
            names.update(n.value for n in entity.names)
    names.update((data_dir / "names" / "rigour_putin_names.txt").read_text("utf-8").splitlines())
    with (data_dir / "names" / "rigour_sample_names.csv").open(encoding="utf-8") as fh:
        names.update(cell for row in csv.reader(fh) for cell in row)
    # Han-Latin's context rules read across a space ({重}' '?庆 > chóng): such texts whole.
    names.update(("重庆", "重 庆", "中国 重庆 公司", "沈阳", "沈 阳", "秘鲁", "藏文", "王秀英 李",
                  "金正恩", "習近平", "𠀀𠀁 王", "Владимир  Путин", "Ё Ёж"))
    scripts = {unicodedata.name(ch, "?").split()[0] for n in names for ch in n if ord(ch) > 0x24F}
    assert {"CYRILLIC", "ARABIC", "CJK", "HANGUL"} <= scripts and len(names) > 20_000
    assert [n for n in names if ascii_fold(n) != whole(n)] == []
    assert ascii_fold("重 庆") == whole("重 庆") != whole("重") + " " + whole("庆")


def _script_by_counting(text: str) -> str:
    """script_of as it was: every letter beyond Latin counted, the most frequent script."""
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha() and ord(ch) > 0x24F:
            name = unicodedata.name(ch, "")
            script = name.split(" ", 1)[0].title() if name else "Unknown"
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else "Latin"


def test_script_of_is_the_most_frequent_script_of_every_listed_name(data_dir: Path) -> None:
    names: set[str] = set()
    for rel in ("ofac/sdn_2024-05-03", "un/consolidated.xml", "canada/sema-lmes.xml"):
        for entity in sources.read(data_dir / rel).entities:
            names.update(n.value for n in entity.names)
    with (data_dir / "names" / "rigour_sample_names.csv").open(encoding="utf-8") as fh:
        names.update(cell for row in csv.reader(fh) for cell in row)
    # Mixed scripts, ties (the script seen first wins), letters and marks near the boundary.
    names.update(("Путин 習近平", "習近 Пу", "Пу 習近", "abc ɏ ɐ Ω", "ØÆ ɐɐ", "مُحَمَّد Ali", "12 ٣"))
    mixed = [n for n in names if len({_script_by_counting(w) for w in n.split()} - {"Latin"}) > 1]
    assert len(names) > 20_000 and mixed
    assert [n for n in names if script_of(n) != _script_by_counting(n)] == []
