"""Which citations are official texts, and the official text of a document the reference data
cites only through a reproduction (data/official_texts.yaml).

A citation points to the issuing authority's own text wherever one is known; otherwise it keeps
the reproduction and says so (`secondary`). Pure: no network, the table ships with the package.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlparse

import yaml

# Hosts of the authorities whose texts the checks rest on (and the lists' official downloads).
# A host matches itself and its subdomains: "treasury.gov" covers ofac.treasury.gov.
OFFICIAL_HOSTS = (
    "bis.gov", "bis.doc.gov", "commerce.gov", "trade.gov",  # U.S. Commerce
    "treasury.gov", "treas.gov", "fincen.gov",  # U.S. Treasury, OFAC, FinCEN
    "ecfr.gov", "federalregister.gov", "govinfo.gov",  # U.S. law as published
    "state.gov", "justice.gov", "whitehouse.gov",
    "europa.eu",  # eur-lex, the Council, the Commission (EU Financial Sanctions Files)
    "legislation.gov.uk", "gov.uk",
    "un.org",
    "gc.ca", "canada.ca", "gov.au", "gov.hk",  # Canada, Australia, Hong Kong SAR
)


def is_official(url: str | None) -> bool:
    if not url:
        return False
    host = (urlparse(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in OFFICIAL_HOSTS)


@lru_cache(maxsize=1)
def official_texts() -> dict[str, dict[str, Any]]:
    """Source id -> {source, title, url} or {same_as: "file#id"}."""
    text = resources.files("tradescreen.controls").joinpath("data/official_texts.yaml")
    data = yaml.safe_load(text.read_text(encoding="utf-8")) or {}
    for sid, entry in data.items():
        if "same_as" not in entry and not is_official(entry.get("url")):
            raise ValueError(f"official_texts.yaml: {sid}: {entry.get('url')!r} is not an "
                             "official address")
    return data
