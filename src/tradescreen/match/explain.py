"""Explanation rows: one per piece of evidence, in the order it was added (a waterfall)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Feature:
    feature: str  # stable machine name, e.g. "name_dice", "birth_date", "identifier"
    label: str  # the level reached, in words ("all tokens agree", "year conflicts")
    weight: float  # contribution to the log-odds
    value: Any = None  # the measurement (a similarity, a date pair, an identifier)
    detail: str = ""  # human sentence: what matched what

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["weight"] = round(self.weight, 3)
        if isinstance(self.value, float):
            data["value"] = round(self.value, 3)
        return data


def token_detail(query_tokens: tuple[str, ...], cand_tokens: tuple[str, ...], pairs) -> str:
    """'putin=putin (exact), vladimir~vladimr (typo)' for the alignment row."""
    parts = []
    for p in pairs:
        q = " ".join(query_tokens[i] for i in p.query)
        c = " ".join(cand_tokens[j] for j in p.candidate)
        parts.append(f"{q}={c}" if p.kind == "exact" else f"{q}~{c} ({p.kind})")
    return ", ".join(parts)
