"""Goods check: CHPL tiers by HS-6, Iran UAV item categories by HS code and by description
keywords, finished UAVs; severity depends on where the goods go. Pure.

Severity (why): the CHPL tiers 1-2 are the items BIS asks exporters to stop at the Russian border
first, so with Russia/Belarus/Iran or an embargoed place on the receiving side they block; other
tiers, and any CHPL item into a known transshipment country, need review; elsewhere the hit is
recorded as info (a German microcontroller sold to France is ordinary trade).
"""

from __future__ import annotations

import re

from tradescreen.controls.reference import Reference
from tradescreen.screen.policy import Policy, Reason, Severity
from tradescreen.screen.routes import RUSSIA_BELARUS, Exposure
from tradescreen.screen.tx_model import GoodsLine, Transaction

# Description/part-number keywords -> the Iran UAV guidance item they point to. The guidance
# names item categories, not words; these are the common trade words for those items.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "uav-01": ("microcontroller", "mcu", "microprocessor", "dsp", "flight controller",
               "autopilot"),
    "uav-02": ("memory chip", "flash memory", "eeprom", "sram", "dram"),
    "uav-03": ("amplifier ic", "rf amplifier", "power amplifier", "lna"),
    "uav-04": ("fpga", "field programmable gate array", "integrated circuit"),
    "uav-05": ("transceiver", "rf module", "radio module", "datalink", "data link"),
    "uav-06": ("tantalum capacitor", "mlcc", "ceramic capacitor"),
    "uav-07": ("accelerometer",),
    "uav-08": ("gyroscope", "gyro"),
    "uav-09": ("imu", "inertial measurement", "inertial navigation", "ins module", "ahrs"),
    "uav-10": ("navigation sensor", "air data", "pitot", "magnetometer", "altimeter"),
    "uav-11": ("piston engine", "spark ignition engine", "two-stroke engine", "2-stroke engine",
               "aircraft engine", "aero engine", "boxer engine"),
    "uav-12": ("compression ignition engine", "heavy fuel engine", "diesel aircraft engine"),
    "uav-13": ("servo", "servomotor", "servo motor", "servo actuator"),
    "uav-14": ("uav engine", "drone engine", "propeller", "engine for uav", "engine for drone"),
    "uav-15": ("gnss", "gps module", "gps receiver", "glonass", "beidou", "gps antenna"),
    "uav-16": ("dc-dc", "dc/dc", "dc dc converter"),
}
# A whole unmanned aircraft (or a kit of one): reviewed wherever it goes.
SYSTEM_WORDS = ("uav", "uas", "drone", "unmanned aerial", "unmanned aircraft", "quadcopter",
                "multicopter", "loitering munition", "fixed-wing", "fixed wing")
_PATTERNS = {
    item: re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")s?\b", re.I)
    for item, words in KEYWORDS.items()
}
_SYSTEM = re.compile(r"\b(" + "|".join(re.escape(w) for w in SYSTEM_WORDS) + r")s?\b", re.I)
_TOP = {"1", "2"}


def _risk(ref: Reference, exp: Exposure) -> tuple[set[str], set[str]]:
    """(sanctioned places receiving the goods, transshipment countries on the receiving side)."""
    receiving = exp.receiving
    sanctioned = {c for c in receiving if c in ref.jurisdictions}
    return sanctioned, {c for c in receiving if c in ref.transshipment}


def goods_reasons(tx: Transaction, ref: Reference, policy: Policy, exp: Exposure) -> list[Reason]:
    sanctioned, transship = _risk(ref, exp)
    reasons: list[Reason] = []
    for line in tx.goods:
        reasons += _chpl(line, ref, sanctioned, transship)
        reasons += _uav(line, ref, sanctioned, transship)
    return reasons


def _where(sanctioned: set[str], transship: set[str]) -> dict[str, list[str]]:
    return {"sanctioned_destinations": sorted(sanctioned),
            "transshipment_countries": sorted(transship)}


def _chpl(line: GoodsLine, ref: Reference, sanctioned: set[str],
          transship: set[str]) -> list[Reason]:
    if not line.hs:
        return []
    item = ref.chpl.get(line.hs6 or "")
    if item is None:
        if len(line.hs) >= 6:
            return []
        # A heading ("8542") covers CHPL subheadings: the line may be one of them.
        heads = [i for h, i in sorted(ref.chpl.items()) if h.startswith(line.hs)]
        if not heads or not (sanctioned or transship):
            return []
        return [Reason(
            "goods", "CHPL_HEADING",
            f"{line.pointer}: HS {line.hs_code} is a heading that contains CHPL items "
            f"({', '.join(h.hs6 for h in heads)}); give the six-digit code",
            "review", heads[0].citation,
            {"field": f"{line.pointer}/hs_code", "hs_code": line.hs_code,
             "chpl": [h.hs6 for h in heads], **_where(sanctioned, transship)},
        )]
    top = item.tier in _TOP
    severity: Severity
    if sanctioned:
        severity = "block" if top else "review"
        to = f"to {'/'.join(c.upper() for c in sorted(sanctioned))}"
    elif transship:
        severity, to = "review", f"via transshipment-risk {'/'.join(sorted(transship)).upper()}"
    else:
        severity, to = "info", "to a destination without Russia-related controls"
    code = "CHPL_HIGH_PRIORITY" if top else "CHPL_ITEM"
    return [Reason(
        "goods", code,
        f"{line.pointer}: HS {line.hs_code} is on the Common High Priority List, tier "
        f"{item.tier} ({item.description}), {to}",
        severity, ref.chpl_tier_citation(item.tier) or item.citation,
        {"field": f"{line.pointer}/hs_code", "hs6": item.hs6, "tier": item.tier,
         "description_verified": item.verified, **_where(sanctioned, transship)},
    )]


def _uav(line: GoodsLine, ref: Reference, sanctioned: set[str],
         transship: set[str]) -> list[Reason]:
    text = " ".join(x for x in (line.description, line.part_number or "") if x)
    hits: dict[str, str] = {}
    for item in ref.uav_items.values():
        if line.hs6 and line.hs6 in item.hs6:
            hits.setdefault(item.id, f"HS {line.hs6}")
    for item_id, pattern in _PATTERNS.items():
        found = pattern.search(text)
        if found and item_id in ref.uav_items:
            hits.setdefault(item_id, f"keyword {found.group(1)!r}")
    reasons: list[Reason] = []
    iran_russia = sanctioned & ({"ir"} | RUSSIA_BELARUS)
    for item_id, why in hits.items():
        item = ref.uav_items[item_id]
        by_code = why.startswith("HS")
        severity: Severity
        if "ir" in sanctioned or (iran_russia and by_code) or (sanctioned - iran_russia):
            severity = "block"
        elif iran_russia or transship:
            severity = "review"
        else:
            severity = "info"
        reasons.append(Reason(
            "goods", "UAV_COMPONENT",
            f"{line.pointer}: {why} matches '{item.item}' ({item.category}), an item category "
            "the U.S. guidance on Iran's UAV programme names",
            severity, item.citation,
            {"field": f"{line.pointer}/{'hs_code' if by_code else 'description'}",
             "item": item.id, "matched": why, **_where(sanctioned, transship)},
        ))
    system = _SYSTEM.search(text)
    if system:
        reasons.append(Reason(
            "goods", "UAV_SYSTEM",
            f"{line.pointer}: {system.group(1)!r} describes an unmanned aircraft or a part of one; "
            "UAVs are controlled items and Iran's UAV programme sources them abroad",
            "block" if sanctioned else "review", ref.uav_guidance(),
            {"field": f"{line.pointer}/description", "matched": system.group(1),
             **_where(sanctioned, transship)},
        ))
    return reasons
