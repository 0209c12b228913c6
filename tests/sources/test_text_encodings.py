"""Every text list format is read in the encoding its bytes are in, and the import says which.

The real files re-encoded as a spreadsheet or an editor would leave them: the same entities must
come out (no mojibake, no refusal), with the encoding reported in the read's stats and a warning
wherever the file is not in the encoding its format documents.
"""

from __future__ import annotations

import gzip
import re
import zipfile
from pathlib import Path

import pytest

from tradescreen.sources import canada, csl, ofac_enhanced, ofac_xml, un_xml
from tradescreen.sources.base import ListRead, SourceError


def _names(read: ListRead) -> dict[str, tuple[str, ...]]:
    return {e.source_id: tuple(n.value for n in e.names) for e in read.entities}


@pytest.fixture(scope="module")
def csl_text(data_dir: Path) -> str:
    text = gzip.decompress((data_dir / "csl" / "consolidated.csv.gz").read_bytes()).decode()
    # Letters Windows-1252 lacks (Cyrillic, Arabic aliases) become "?" in both copies compared.
    return "".join(c if c.encode("cp1252", "ignore") else "?" for c in text)


@pytest.fixture(scope="module")
def csl_utf8(csl_text: str, tmp_path_factory: pytest.TempPathFactory) -> ListRead:
    path = tmp_path_factory.mktemp("csl") / "consolidated.csv"
    path.write_bytes(csl_text.encode("utf-8"))
    return csl.read([path])


def test_real_csl_is_utf8_without_warning(data_dir: Path) -> None:
    read = csl.read([data_dir / "csl" / "consolidated.csv.gz"])
    assert read.stats["encoding"] == {"consolidated.csv.gz": "utf-8"}
    assert not [w for w in read.warnings if "UTF-8" in w]


@pytest.mark.parametrize("codec", ["cp1252", "utf-16", "utf-8-sig"])
def test_reencoded_csl_reads_the_same_names(
    csl_text: str, csl_utf8: ListRead, tmp_path: Path, codec: str
) -> None:
    assert csl_text.count("§") > 3000 and csl_text.count("“") > 300  # in the license fields
    path = tmp_path / "consolidated.csv"
    path.write_bytes(csl_text.encode(codec))
    read = csl.read([path])
    assert read.entities == csl_utf8.entities
    assert read.stats["encoding"] == {"consolidated.csv": codec}
    legacy = [w for w in read.warnings if "not UTF-8" in w]
    assert bool(legacy) == (codec == "cp1252")
    if legacy:
        assert "read as cp1252" in legacy[0]


def test_gzipped_cp1252_csl_is_detected(csl_text: str, csl_utf8: ListRead, tmp_path: Path) -> None:
    path = tmp_path / "consolidated.csv.gz"
    path.write_bytes(gzip.compress(csl_text.encode("cp1252")))
    read = csl.read([path])
    assert read.stats["encoding"] == {"consolidated.csv.gz": "cp1252"}
    assert read.entities == csl_utf8.entities


def test_binary_csl_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.csv"
    path.write_bytes(b"_id,source\x00\xff\xfe\x00\x81" * 50)
    with pytest.raises(SourceError, match="consolidated.csv"):
        csl.read([path])


_DECLARATION = re.compile(r'<\?xml[^>]*\?>')


def _xml_copy(src: Path, dst: Path, *, declaration: str | None, codec: str) -> Path:
    text = src.read_text(encoding="utf-8")
    head = f'<?xml version="1.0" encoding="{declaration}"?>' if declaration else ""
    text = _DECLARATION.sub(head, text, count=1)
    # Letters the codec lacks become character references: still the same XML text.
    dst.write_bytes(text.encode(codec, "xmlcharrefreplace"))
    return dst


@pytest.mark.parametrize(
    ("module", "rel"), [(canada, "canada/sema-lmes.xml"), (un_xml, "un/consolidated.xml")]
)
@pytest.mark.parametrize(
    ("declaration", "codec", "warned"),
    [
        ("windows-1252", "cp1252", False),  # declared truthfully: lxml reads it as declared
        ("UTF-8", "cp1252", True),  # re-saved by a tool that kept the old declaration
        (None, "cp1252", True),  # declaration dropped: XML would take it for UTF-8
        (None, "utf-16", False),  # byte order mark
    ],
)
def test_xml_lists_read_in_their_real_encoding(
    data_dir: Path, tmp_path: Path, module, rel: str, declaration: str | None, codec: str,
    warned: bool,
) -> None:
    src = data_dir / rel
    original = module.read([src])
    assert original.stats["encoding"] == {src.name: "utf-8"}
    copy = _xml_copy(src, tmp_path / src.name, declaration=declaration, codec=codec)
    read = module.read([copy])
    assert _names(read) == _names(original)
    reported = read.stats["encoding"][src.name]
    assert reported.replace("windows-", "cp") == codec or reported.startswith(codec)
    encoding_warnings = [w for w in read.warnings if "encoding" in w and "read as" in w]
    assert bool(encoding_warnings) == warned
    if warned:
        assert f"read as {codec}" in encoding_warnings[0]


def _plain_xml(data_dir: Path, rel: str, tmp_path: Path) -> Path:
    src = data_dir / rel
    if src.suffix.lower() != ".zip":
        return src
    with zipfile.ZipFile(src) as zf:
        [inner] = [n for n in zf.namelist() if n.lower().endswith(".xml")]
        out = tmp_path / "original" / Path(inner).name
        out.parent.mkdir()
        out.write_bytes(zf.read(inner))
    return out


@pytest.mark.parametrize(
    ("module", "rel"),
    [(ofac_xml, "ofac/consolidated_nonsdn_xml/consolidated.xml"),
     (ofac_enhanced, "ofac/consolidated_nonsdn_enhanced_xml/CONS_ENHANCED.ZIP")],
)
def test_streamed_ofac_xml_read_in_its_real_encoding(
    data_dir: Path, tmp_path: Path, module, rel: str
) -> None:
    src = _plain_xml(data_dir, rel, tmp_path)
    text = src.read_text(encoding="utf-8")
    if not any(c.encode("cp1252", "ignore") for c in text if not c.isascii()):
        # Give the list one accented name Windows-1252 can write, so the encoding matters.
        tag = "<lastName>" if "<lastName>" in text else "<value>HANIYA"
        text = text.replace(tag, tag.replace(">", ">Mu\u00f1oz ", 1), 1)
        src = tmp_path / "accented" / src.name
        src.parent.mkdir()
        src.write_text(text, encoding="utf-8")
    original = module.read([src])
    assert not all(n.isascii() for names in _names(original).values() for n in names)
    assert original.stats["encoding"] == {src.name: "utf-8"}
    # Re-saved as Windows-1252 by a tool that kept (or added) a UTF-8 declaration.
    copy = _xml_copy(src, tmp_path / src.name, declaration="UTF-8", codec="cp1252")
    read = module.read([copy])
    assert _names(read) == _names(original)
    assert read.stats["encoding"] == {src.name: "cp1252"}
    assert any("declares encoding utf-8" in w and "read as cp1252" in w for w in read.warnings)
    if module is ofac_enhanced:  # the same inside the zip OFAC publishes
        zipped = tmp_path / "CONS_ENHANCED.ZIP"
        with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.write(copy, copy.name)
        read = module.read([zipped])
        assert _names(read) == _names(original)
        assert read.stats["encoding"] == {zipped.name: "cp1252"}
