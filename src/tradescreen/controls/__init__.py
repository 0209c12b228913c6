"""Export-control reference data (CHPL, Iran UAV items, red flags, jurisdictions, ports, UAV
programme entities), imported like the lists: a folder of cited YAML files becomes a versioned,
hash-identified snapshot under $TRADESCREEN_HOME/controls, and screening reads the active one.

    from tradescreen.controls import load_controls
    reference = load_controls(settings)            # active snapshot (or $TRADESCREEN_CONTROLS)
"""

from __future__ import annotations

from tradescreen.controls.loader import REQUIRED_FILES, ControlsError, ControlSet, read_folder
from tradescreen.controls.reference import Citation, Reference
from tradescreen.controls.snapshots import (
    active_controls,
    import_controls,
    list_controls,
    load_controls,
)

__all__ = [
    "REQUIRED_FILES",
    "Citation",
    "ControlSet",
    "ControlsError",
    "Reference",
    "active_controls",
    "import_controls",
    "list_controls",
    "load_controls",
    "read_folder",
]
