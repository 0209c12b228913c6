"""Read a user's CSV file: encoding detected (not assumed), delimiter sniffed, any field size.

One reader for every command that takes a CSV (screen-file, score-pairs, book import), so a file
one of them accepts the others accept too. Spreadsheet exports come as UTF-8 (with or without a
byte-order mark), UTF-16 (Excel's "Unicode text") or a Windows code page; a code page is guessed
by charset-normalizer and said on stderr by the caller, with `--encoding` to override.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tradescreen.screen.inputs import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Code pages a customer file plausibly uses when it is not Unicode: Windows' Western, Central
# European, Turkish, Baltic, Cyrillic, Greek, Hebrew, Arabic and Thai pages, KOI8-R, and the CJK
# multi-byte encodings. A closed list keeps the detector from exotic answers on short files.
_CANDIDATES = ["cp1252", "cp1250", "cp1254", "cp1257", "cp1251", "koi8_r", "cp1253", "cp1255",
               "cp1256", "cp874", "cp932", "gb18030", "big5", "euc_kr"]
_SAMPLE = 256 * 1024


@dataclass(frozen=True)
class CsvText:
    fields: list[str]
    rows: Iterator[dict[str, str]]
    encoding: str  # as read: "utf-8", "utf-8-sig", "utf-16", "cp1252", ...
    detected: bool  # the encoding is a guess (not Unicode, no --encoding given)


def decode(raw: bytes, label: str, encoding: str | None = None) -> tuple[str, str, bool]:
    """(text, encoding, whether it was guessed)."""
    if encoding:
        try:
            return raw.decode(encoding), encoding, False
        except LookupError:
            raise InputError(f"--encoding {encoding!r}: unknown encoding") from None
        except UnicodeDecodeError as exc:
            raise InputError(f"{label}: not {encoding} (byte {raw[exc.start]:#04x} at offset "
                             f"{exc.start})") from None
    for bom, name in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(name), name, False
            except UnicodeDecodeError as exc:
                raise InputError(f"{label}: starts as {name} but is not ({exc.reason} at offset "
                                 f"{exc.start})") from None
    try:
        return raw.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only files that are not UTF-8 need it

    matches = list(from_bytes(raw[:_SAMPLE], cp_isolation=_CANDIDATES))
    name = "cp1252"
    if matches:
        best = matches[0]
        tied = [m for m in matches
                if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
        # Where Windows-1252 reads the text as well as the detector's pick, call it that: on
        # a short file the detector has little to go on, it cannot tell Western code pages
        # apart on the letters they share, and 1252 is what most exports use.
        if not any("cp1252" in m.could_be_from_charset for m in tied):
            name = best.encoding
    text = _try(raw, name)
    if text is None:
        return raw.decode("latin-1"), "latin-1", True  # every byte is a Latin-1 character
    return text, name, True


def _try(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def read_csv(path: Path, encoding: str | None = None) -> CsvText:
    """The header and the rows of a CSV file, in order; fields may be of any length (the
    caller reports a field too long to be a name on its row, instead of refusing the file)."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    raw = path.read_bytes()
    text, used, detected = decode(raw, path.name, encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    # The csv module refuses fields over 128 KiB and stops the whole file there; no field can be
    # longer than the file itself.
    if csv.field_size_limit() < len(text) + 1:
        csv.field_size_limit(len(text) + 1)
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    try:
        fields = list(reader.fieldnames or [])
    except csv.Error as exc:
        raise InputError(f"{path.name}: not a CSV file ({exc})") from None
    return CsvText(fields, _rows(reader, path.name), used, detected)


def _rows(reader: csv.DictReader, label: str) -> Iterator[dict[str, str]]:
    try:
        for row in reader:
            # Surplus cells go under the key None: keep them out of the row's columns.
            row.pop(None, None)  # type: ignore[call-overload]
            yield {k: ("" if v is None else v) for k, v in row.items()}
    except csv.Error as exc:
        raise InputError(f"{label}: line {reader.line_num}: {exc}") from None


def encoding_note(csvtext: CsvText, label: str) -> str | None:
    """A line for stderr when the encoding was guessed."""
    if not csvtext.detected:
        return None
    return (f"{label} is not UTF-8: read as {csvtext.encoding} (detected); "
            "give --encoding to read it otherwise")
