"""A transliteration-tolerant consonant skeleton for one token.

Names reach the lists through many romanisation systems: Mohammed / Muhammad / Mokhammad,
Qods / Quds, Yuriy / Jurij / Iouri, Aleksandr / Alexander. Vowels and a handful of consonant
digraphs are where those systems disagree, so the key keeps the first letter's class and the
consonants after mapping the common digraphs to one letter. Two tokens with the same key are
"transliteration variants" in explanations; candidate generation uses the key as a blocking key.
"""

from __future__ import annotations

import re
from functools import lru_cache

_RULES: tuple[tuple[str, str], ...] = (
    ("dzh", "j"),
    ("tch", "c"),
    ("sch", "s"),
    ("shch", "s"),
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("sh", "s"),
    ("zh", "j"),
    ("ch", "c"),
    ("dj", "j"),
    ("ts", "c"),
    ("tz", "c"),
    ("ck", "k"),
    ("ks", "x"),
    ("q", "k"),
    ("w", "v"),
    ("ff", "v"),
    ("z", "s"),
    ("y", "i"),
    ("j", "i"),
)
_VOWELS = re.compile(r"[aeiou]+")
_SOFT_C = re.compile(r"c(?=[ei])")
_DOUBLE = re.compile(r"(.)\1+")


def _consonants(token: str) -> str:
    text = token
    for src, dst in _RULES:
        text = text.replace(src, dst)
    if "c" not in text:
        return text
    # c before e/i is an s in most romanisations (Cecilia), a k elsewhere (Carlos).
    return _SOFT_C.sub("s", text).replace("c", "k")


@lru_cache(maxsize=200_000)
def spelling(token: str) -> str:
    """The token with the consonant spellings of national romanisations made one and its
    vowels kept: German w / s / sch / tsch, Polish sz / cz, English v / z / sh / ch
    (Uralwagonsawod = Uralvagonzavod, Wagner = Vagner, Setschin = Sechin), French ou = u.
    Two tokens with one spelling are one name written by two systems; the skeleton, which
    drops the vowels too, also joins different names (Simon / Saman)."""
    if not token or token.isdigit():
        return token
    # German writes both ж and ш as sch (Prigoschin = Prigozhin); дж is English j (Dzhin =
    # Jin, Dzhokhar = Jokhar), read before its zh.
    text = token.replace("dzh", "j").replace("sz", "sh").replace("cz", "ch").replace("ou", "u")
    text = text.replace("zh", "sh")
    return _consonants(text)


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """'muhammad' -> 'mhmd', 'mokhammed' -> 'mhmd', 'quds' -> 'kds', 'yuri' -> 'ir'."""
    if not token or token.isdigit():
        return token
    text = _consonants(token)
    first = "a" if text[0] in "aeiou" else text[0]
    rest = _VOWELS.sub("", text[1:])
    rest = rest.rstrip("h") if len(rest) > 1 else rest
    return _DOUBLE.sub(r"\1", first + rest)


_VOWEL_GROUPS = re.compile(r"[aeiou]+")


def syllables(token: str) -> int:
    """Vowel groups: romanisations disagree on which vowel, rarely on how many (Putin/Potanin)."""
    return len(_VOWEL_GROUPS.findall(token.replace("y", "i")))


@lru_cache(maxsize=200_000)
def phonetic_key(token: str) -> str | None:
    """Blocking key: skeleton plus syllable count; None when too short to be selective
    (Khan and Huayn share the skeleton "hn")."""
    if len(token) < 3 or token.isdigit():
        return None
    skel = skeleton(token)
    if len(skel) < 3:
        return None
    return f"{skel}{syllables(token)}"


_ABJAD_VOWELISH = str.maketrans({"w": "u", "y": "i", "v": "u"})
_J_FORMS = (("dzh", "#"), ("dj", "#"), ("j", "#"))
# z is kept apart from s: Arabic and Persian spell it with its own letters (ز ذ ظ ض), which
# romanisations never write as s (Hawazin is not Hasan, Shobeiri is not Zubayr).
_Z_FORMS = (("zh", "%h"), ("z", "%"))
# Interdentals are written th / dh by the transliterators and s / z by many lists (عثمان =
# "athman" = Osman, وثيق = "wthyq" = Wassiq, ذو الفقار = Zulfiqar); French romanisations of
# the Maghreb write shin as ch (عكاشة = Akkacha). A second reading, not the key itself: th is
# also ta + ha (طه = Taha).
_SPOKEN = (("th", "s"), ("dh", "z"), ("ch", "sh"))


@lru_cache(maxsize=200_000)
def abjad_skeleton(token: str, spoken: bool = False) -> str:
    """The skeleton as an Arabic or Persian spelling can show it: no short vowels, waw and ya
    standing for long vowels (فرناندو = "frnandw" = Fernando), no p (بيريز = Perez), and j kept
    as the consonant jim (Majid is not Maedeh), z as z. `spoken`: the reading with th = s,
    dh = z, ch = sh, and qaf and ghayn one velar with g (qaf is g in the Maghreb and the Gulf:
    قاسمي = Gasmi, Gaddafi; ghayn is g in Persian names); see `abjad_keys`."""
    if not token or token.isdigit():
        return token
    text = (token[0] + token[1:].translate(_ABJAD_VOWELISH)).replace("p", "b")
    for src, dst in (_SPOKEN if spoken else ()) + _J_FORMS + _Z_FORMS:
        text = text.replace(src, dst)
    key = skeleton(text).replace("#", "j").replace("%", "z")
    return key.replace("g", "k") if spoken else key


def abjad_keys(token: str) -> tuple[str, str]:
    """The token's skeleton as written and as the interdentals are spoken (Wathiq / Wassiq):
    two tokens agree when either reading does."""
    return abjad_skeleton(token), abjad_skeleton(token, True)


# Letters the Arabic article assimilates to ("al" + din = ad-din, Shahabuddin; al + rahman =
# ar-rahman, Azizurrahman): the sun letters as they are romanised.
SUN_LETTERS = frozenset("tdrzsnl")


def assimilated(words: tuple[str, ...], following: str = "") -> str:
    """Words written together the way a Latin spelling assimilates the article before a sun
    letter: ("shhab", "al", "dyn") -> "shhabaddyn" (Shahabuddin); `following` is the word
    after the last one (("abd", "al"), "rhmn") -> "abdar" (Abdur Rehman)."""
    out: list[str] = []
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else following
        out.append("a" + nxt[0] if word == "al" and nxt[:1] in SUN_LETTERS else word)
    return "".join(out)


# Mandarin syllables in pinyin (and the Wade-Giles-like spellings lists use): a name made only of
# these is a Chinese name romanised, where a few hundred syllables spell millions of names.
_PINYIN = re.compile(
    r"^(zh|ch|sh|ts|hs|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua"
    r"|uo|ue|ui|er|a|e|i|o|u|v)$"
)


def is_pinyin_syllable(token: str) -> bool:
    return len(token) <= 6 and bool(_PINYIN.match(token))
