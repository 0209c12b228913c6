"""Parse a list's XML file as text in the encoding it is really written in, and say which.

An XML file names its encoding in its declaration (UTF-8 when it names none, or UTF-16 after a
byte order mark) and lxml decodes by that. A file re-saved by another tool can keep the
declaration while the bytes became Windows-1252, or lose the declaration; lxml then stops at the
first accented name. Such a file is read in the encoding its bytes show (sources.encoding) and
the import says so, instead of refusing a readable list or guessing silently.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

from lxml import etree

from tradescreen.sources.base import SourceError
from tradescreen.sources.encoding import BOMS, EncodingError, detect

_INVALID_ENCODING = 81  # libxml2 XML_ERR_INVALID_ENCODING: bytes not valid in the declared codec
_DECLARATION = re.compile(rb"<\?xml[^>]*?encoding=[\"']([A-Za-z0-9._-]+)[\"']")


def _parser(encoding: str | None = None) -> etree.XMLParser:
    # Never load an external entity, never expand nested declarations (billion laughs).
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=True, encoding=encoding
    )


def _named_encoding(tree: etree._ElementTree, raw_head: bytes) -> str:
    for bom, codec in BOMS:
        if raw_head.startswith(bom):
            return codec
    return (tree.docinfo.encoding or "UTF-8").lower()


def _declared(raw: bytes) -> str | None:
    m = _DECLARATION.match(raw)
    return m.group(1).decode("ascii").lower() if m else None


def parse_xml(path: Path, bad_xml: str = "malformed or truncated XML") -> tuple[
    etree._Element, str, list[str]
]:
    """(root element, encoding the text was read in, warnings) of the XML file at `path`.

    `bad_xml` starts the message of a file that is no well-formed XML in any encoding.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path.name}: cannot read ({exc})") from exc
    if not raw:
        raise SourceError(f"{path.name}: empty file")
    try:
        tree = etree.fromstring(raw, _parser()).getroottree()
        return tree.getroot(), _named_encoding(tree, raw[:4]), []
    except etree.XMLSyntaxError as exc:
        if exc.code != _INVALID_ENCODING:
            raise SourceError(f"{path.name}: {bad_xml} ({exc})") from exc
        first = exc
    try:
        codec = detect(raw)
        tree = etree.fromstring(raw, _parser(codec)).getroottree()
    except (EncodingError, etree.XMLSyntaxError):
        raise SourceError(f"{path.name}: {bad_xml} ({first})") from first
    declared = _declared(raw)
    said = f"declares encoding {declared}, but its bytes are not" if declared else (
        "declares no encoding, so XML reads it as UTF-8, but its bytes are not"
    )
    return tree.getroot(), codec, [f"{path.name}: {said}: read as {codec}"]


T = TypeVar("T")


class XmlEncodingError(SourceError):
    """A streamed XML file whose bytes are not valid in the encoding it declares (or UTF-8)."""


def is_encoding_error(exc: etree.XMLSyntaxError) -> bool:
    return exc.code == _INVALID_ENCODING


def stream_xml(
    open_bytes: Callable[[], IO[bytes]], label: str,
    parse: Callable[[IO[bytes], str | None], T],
) -> tuple[T, str, list[str]]:
    """`parse(stream, encoding)` of a large XML file read as a stream: as declared first; when
    the bytes do not fit the declaration (`parse` raises XmlEncodingError), once more in the
    detected encoding, with a warning. Returns (what parse returned, encoding, warnings)."""
    with open_bytes() as fh:
        head = fh.read(200)
    try:
        with open_bytes() as fh:
            result = parse(fh, None)
    except XmlEncodingError as first:
        with open_bytes() as fh:
            raw = fh.read()
        try:
            codec = detect(raw)
        except EncodingError:
            raise SourceError(str(first)) from None
        result = parse(io.BytesIO(raw), codec)
        declared = _declared(raw)
        said = f"declares encoding {declared}, but its bytes are not" if declared else (
            "declares no encoding, so XML reads it as UTF-8, but its bytes are not"
        )
        return result, codec, [f"{label}: {said}: read as {codec}"]
    for bom, codec in BOMS:
        if head.startswith(bom):
            return result, codec, []
    return result, _declared(head) or "utf-8", []
