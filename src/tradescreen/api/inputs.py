"""Checks on the values a request carries, shared by the request models and the FtM query reader.

A value the API cannot read is refused (422, naming the field), never dropped: a screening that
silently left out a birth date or a name would look complete and be wrong.
"""

from __future__ import annotations

import re
from datetime import date

# YYYY, YYYY-MM, YYYY-MM-DD, optionally with a time (FtM dates carry one at times).
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ][0-9:.]+Z?)?$")
# C0 controls other than tab, newline and carriage return: never part of a name or an id.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class InvalidValue(ValueError):
    """A request value that cannot be read; the message says which and why."""


def check_text(value: str, field: str) -> str:
    bad = _CONTROL.search(value)
    if bad:
        raise InvalidValue(f"{field}: {value[:60]!r} holds a control character "
                           f"(U+{ord(bad.group()):04X})")
    return value


def check_date(value: str, field: str) -> str:
    """A date as YYYY, YYYY-MM or YYYY-MM-DD (a real calendar date); returns that prefix."""
    text = value.strip()
    m = _DATE.match(text)
    if m is None:
        raise InvalidValue(f"{field}: {value[:60]!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in m.groups())
    try:
        date(year, month or 1, day or 1)  # type: ignore[arg-type]
    except ValueError as exc:
        raise InvalidValue(f"{field}: {value[:60]!r} is not a date ({exc})") from None
    if not 1000 <= year <= date.today().year + 1:  # type: ignore[operator]
        raise InvalidValue(f"{field}: {value[:60]!r} is not a plausible date (year {year})")
    parts = [f"{year:04d}"] + [f"{p:02d}" for p in (month, day) if p is not None]
    return "-".join(parts)
