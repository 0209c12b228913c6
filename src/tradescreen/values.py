"""Small value cleaners shared by readers and the matcher: countries and partial dates."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import countrynames

from tradescreen.model import PartialDate


@lru_cache(maxsize=4096)
def country_code(text: str | None) -> str | None:
    """ISO 3166-1 alpha-2 (lower case) for a code or a country name in any common spelling."""
    if not text:
        return None
    code = countrynames.to_code(text.strip(), fuzzy=False)
    if code is None:
        return None
    # countrynames returns sub-national codes for some regions ("UA-CRI"); keep them, lower case.
    return code.lower()


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_DMY_NAMED = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})\b")
_MY_NAMED = re.compile(r"\b([A-Za-z]{3})[a-z]*\.?\s+(\d{4})\b")
_DMY_NUM = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
# "approx" also covers "Approximately", the wording DFAT and the UN use.
_CIRCA = re.compile(r"\b(circa|ca\.|approx\w*|about|around)(?!\w)", re.I)


def parse_date(text: str | None, *, day_first: bool = True) -> PartialDate | None:
    """Parse a list's date wording, keeping its precision: "1965", "Mar 1965", "circa 1958".

    Numeric d/m/y vs m/d/y is ambiguous; lists state their convention, so the reader passes it.
    """
    if text is None:
        return None
    raw = " ".join(text.split())
    if not raw:
        return None
    circa = bool(_CIRCA.search(raw))
    iso: str | None = None
    if m := _ISO.match(raw):
        y, mo, d = m.group(1), m.group(2), m.group(3)
        iso = y
        if mo and 1 <= int(mo) <= 12:
            iso += f"-{int(mo):02d}"
            if d and 1 <= int(d) <= 31:
                iso += f"-{int(d):02d}"
    elif m := _DMY_NAMED.search(raw):
        month = _MONTHS.get(m.group(2).lower())
        iso = f"{m.group(3)}-{month:02d}-{int(m.group(1)):02d}" if month else m.group(3)
    elif m := _DMY_NUM.search(raw):
        a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
        day, month = (a, b) if day_first else (b, a)
        iso = f"{y}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else y
    elif (m := _MY_NAMED.search(raw)) and m.group(1).lower() in _MONTHS:
        iso = f"{m.group(2)}-{_MONTHS[m.group(1).lower()]:02d}"
    elif m := _YEAR.search(raw):
        iso = m.group(1)
    return PartialDate(text=raw, iso=iso, circa=circa)


# Words that only a registered company carries. Readers use them to tell a Company from a generic
# Organization (ministries, armed groups, research centres) when the list itself does not say.
_LEGAL_FORMS = frozenset(
    {
    "llc", "ltd", "limited", "inc", "incorporated", "corp", "corporation", "company", "companies",
    "co", "gmbh", "ag", "sa", "sarl", "sas", "bv", "nv", "plc", "jsc", "ojsc", "cjsc", "pjsc",
    "oao", "zao", "pao", "ooo", "ao", "fze", "fzco", "fzc", "llp", "pte", "pty", "srl", "spa",
    "kk", "bhd", "ltda", "sac", "holding", "holdings", "ооо", "оао", "зао", "пао", "ао", "тов",
    "пат", "прат", "ат",
    }
)
_WORD = re.compile(r"\w+")


def has_legal_form(name: str) -> bool:
    """True when an organisation's name carries a company legal form ("LLC", "S.A.", "ООО")."""
    # Dots are dropped first so "S.A." and "L.L.C." read as one token.
    return any(tok in _LEGAL_FORMS for tok in _WORD.findall(name.replace(".", "").lower()))


def is_latin(text: str) -> bool:
    """True when every letter in `text` is Latin script (names in their own script are not)."""
    return all(
        unicodedata.name(ch, "").startswith("LATIN") for ch in text if ch.isalpha()
    )
