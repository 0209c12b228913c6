"""Reasons and the policy that turns them into a decision: clear, review or block.

A policy is data (YAML, see data/policy.yaml for the documented default): severity -> outcome,
per-code overrides, and the few numbers the checks use. Pure apart from `load_policy` reading
the file it is given.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from tradescreen.controls.reference import Citation

Severity = Literal["block", "review", "info"]
Decision = Literal["block", "review", "clear"]
CHECKS = ("party", "ownership", "goods", "route", "red_flag")
DECISION_RANK = {"clear": 0, "review": 1, "block": 2}


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the key."""


@dataclass(frozen=True)
class Reason:
    check: str  # party | ownership | goods | route | red_flag
    code: str
    text: str
    severity: Severity
    citation: Citation | None
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check, "code": self.code, "text": self.text,
            "severity": self.severity,
            "citation": self.citation.to_dict() if self.citation else None,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Params:
    ownership_block_share: float = 0.5
    recent_incorporation_after: str = "2022-02-24"
    young_company_months: int = 12
    cash_value_threshold: float = 10000.0
    party_limit: int = 3
    programme_entity_score: float = 0.85
    # Countries that control exports to Russia/Belarus as the US does (lower-case ISO codes).
    partner_countries: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    name: str
    severity: dict[str, Decision]
    codes: dict[str, Decision]
    params: Params
    fallback_citations: dict[str, Citation]
    hash: str = ""

    def outcome(self, reason: Reason) -> Decision:
        return self.codes.get(reason.code) or self.severity.get(reason.severity, "review")

    def decide(self, reasons: list[Reason]) -> Decision:
        decision: Decision = "clear"
        for reason in reasons:
            outcome = self.outcome(reason)
            if DECISION_RANK[outcome] > DECISION_RANK[decision]:
                decision = outcome
        return decision


def _outcome(value: Any, where: str) -> Decision:
    if value not in DECISION_RANK:
        raise PolicyError(f"{where}: {value!r} is not block, review or clear")
    return value  # type: ignore[no-any-return]


def parse_policy(data: Any, digest: str = "") -> Policy:
    if not isinstance(data, dict):
        raise PolicyError("policy: expected a mapping at the top level")
    unknown = set(data) - {"version", "name", "severity", "codes", "parameters",
                           "fallback_citations"}
    if unknown:
        raise PolicyError(f"policy: unknown key(s) {', '.join(sorted(unknown))}")
    severity = {"block": "block", "review": "review", "info": "clear"}
    for key, value in (data.get("severity") or {}).items():
        if key not in severity:
            raise PolicyError(f"severity: unknown severity {key!r} (block, review, info)")
        severity[key] = _outcome(value, f"severity.{key}")
    codes = {str(k): _outcome(v, f"codes.{k}") for k, v in (data.get("codes") or {}).items()}
    params_raw = data.get("parameters") or {}
    known = Params.__dataclass_fields__
    bad = set(params_raw) - set(known)
    if bad:
        raise PolicyError(f"parameters: unknown key(s) {', '.join(sorted(bad))}")
    partners = params_raw.get("partner_countries")
    if partners is not None and not (
        isinstance(partners, list)
        and all(isinstance(c, str) and len(c) == 2 and c.isalpha() for c in partners)
    ):
        raise PolicyError("parameters.partner_countries: expected a list of two-letter codes")
    if partners is not None:
        params_raw = {**params_raw, "partner_countries": [c.lower() for c in partners]}
    try:
        params = Params(**{k: type(getattr(Params(), k))(v) for k, v in params_raw.items()})
    except (TypeError, ValueError) as exc:
        raise PolicyError(f"parameters: {exc}") from None
    fallback = {}
    for code, cite in (data.get("fallback_citations") or {}).items():
        if not isinstance(cite, dict) or not cite.get("url"):
            raise PolicyError(f"fallback_citations.{code}: needs source, title and url")
        fallback[str(code).lower()] = Citation(
            source=str(cite.get("source", "")), title=str(cite.get("title", "")),
            url=str(cite["url"]), id=f"policy:{code}", file="policy",
        )
    return Policy(name=str(data.get("name") or "custom"), severity=severity,  # type: ignore[arg-type]
                  codes=codes, params=params, fallback_citations=fallback, hash=digest)


def load_policy(path: Path | None = None) -> Policy:
    """The policy in `path`, or the packaged conservative default."""
    if path is None:
        raw = resources.files("tradescreen.screen").joinpath("data/policy.yaml").read_bytes()
    else:
        raw = Path(path).read_bytes()
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise PolicyError(f"policy: malformed YAML ({str(exc).splitlines()[0]})") from None
    return parse_policy(data, hashlib.sha256(raw).hexdigest())
