"""Pure keys for cases: the party a query describes, the configuration a result depends on.

A cleared false positive is suppressed for one party and one list entry "until either changes":
the party is identified by a hash of its normalised query (so "ACME, Ltd." and "acme ltd" are the
same party, as are "Haniya, Ismail" and "Ismail Haniya", while a new birth date or country is a
changed party), the entry by its content hash.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from tradescreen.cases.chain import canonical
from tradescreen.normalize.text import tokens

_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")


def normalised_query(query: Mapping[str, Any]) -> dict[str, Any]:
    """The query fields that identify a party, folded so cosmetic differences vanish."""
    return {
        # Sorted tokens: lists and customers write "HANIYA, Ismail" and "Ismail Haniya".
        "name": " ".join(sorted(tokens(str(query.get("name") or "")))),
        "schema": query.get("schema") or "LegalEntity",
        "birth_date": query.get("birth_date") or None,
        "countries": sorted({str(c).upper() for c in query.get("countries") or ()}),
        "identifiers": sorted(
            {_NOT_ALNUM.sub("", str(i)).upper() for i in query.get("identifiers") or ()}
        ),
    }


def query_key(query: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(normalised_query(query)).encode()).hexdigest()


def thresholds_hash(match_threshold: float, review_threshold: float) -> str:
    """Hash of the settings that decide a result's band: recorded with every audit record."""
    config = {"match_threshold": match_threshold, "review_threshold": review_threshold}
    return hashlib.sha256(canonical(config).encode()).hexdigest()
