"""Turn what a user typed or exported into screening queries: names, schemas, countries, dates.

A customer file is written by people: dates as `16/07/1969`, `16 Jul 1969` or `circa 1970`,
countries as `U.S.A.` or `Iran, Islamic Republic of`. The name is what screening is for, so a
field that cannot be read never stops it: the row is screened without that field and says so in
a warning. Only a row with nothing to screen (no name, no identifier, or a "name" too long to be
one) is an error, reported on that row. `make_query` is the strict form for one API request,
where the caller can fix the field and ask again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from tradescreen.match.entity import Query
from tradescreen.values import country_code

MAX_FIELD = 1000  # longer "names" are data errors, not names

_SCHEMAS = {
    "person": "Person",
    "individual": "Person",
    "people": "Person",
    "natural person": "Person",
    "company": "Company",
    "business": "Company",
    "corporation": "Company",
    "entity": "LegalEntity",
    "legalentity": "LegalEntity",
    "legal entity": "LegalEntity",
    "organization": "Organization",
    "organisation": "Organization",
    "vessel": "Vessel",
    "ship": "Vessel",
    "aircraft": "Aircraft",
    "airplane": "Aircraft",
}
SCHEMAS = ("Person", "Company", "Organization", "LegalEntity", "Vessel", "Aircraft")

HEADERS = {
    "name": ("name", "full_name", "fullname", "party_name", "customer_name", "entity_name"),
    "first": ("first_name", "firstname", "given_name", "forename"),
    "middle": ("middle_name", "middlename", "middle_names"),
    "last": ("last_name", "lastname", "surname", "family_name"),
    "schema": ("schema", "type", "entity_type", "party_type"),
    "birth_date": ("birth_date", "date_of_birth", "dob", "birthdate", "incorporation_date"),
    "country": ("country", "nationality", "country_code", "citizenship", "jurisdiction"),
    "id": ("id_number", "identifier", "imo", "registration_number", "passport", "tax_id"),
    # Shared-attribute alerts (match.attributes): compared with every listed party's.
    "address": ("address", "full_address", "street_address", "postal_address"),
    "phone": ("phone", "phone_number", "telephone", "tel", "fax"),
    "email": ("email", "e_mail", "email_address"),
    "website": ("website", "url", "web", "homepage", "web_site"),
}
ATTRIBUTE_KINDS = ("address", "phone", "email", "website")
# screen-file: the row's own key, echoed on its output line. A bare `id` column stays an
# identifier there (as it always was); books read `id` as the key.
KEY_HEADERS = ("row_id", "key", "customer_id", "record_id")


class InputError(ValueError):
    """A query or input file that cannot be screened; the message says which field and why."""


# ---- schema -------------------------------------------------------------------------------

def _schema(value: str | None) -> str | None:
    if not value or not value.strip():
        return "LegalEntity"
    key = " ".join(value.split()).lower()
    if key in _SCHEMAS:
        return _SCHEMAS[key]
    return next((s for s in SCHEMAS if key == s.lower()), None)


def schema_of(value: str | None) -> str:
    schema = _schema(value)
    if schema is None:
        raise InputError(f"unknown schema {value!r}; use {', '.join(SCHEMAS)}")
    return schema


def read_schema(value: str | None) -> tuple[str, str | None]:
    """(schema, warning): an unknown type is screened as LegalEntity, which every schema
    matches, rather than not at all."""
    schema = _schema(value)
    if schema is None:
        return "LegalEntity", (f"unknown schema {value!r}: screened as LegalEntity "
                               f"(use {', '.join(SCHEMAS)})")
    return schema, None


# ---- dates --------------------------------------------------------------------------------

_MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december"]
_MONTHS = {**{m: i for i, m in enumerate(_MONTH_NAMES, 1)},
           **{m[:3]: i for i, m in enumerate(_MONTH_NAMES, 1)}, "sept": 9}
# "circa 1970", "about 1965", "1970s": approximate, see _read_words.
_APPROX = {"circa", "ca", "c", "approx", "approximately", "about", "around", "abt", "est",
           "estimated", "s"}
# Words around a date that do not change it: "born 16th of July 1969".
_FILLER = {"st", "nd", "rd", "th", "of", "the", "in", "born", "b"}
# A spreadsheet's date-time ("1969-07-16 00:00:00") is a date.
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
                  r"(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?z?)?")
_YEAR_MONTH = re.compile(r"(\d{4})(?:[-/.](\d{1,2}))?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[-/.](\d{4})")
_TOKENS = re.compile(r"\d+|[^\W\d_]+")
_SEPARATORS = re.compile(r"[\s,./\-~()?]+")


def _ymd(text: str, year: int, month: int | None, day: int | None) -> tuple[str | None, str | None]:
    """The most precise ISO prefix that is a real date, and a warning for what was dropped."""
    if not 1000 <= year <= 2100:
        return None, f"birth date {text!r}: year {year} is not a plausible year (left out)"
    if month is None:
        return f"{year:04d}", None
    if not 1 <= month <= 12:
        return f"{year:04d}", f"birth date {text!r} has no month {month}: screened with {year}"
    if day is None:
        return f"{year:04d}-{month:02d}", None
    try:
        date(year, month, day)
    except ValueError:
        return (f"{year:04d}-{month:02d}",
                f"birth date {text!r} is not a real day: screened with {year:04d}-{month:02d}")
    return f"{year:04d}-{month:02d}-{day:02d}", None


def day_first_of(values: Iterable[str]) -> bool | None:
    """The file's convention for numeric dates: True for day/month/year, False for month/day/year,
    None when no date shows it (every one could be either) or the file mixes both."""
    seen: set[bool] = set()
    for value in values:
        m = _NUMERIC.fullmatch(value.strip())
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if a > 12 >= b:
                seen.add(True)
            elif b > 12 >= a:
                seen.add(False)
    return seen.pop() if len(seen) == 1 else None


def read_birth_date(
    value: str | None, day_first: bool | None = None
) -> tuple[str | None, str | None]:
    """(ISO prefix YYYY / YYYY-MM / YYYY-MM-DD, or None; a warning when the text was not fully
    used). `day_first`: the file's convention for `03/04/1970` (see `day_first_of`); with none,
    such a date is screened with its year only."""
    if value is None:
        return None, None
    text = " ".join(value.split())
    if not text:
        return None, None
    if len(text) > 100:
        return None, f"birth date of {len(text)} characters is not a date (left out)"
    low = text.lower()
    if m := _ISO.fullmatch(low):
        return _ymd(text, int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _YEAR_MONTH.fullmatch(low):
        return _ymd(text, int(m.group(1)), int(m.group(2)) if m.group(2) else None, None)
    if m := _COMPACT.fullmatch(low):
        return _ymd(text, int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _NUMERIC.fullmatch(low):
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if a > 12 or (day_first and b <= 12):
            return _ymd(text, year, b, a)
        if b > 12 or day_first is False or a == b:
            return _ymd(text, year, a, b)
        iso, warning = _ymd(text, year, None, None)
        return iso, warning or (f"birth date {text!r} could be day/month or month/day: "
                                f"screened with the year {year} only")
    if m := _MONTH_YEAR.fullmatch(low):
        return _ymd(text, int(m.group(2)), int(m.group(1)), None)
    return _read_words(text, low)


def _read_words(text: str, low: str) -> tuple[str | None, str | None]:
    """Dates with a month name or a qualifier: `16 Jul 1969`, `July 16, 1969`, `circa 1970`."""
    tokens = _TOKENS.findall(low)
    if _APPROX.intersection(tokens):
        # The matcher compares a query's year exactly: "circa 1970" read as 1970 would count
        # as a conflict against a party listed as born 1971. Screening without it is safe.
        return None, (f"birth date {text!r} is approximate: screened without a birth date "
                      "(give the exact date to use it)")
    years = [t for t in tokens if len(t) == 4 and t.isdigit()]
    if len(years) == 1 and 1000 <= int(years[0]) <= 2100:
        # "16 juillet 1969", "1970s": the year is certain even where the rest is not.
        unreadable = years[0], f"birth date {text!r}: only the year could be read (screened " \
                               f"with {years[0]})"
    else:
        unreadable = None, f"birth date {text!r} is not a date we can read (left out)"
    if _SEPARATORS.sub("", _TOKENS.sub("", low)):
        return unreadable  # characters that are neither words, numbers nor separators
    year = month = day = None
    for token in tokens:
        if token.isdigit():
            number = int(token)
            if len(token) == 4 and year is None:
                year = number
            elif len(token) <= 2 and day is None and 1 <= number <= 31:
                day = number
            else:
                return unreadable
        elif token in _MONTHS and month is None:
            month = _MONTHS[token]
        elif token not in _FILLER:
            return unreadable
    if year is None or (day is not None and month is None):
        return unreadable
    return _ymd(text, year, month, day)


def clean_birth_date(value: str | None) -> str | None:
    """Strict: the date as an ISO prefix, or InputError when it cannot be read exactly."""
    iso, warning = read_birth_date(value)
    if warning:
        raise InputError(warning)
    return iso


# ---- countries ----------------------------------------------------------------------------

def _country(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    code = country_code(text)
    if code is None and "." in text:  # "U.S.A.", "U.A.E."
        code = country_code(text.replace(".", "").strip())
    if code is None and text.count(",") == 1:  # "China, People's Republic of"
        head, tail = (p.strip() for p in text.split(","))
        code = country_code(f"{tail} {head}")
    return code


def read_countries(values: Iterable[str]) -> tuple[tuple[str, ...], list[str]]:
    """(ISO codes, warnings): a cell may hold one country in any common spelling, including
    `Iran, Islamic Republic of`, or several separated by `;`, `,`, `|` or `/`."""
    codes: list[str] = []
    warnings: list[str] = []
    for value in values:
        if not value or not value.strip():
            continue
        if len(value) > MAX_FIELD:
            warnings.append(f"country of {len(value)} characters is not a country (left out)")
            continue
        whole = _country(value)
        if whole is not None:
            codes.append(whole)
            continue
        for part in re.split(r"[;,|/]", value):
            if not part.strip():
                continue
            code = _country(part)
            if code is None:
                warnings.append(f"unknown country {part.strip()!r} (left out)")
            else:
                codes.append(code)
    return tuple(dict.fromkeys(codes)), warnings


def clean_countries(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Strict: ISO codes, or InputError naming the first country that cannot be read."""
    codes, warnings = read_countries(values)
    if warnings:
        raise InputError(warnings[0].removesuffix(" (left out)"))
    return codes


# ---- one query ----------------------------------------------------------------------------

def read_query(
    name: str,
    schema: str | None = None,
    birth_date: str | None = None,
    countries: Iterable[str] = (),
    identifiers: Iterable[str] = (),
    *,
    day_first: bool | None = None,
    attributes: Iterable[tuple[str, str]] = (),
) -> tuple[Query, list[str]]:
    """The query and the warnings about fields left out or read in part. InputError only when
    there is nothing to screen: no name, identifier or attribute, or a name too long to be one.
    `attributes`: (kind, value) pairs, kind address / phone / email / website."""
    name = " ".join(name.split())
    if len(name) > MAX_FIELD:
        raise InputError(f"name of {len(name):,} characters is not a name (at most "
                         f"{MAX_FIELD:,}): not screened")
    warnings: list[str] = []
    kind, warning = read_schema(schema)
    if warning:
        warnings.append(warning)
    iso, warning = read_birth_date(birth_date, day_first)
    if warning:
        warnings.append(warning)
    codes, country_warnings = read_countries(countries)
    warnings.extend(country_warnings)
    ids = []
    for ident in identifiers:
        ident = " ".join((ident or "").split())
        if len(ident) > MAX_FIELD:
            warnings.append(f"identifier of {len(ident):,} characters is not an identifier "
                            "(left out)")
        elif ident:
            ids.append(ident)
    attrs, attr_warnings = read_attributes(attributes, codes)
    warnings.extend(attr_warnings)
    if not name and not ids and not attrs:
        raise InputError("no name or identifier to screen")
    query = Query(name=name, schema=kind, birth_date=iso, countries=codes,
                  identifiers=tuple(ids), attributes=attrs)
    return query, warnings


def read_attributes(
    values: Iterable[tuple[str, str]], countries: tuple[str, ...] = ()
) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """(kind, value) pairs kept for screening, and a warning for each value left out (too
    long, or nothing comparable in it: an address of punctuation, a phone of three digits)."""
    from tradescreen.index.attributes import attribute
    from tradescreen.normalize.addresses import address_tokens, specificity

    kept: list[tuple[str, str]] = []
    warnings: list[str] = []
    for kind, value in values:
        if kind not in ATTRIBUTE_KINDS:
            raise InputError(f"unknown attribute {kind!r}; use {', '.join(ATTRIBUTE_KINDS)}")
        value = " ".join((value or "").split())
        if not value:
            continue
        if len(value) > MAX_FIELD:
            warnings.append(f"{kind} of {len(value):,} characters is not an {kind} (left out)"
                            if kind in ("address", "email") else
                            f"{kind} of {len(value):,} characters is not a {kind} (left out)")
        elif attribute(kind, value, countries) is None:
            warnings.append(f"{kind} {value!r} has nothing comparable in it (left out)")
        elif (kind, value) not in kept:
            kept.append((kind, value))
            if kind == "address" and (why := specificity(address_tokens(value))):
                warnings.append(f"address {value!r} is weak ({why}): listed parties sharing "
                                "it are shown, not alerted on")
    return tuple(kept), warnings


def make_query(
    name: str,
    schema: str | None = None,
    birth_date: str | None = None,
    countries: list[str] | tuple[str, ...] = (),
    identifiers: list[str] | tuple[str, ...] = (),
) -> Query:
    """Strict, for one request: every field given must be read in full, or InputError. A query
    with neither name nor identifier is returned as such (the caller says what is missing)."""
    name = " ".join(name.split())
    if len(name) > MAX_FIELD:
        raise InputError(f"name of {len(name):,} characters is not a name (at most "
                         f"{MAX_FIELD:,})")
    ids = tuple(" ".join(i.split()) for i in identifiers if i and i.strip())
    if any(len(i) > MAX_FIELD for i in ids):
        raise InputError(f"identifier longer than {MAX_FIELD:,} characters")
    return Query(name=name, schema=schema_of(schema), birth_date=clean_birth_date(birth_date),
                 countries=clean_countries(countries), identifiers=ids)


# ---- rows of a file -----------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One input row: its line number, its key (when the file has a key column), and the
    query, or the error that keeps it from being screened; warnings about fields left out."""

    number: int
    key: str | None
    query: Query | None
    error: str | None = None
    warnings: tuple[str, ...] = ()


def column(fieldnames: Iterable[str], headers: Iterable[str]) -> str | None:
    lowered = {f.strip().lower(): f for f in fieldnames if f}
    return next((lowered[h] for h in headers if h in lowered), None)


def columns(fieldnames: list[str]) -> dict[str, str | None]:
    cols = {role: column(fieldnames, headers) for role, headers in HEADERS.items()}
    if cols["id"] is None:
        cols["id"] = column(fieldnames, ("id",))
    cols["key"] = column(fieldnames, KEY_HEADERS)
    return cols


def row_name(get: Mapping[str, str] | dict[str, str]) -> str:
    return get["name"] or " ".join(p for p in (get["first"], get["middle"], get["last"]) if p)


def row_attributes(get: Mapping[str, str]) -> list[tuple[str, str]]:
    """A row's address, phone, email and website cells (a cell may hold several, `;`-separated,
    except an address, whose commas and semicolons are its own)."""
    out: list[tuple[str, str]] = []
    for kind in ATTRIBUTE_KINDS:
        cell = get.get(kind) or ""
        parts = [cell] if kind == "address" else cell.split(";")
        out += [(kind, p) for p in parts if p.strip()]
    return out


def read_rows(fields: list[str], rows: Iterable[Mapping[str, str]], label: str) -> Iterator[Row]:
    """Rows (as read from a CSV file: header `fields`, first data row on line 2) as queries,
    in order; every row yields a Row, screenable or not."""
    cols = columns(fields)
    if not cols["name"] and not (cols["first"] or cols["last"]):
        raise InputError(
            f"{label}: no name column; expected one of name, full_name, or "
            f"first_name/last_name (found: {', '.join(fields) or 'no header'})"
        )
    rows = list(rows)
    day_first = None
    if cols["birth_date"]:
        day_first = day_first_of(r.get(cols["birth_date"]) or "" for r in rows)  # type: ignore[index]
    for number, row in enumerate(rows, start=2):
        get = {role: (row.get(col) or "").strip() if col else "" for role, col in cols.items()}
        key = get["key"] or None
        if key is not None and len(key) > MAX_FIELD:
            key = key[:MAX_FIELD]
        try:
            query, warnings = read_query(
                row_name(get), get["schema"] or None, get["birth_date"] or None,
                [get["country"]], [get["id"]], day_first=day_first,
                attributes=row_attributes(get),
            )
        except InputError as exc:
            yield Row(number, key, None, f"row {number}: {exc}")
            continue
        yield Row(number, key, query, None, tuple(warnings))
