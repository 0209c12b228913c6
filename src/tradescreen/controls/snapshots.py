"""Controls snapshots under $TRADESCREEN_HOME/controls: one folder per distinct content.

Layout: `controls/<id>/` holds the YAML files exactly as imported plus `manifest.json`
(file hashes, import time); `controls/active.json` names the active snapshot. A new snapshot is
written to a temporary folder and renamed into place, and the pointer is replaced with
os.replace, so a reader sees the old snapshot or the new one, never half of either. Files are
parsed and checked before anything is written: a malformed file changes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tradescreen.controls.loader import (
    ControlsError,
    ControlSet,
    content_id,
    parse_all,
    read_folder,
    read_raw,
)
from tradescreen.controls.reference import Reference

Clock = Callable[[], datetime]
HINT = "run `tradescreen controls import PATH` (PATH: the domain reference folder)"


def _root(home: Path) -> Path:
    return home / "controls"


def _now() -> datetime:
    return datetime.now(UTC)


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _active_id(home: Path) -> str | None:
    pointer = _root(home) / "active.json"
    if not pointer.is_file():
        return None
    try:
        return str(json.loads(pointer.read_text(encoding="utf-8"))["id"])
    except (ValueError, KeyError, TypeError):
        raise ControlsError(f"{pointer}: damaged pointer file; {HINT}") from None


def import_controls(home: Path, folder: Path, *, clock: Clock = _now) -> dict[str, Any]:
    """Store `folder` as a controls snapshot and activate it; `status` says what happened."""
    raw = read_raw(folder)
    parsed = parse_all(raw, origin="snapshot")  # refuses malformed files before any write
    Reference(parsed)  # and data screening could not use
    ident = f"controls-{content_id(parsed.files)[:12]}"
    root = _root(home)
    root.mkdir(parents=True, exist_ok=True)
    previous = _active_id(home)
    target = root / ident
    status = "unchanged" if previous == ident else "imported"
    if not (target / "manifest.json").is_file():
        staging = Path(tempfile.mkdtemp(dir=root, prefix=".staging-"))
        try:
            for name, body in raw.items():
                (staging / name).write_bytes(body)
            manifest = {
                "id": ident,
                "imported_at": clock().astimezone(UTC).isoformat(timespec="seconds"),
                "files": parsed.files,
                "folder": folder.name,
            }
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
            if target.exists():  # a partial folder left by a crash: the manifest came last
                shutil.rmtree(target)
            os.rename(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    if status == "imported":
        _write_json_atomic(root / "active.json", {"id": ident})
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return {**manifest, "status": status, "replaced": previous if status == "imported" else None}


def list_controls(home: Path) -> list[dict[str, Any]]:
    """Every stored controls snapshot, oldest first, with `active` set on the one in force."""
    root = _root(home)
    if not root.is_dir():
        return []
    active = _active_id(home)
    out = []
    for manifest in root.glob("controls-*/manifest.json"):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        data["active"] = data["id"] == active
        out.append(data)
    return sorted(out, key=lambda d: d["imported_at"])


def active_controls(home: Path) -> ControlSet | None:
    ident = _active_id(home)
    if ident is None:
        return None
    folder = _root(home) / ident
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        raw = {name: (folder / name).read_bytes() for name in manifest["files"]}
    except (OSError, ValueError, KeyError) as exc:
        raise ControlsError(f"controls snapshot {ident} is unreadable ({exc}); {HINT}") from None
    return parse_all(raw, origin="snapshot", ident=ident)


def load_controls(home: Path, folder: Path | None = None) -> Reference:
    """The reference tables from `folder` when given, else from the active snapshot."""
    controls = read_folder(folder) if folder is not None else active_controls(home)
    if controls is None:
        raise ControlsError(f"no export-control reference data imported yet: {HINT}")
    return Reference(controls)
