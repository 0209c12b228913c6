"""Readers for official list formats, and detection of which reader a file or folder needs.

Each reader module exposes `read(paths: Sequence[Path]) -> ListRead`. Modules are imported lazily
so that importing one list does not load every parser.
"""

from __future__ import annotations

import gzip
import importlib
import zipfile
from pathlib import Path

from tradescreen.sources import limits
from tradescreen.sources.base import ListRead, SourceError, SupplementOnly

__all__ = ["FORMATS", "ListRead", "SourceError", "SupplementOnly", "detect", "list_files", "read"]

# format name -> module under tradescreen.sources
FORMATS: dict[str, str] = {
    "ofac_csv": "ofac_csv",
    "ofac_xml": "ofac_xml",
    "ofac_enhanced_xml": "ofac_enhanced",
    "un_xml": "un_xml",
    "csl_csv": "csl",
    "ca_sema_xml": "canada",
    "au_dfat_xlsx": "australia",
    "ftm_json": "ftm_json",
    "eu_fsf_xml": "eu_fsf",
    "uk_sanctions_xml": "uk_sanctions",
}


def list_files(path: Path) -> list[Path]:
    """The files `read(path)` hands to a reader: the file itself, or a folder's list files."""
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.is_file() and p.suffix.lower() != ".md" and
            not p.name.startswith(".")
        )
        if not files:
            raise SourceError(f"{path}: folder holds no list files")
        return files
    if path.is_file():
        return [path]
    raise SourceError(f"{path}: no such file or folder")


_OFAC_CSV_NAMES = {
    "sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv",
    "cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv",
}


def _head(path: Path, size: int = 4096) -> bytes:
    if path.suffix.lower() == ".gz":
        try:
            with gzip.open(path, "rb") as fh:
                return fh.read(size)
        except (OSError, EOFError) as exc:
            raise SourceError(f"{path.name}: not a readable gzip file ({exc})") from exc
    with path.open("rb") as fh:
        return fh.read(size)


def detect(files: list[Path]) -> str:
    """Name the format of a list's files from their names and first bytes."""
    names = {p.name.lower() for p in files}
    if names & _OFAC_CSV_NAMES:
        # Also without sdn.csv / cons_prim.csv: the reader then raises SupplementOnly, which
        # the importer turns into a combination with the active snapshot's primary file.
        return "ofac_csv"
    first = files[0]
    suffix = first.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(first) as zf:
                inner = [n.lower() for n in zf.namelist()]
        except zipfile.BadZipFile as exc:
            raise SourceError(f"{first.name}: not a valid zip file ({exc})") from exc
        if any("enhanced" in n for n in inner):
            return "ofac_enhanced_xml"
        raise SourceError(f"{first.name}: zip holds no known list file ({', '.join(inner)})")
    if suffix == ".xlsx":
        return "au_dfat_xlsx"
    head = _head(first)
    text = head.decode("utf-8", errors="replace")
    if suffix in {".json", ".jsonl", ".ndjson"} or text.lstrip().startswith("{"):
        return "ftm_json"
    if "sdnList" in text:
        return "ofac_xml"
    if "sanctionsData" in text or "ENHANCED" in first.name.upper():
        return "ofac_enhanced_xml"
    if "CONSOLIDATED_LIST" in text:
        return "un_xml"
    if "<data-set" in text or "<Country>" in text and "<record>" in text:
        return "ca_sema_xml"
    if "<export" in text and "sanctionEntity" in text:
        return "eu_fsf_xml"
    if "<Designations" in text or "<ArrayOfFinancialSanctionsTarget" in text:
        return "uk_sanctions_xml"
    if "entity_number" in text and "source" in text and "alt_names" in text:
        return "csl_csv"
    raise SourceError(f"{first.name}: unrecognised list format; pass --format")


def read(path: Path, format: str | None = None) -> ListRead:
    """Read a list file or a folder holding one list's files.

    Raises SupplementOnly (a SourceError) for OFAC add/alt/comments files without their primary.
    """
    files = list_files(path)
    fmt = format or detect(files)
    if fmt not in FORMATS:
        raise SourceError(f"unknown format {fmt!r}; known: {', '.join(sorted(FORMATS))}")
    module = importlib.import_module(f"tradescreen.sources.{FORMATS[fmt]}")
    result: ListRead = module.read(files)
    if not result.entities:
        raise SourceError(f"{path.name}: no entities found; refusing to import an empty list")
    if isinstance(result.entities, list):
        limits.check_entities(result.entities, path.name)
    # A streamed collection (FtM) is checked entity by entity as the store stages it.
    return result
