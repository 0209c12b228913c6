"""Phone numbers as comparable keys, read with `phonenumbers` (libphonenumber's metadata).

Lists write numbers every way: `009613679153`, `+7 (3412) 50-47-47`, `03889402` with the
country elsewhere on the entry. The key is the national significant number (the digits after
the country code and trunk prefix); the country code, when known on both sides, must agree.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import phonenumbers

MIN_DIGITS = 6  # shorter numbers are extensions or fragments, not a party's line
_DIGITS = re.compile(r"\d")


class Phone(NamedTuple):
    national: str  # national significant number, digits only
    country_code: int | None  # ITU calling code, None when the text and context lack it


def _parse(text: str, region: str | None, valid: bool = False) -> Phone | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    national = phonenumbers.national_significant_number(number)
    if len(national) < MIN_DIGITS or not phonenumbers.is_possible_number(number):
        return None
    if valid and not phonenumbers.is_valid_number(number):
        return None
    return Phone(national, number.country_code)


@lru_cache(maxsize=100_000)
def read_phone(text: str, countries: tuple[str, ...] = ()) -> Phone | None:
    """The number in `text` (countries: ISO codes of the party, tried as its region when the
    number has no international prefix); None when there is no plausible number."""
    raw = " ".join(text.split())[:100]
    digits = "".join(_DIGITS.findall(raw))
    if len(digits) < MIN_DIGITS:
        return None
    international = raw.lstrip().startswith("+") or digits.startswith("00")
    if international:
        found = _parse("+" + (digits[2:] if digits.startswith("00") else digits), None)
        if found is not None:
            return found
    for country in countries:
        found = _parse(raw, country.upper())
        if found is not None:
            return found
    if not digits.startswith("0"):
        # Lists often drop the "+" of an international number ("982188526302"): taken as
        # international only when the result is a valid number of that country.
        found = _parse("+" + digits, None, valid=True)
        if found is not None:
            return found
    # No region to read it with: the digits without trunk zeros, country unknown.
    national = digits.lstrip("0")
    return Phone(national, None) if len(national) >= MIN_DIGITS else None


def same_number(a: Phone, b: Phone) -> bool:
    if a.country_code is not None and b.country_code is not None:
        return a == b
    return a.national == b.national
