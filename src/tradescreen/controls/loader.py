"""Read and check a folder of control YAML files. Pure apart from reading the files given."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# file -> the top-level keys screening relies on; a file without them is refused at import time
# rather than failing later in the middle of a screening run.
REQUIRED_FILES: dict[str, tuple[str, ...]] = {
    "chpl.yaml": ("sources", "items"),
    "iran_uav_items.yaml": ("sources", "item_categories", "items"),
    "red_flags.yaml": ("sources", "flags"),
    "jurisdictions.yaml": (
        "sources", "comprehensive_or_major_programmes", "transshipment_concern_russia"
    ),
    "ports.yaml": ("sources", "ports"),
    "uav_programme_entities.yaml": ("sources", "entities"),
}


class ControlsError(ValueError):
    """Control data that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class ControlSet:
    """The parsed files of one controls snapshot (or of a folder read directly)."""

    id: str
    files: dict[str, str]  # file name -> sha256 of its bytes
    data: dict[str, dict[str, Any]]  # file name -> parsed YAML
    origin: str  # "snapshot" or "folder"


def content_id(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(f"{name}\0{files[name]}\n".encode())
    return digest.hexdigest()


def parse_file(name: str, raw: bytes) -> dict[str, Any]:
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ControlsError(f"{name}: not UTF-8 text ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ControlsError(f"{name}: malformed YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise ControlsError(f"{name}: expected a mapping at the top level")
    for key in REQUIRED_FILES.get(name, ()):
        if not isinstance(data.get(key), list):
            raise ControlsError(f"{name}: missing or non-list `{key}`")
    for i, source in enumerate(data.get("sources") or ()):
        if not isinstance(source, dict) or not source.get("id"):
            raise ControlsError(f"{name}: sources[{i}] has no id")
    return data


def read_raw(folder: Path) -> dict[str, bytes]:
    """The required files' bytes; an unreadable or missing file is an error naming it."""
    if not folder.is_dir():
        raise ControlsError(f"{folder}: not a folder of control files")
    missing = [n for n in REQUIRED_FILES if not (folder / n).is_file()]
    if missing:
        raise ControlsError(f"{folder}: missing {', '.join(missing)}")
    return {name: (folder / name).read_bytes() for name in REQUIRED_FILES}


def parse_all(raw: dict[str, bytes], *, origin: str, ident: str | None = None) -> ControlSet:
    files = {name: hashlib.sha256(data).hexdigest() for name, data in raw.items()}
    data = {name: parse_file(name, body) for name, body in raw.items()}
    return ControlSet(id=ident or f"folder-{content_id(files)[:12]}", files=files, data=data,
                      origin=origin)


def read_folder(folder: Path) -> ControlSet:
    """Read a domain folder directly (`--controls PATH`, `$TRADESCREEN_CONTROLS`)."""
    return parse_all(read_raw(folder), origin="folder")
