"""Decompression and value-size limits, on bombs and oversized values built from the real files.

Each bomb is a real list file with padding that expands hundreds of times (a few hundred KB on
disk, hundreds of MB inflated): the reader must refuse it while reading, with a clear message,
and `lists import` must leave the store untouched."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradescreen import sources
from tradescreen.cli import app
from tradescreen.sources.base import SourceError
from tradescreen.sources.limits import MAX_NAME

runner = CliRunner()
PAD = 300 << 20  # bytes of padding: far past the limit for files this small


def _padded_zip(source: Path, target: Path, member: str, pad: bytes, at: bytes) -> Path:
    """A copy of a real zip with `pad` * n inserted into `member` before its `at` marker."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(
        target, "w", zipfile.ZIP_DEFLATED, compresslevel=1
    ) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != member:
                dst.writestr(info.filename, data)
                continue
            cut = data.rindex(at)
            with dst.open(member, "w", force_zip64=True) as fh:
                fh.write(data[:cut])
                block = pad * ((1 << 20) // len(pad))
                for _ in range(PAD >> 20):
                    fh.write(block)
                fh.write(data[cut:])
    return target


def test_csl_gzip_bomb_is_refused(data_dir: Path, tmp_path: Path) -> None:
    text = gzip.decompress((data_dir / "csl" / "consolidated.csv.gz").read_bytes())
    lines = text.split(b"\n")
    path = tmp_path / "consolidated.csv.gz"
    with gzip.open(path, "wb", compresslevel=1) as fh:
        fh.write(lines[0].rstrip(b"\r"))
        block = b"," * (1 << 20)  # a header with millions of empty columns
        for _ in range(PAD >> 20):
            fh.write(block)
        fh.write(b"\n" + b"\n".join(lines[1:20]) + b"\n")
    assert path.stat().st_size < 2 << 20
    with pytest.raises(SourceError, match=r"consolidated\.csv\.gz: expands to more than .*bomb"):
        sources.read(path)


def test_xlsx_bomb_is_refused(data_dir: Path, tmp_path: Path) -> None:
    path = _padded_zip(
        data_dir / "australia" / "regulation8_consolidated.xlsx",
        tmp_path / "regulation8_consolidated.xlsx", "xl/worksheets/sheet1.xml", b" ",
        b"</sheetData>",
    )
    assert path.stat().st_size < 4 << 20
    with pytest.raises(SourceError, match=r"regulation8_consolidated\.xlsx: expands to more"):
        sources.read(path)


def test_enhanced_xml_zip_bomb_is_refused_and_store_untouched(
    home: Path, data_dir: Path, tmp_path: Path
) -> None:
    real = data_dir / "ofac" / "consolidated_nonsdn_enhanced_xml" / "CONS_ENHANCED.ZIP"
    path = _padded_zip(real, tmp_path / "CONS_ENHANCED.ZIP", "CONS_ENHANCED.XML", b"\n",
                       b"</sanctionsData>")
    result = runner.invoke(app, ["lists", "import", str(path)])
    assert result.exit_code == 1
    assert "CONS_ENHANCED.ZIP: expands to more than" in " ".join(result.stderr.split())
    assert not (home / "tradescreen.db").exists() or json.loads(
        runner.invoke(app, ["lists", "status", "--json"]).stdout) == []


def test_oversized_name_is_refused(data_dir: Path, tmp_path: Path) -> None:
    data = (data_dir / "un" / "consolidated.xml").read_bytes()
    huge = b"ERIC " + b"BADEGE " * (3 << 20 >> 3)
    path = tmp_path / "consolidated.xml"
    path.write_bytes(data.replace(b"<FIRST_NAME>ERIC</FIRST_NAME>",
                                  b"<FIRST_NAME>" + huge + b"</FIRST_NAME>", 1))
    with pytest.raises(SourceError, match=rf"consolidated\.xml: entity .*: a name of [\d,]+ "
                                          rf"characters \(limit {MAX_NAME:,}"):
        sources.read(path)


def test_real_files_are_within_the_limits(data_dir: Path) -> None:
    for name in ("csl/consolidated.csv.gz", "australia/regulation8_consolidated.xlsx",
                 "ofac/consolidated_nonsdn_enhanced_xml/CONS_ENHANCED.ZIP"):
        assert sources.read(data_dir / name).entities
