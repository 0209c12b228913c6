"""Read what `media scan` is given into documents of plain text: files, folders, feeds, stdin.

One input can hold many documents (a folder, an RSS/Atom feed) and any one of them can be
unreadable; each unreadable one becomes a `DocumentError` in the stream and the rest go on.
HTML is reduced to its main text by trafilatura (boilerplate, menus and scripts dropped); the
encoding of every byte string is found, never assumed.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

MAX_BYTES = 20 * 2**20  # a news article is kilobytes; anything this size is not one
_SNIFF = 4096
_HTML = re.compile(rb"<(!doctype\s+html|html|head|body|p|div|article|br|span|h[1-6])[\s>/]", re.I)
_FEED = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
# A valid multi-byte UTF-8 sequence: text holding several of these and invalid bytes too is
# UTF-8 with damage, not a legacy code page.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


@dataclass(frozen=True)
class Document:
    name: str  # where it came from: a path, "-", or "path#N" for the Nth item of a feed
    title: str | None
    text: str  # the extracted text: mention offsets index into it
    sha256: str  # of the extracted text, so the same article from two places is one article
    format: str  # text | html | feed-item
    encoding: str

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "title": self.title, "sha256": self.sha256,
                "format": self.format, "encoding": self.encoding, "chars": len(self.text),
                "text": self.text}


@dataclass(frozen=True)
class DocumentError:
    name: str
    error: str

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name}


def iter_documents(inputs: list[str], *, max_bytes: int = MAX_BYTES
                   ) -> Iterator[Document | DocumentError]:
    """Every document of every input, in order; folders recursively, sorted by path."""
    for item in inputs:
        if item == "-":
            raw = sys.stdin.buffer.read(max_bytes + 1)
            if len(raw) > max_bytes:
                # Only the limit was read: how much more there is is unknown.
                yield DocumentError("-", f"document is over the {max_bytes / 2**20:.0f} MB "
                                         "limit")
                continue
            yield from documents_from_bytes("-", raw, max_bytes=max_bytes)
            continue
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not files:
                yield DocumentError(item, "folder holds no files")
            for file in files:
                yield from _from_file(file, max_bytes)
        elif path.is_file():
            yield from _from_file(path, max_bytes)
        else:
            yield DocumentError(item, "no such file or folder")


def _from_file(path: Path, max_bytes: int) -> Iterator[Document | DocumentError]:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield DocumentError(str(path), _too_large(size, max_bytes))
            return
        raw = path.read_bytes()
    except OSError as exc:
        yield DocumentError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    yield from documents_from_bytes(str(path), raw, max_bytes=max_bytes)


def _too_large(size: int, limit: int) -> str:
    return f"document is {size / 2**20:.1f} MB, over the {limit / 2**20:.0f} MB limit"


def documents_from_bytes(name: str, raw: bytes, *, max_bytes: int = MAX_BYTES,
                         kind: str | None = None) -> Iterator[Document | DocumentError]:
    """The documents in one byte string; `kind` forces text / html / feed."""
    if len(raw) > max_bytes:
        yield DocumentError(name, _too_large(len(raw), max_bytes))
        return
    if not raw.strip():
        yield DocumentError(name, "empty document")
        return
    head = raw[:_SNIFF]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        yield DocumentError(name, "binary file: not text, HTML or a feed")
        return
    kind = kind or ("feed" if _FEED.search(head) else "html" if _HTML.search(head) else "text")
    if kind == "feed":
        yield from _feed(name, raw)
        return
    try:
        text, encoding = decode(raw, html=kind == "html")
    except ValueError as exc:
        yield DocumentError(name, str(exc))
        return
    if kind == "html":
        title, body = html_to_text(text)
    else:
        title, body = None, text
    yield _document(name, title, body, kind, encoding)


def _document(name: str, title: str | None, body: str, fmt: str, encoding: str
              ) -> Document | DocumentError:
    body = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        return DocumentError(name, "no text found in the document")
    if _control_share(body) > 0.02:
        return DocumentError(name, "binary content: the text is mostly control characters")
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return Document(name=name, title=title, text=body, sha256=digest, format=fmt,
                    encoding=encoding)


def _control_share(text: str) -> float:
    sample = text[:20000]
    bad = sum(1 for c in sample if ord(c) < 32 and c not in "\n\t\f\v")
    return bad / max(1, len(sample))


def decode(raw: bytes, *, html: bool = False) -> tuple[str, str]:
    """(text, encoding): BOM, then strict UTF-8, then a declared HTML charset, then detection.

    Raises ValueError when the bytes are damaged UTF-8 or no encoding reads them cleanly.
    """
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"),
                       (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(codec), codec.replace("-sig", "")
            except UnicodeDecodeError as exc:
                raise ValueError(f"broken {codec} text at byte {exc.start}") from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if len(_UTF8_MULTIBYTE.findall(raw[:200_000])) >= 3:
            raise ValueError(f"broken encoding: UTF-8 text with invalid bytes at byte "
                             f"{exc.start}") from None
    if html and (declared := _META_CHARSET.search(raw[:_SNIFF])):
        codec = declared.group(1).decode("ascii").lower()
        try:
            return raw.decode(codec), codec
        except (LookupError, UnicodeDecodeError):
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:1_000_000]).best()
    if best is None or best.chaos > 0.3:
        raise ValueError("broken encoding: no text encoding reads these bytes cleanly")
    try:
        return raw.decode(best.encoding), best.encoding
    except (LookupError, UnicodeDecodeError):
        raise ValueError("broken encoding: no text encoding reads these bytes cleanly") from None


def html_to_text(html: str) -> tuple[str | None, str]:
    """(title, main text). trafilatura keeps the article and drops navigation and boilerplate;
    a fragment too small for it to call an article is read whole, scripts and styles dropped."""
    import trafilatura

    result = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=True, favor_recall=True,
        with_metadata=True, deduplicate=False,
    )
    title = None
    text = ""
    if result is not None:
        data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
        title = data.get("title") or None
        text = data.get("text") or ""
    if not text.strip():
        text = _plain_html_text(html)
    if title is None:
        title = _html_title(html)
    return title, text


def _parse_html(html: str) -> etree._Element | None:
    from lxml import html as lhtml

    try:
        return lhtml.fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _plain_html_text(html: str) -> str:
    root = _parse_html(html)
    if root is None:
        return ""
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    lines = (line.strip() for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _html_title(html: str) -> str | None:
    root = _parse_html(html)
    if root is None:
        return None
    found = root.xpath("//title/text()")
    return found[0].strip() or None if found else None


_FEED_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                               recover=False, remove_blank_text=True)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _feed(name: str, raw: bytes) -> Iterator[Document | DocumentError]:
    """RSS 0.9x/1.0/2.0 and Atom: one document per item (title + its HTML or text body)."""
    try:
        root = etree.fromstring(raw, _FEED_PARSER)
    except etree.XMLSyntaxError as exc:
        yield DocumentError(name, f"not a readable feed: {exc}")
        return
    items = [el for el in root.iter() if _local(el.tag) in ("item", "entry")]
    if not items:
        yield DocumentError(name, "empty feed: no items or entries")
        return
    for n, item in enumerate(items, start=1):
        fields: dict[str, str] = {}
        for child in item:
            local = _local(child.tag)
            if local == "link" and child.get("href"):
                fields.setdefault("link", child.get("href", ""))
            elif local in ("title", "link", "description", "summary", "content", "encoded"):
                value = "".join(child.itertext()) if len(child) else (child.text or "")
                fields.setdefault(local, value.strip())
        body_html = fields.get("encoded") or fields.get("content") or fields.get(
            "description") or fields.get("summary") or ""
        body = (_plain_html_text(body_html) if "<" in body_html else body_html)
        title = fields.get("title") or None
        text = "\n\n".join(part for part in (title, body) if part)
        item_name = f"{name}#{n}"
        yield _document(item_name, title, text, "feed-item", "utf-8")
