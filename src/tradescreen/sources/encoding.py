"""Decode a list file's bytes by detecting their encoding instead of assuming the documented one.

OFAC documents its legacy CSV as Latin-1 (in practice Windows-1252), but a file passed through a
spreadsheet or `iconv` comes back as UTF-8 (with or without a byte order mark) or UTF-16; decoding
those as cp1252 turns every accented name into mojibake that then matches nothing.

Order: a byte order mark decides; bytes that are valid UTF-8 are UTF-8 (legacy 8-bit text with any
non-ASCII byte is practically never valid UTF-8); NUL bytes mean a 16/32-bit encoding, which
charset-normalizer recognises; anything else is the list's documented legacy encoding.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WIDE = ("utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be")


class EncodingError(ValueError):
    """Bytes that are no text in any encoding tried."""


def detect(raw: bytes, legacy: str = "cp1252") -> str:
    """The codec name `raw` is written in."""
    for bom, codec in BOMS:
        if raw.startswith(bom):
            return codec
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    if b"\x00" in raw:
        best = from_bytes(raw[: 1 << 20], cp_isolation=list(_WIDE)).best()
        if best is None:
            raise EncodingError("holds NUL bytes and is no UTF-16/32 text: a binary file")
        return best.encoding
    try:
        raw.decode(legacy)
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; Latin-1 accepts every byte.
        return "latin-1"
    return legacy


def decode(raw: bytes, legacy: str = "cp1252") -> tuple[str, str]:
    """(text, codec name) of `raw`."""
    codec = detect(raw, legacy)
    try:
        return raw.decode(codec), codec
    except UnicodeDecodeError as exc:
        raise EncodingError(f"not valid {codec} text ({exc})") from None
