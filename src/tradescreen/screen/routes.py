"""Route check: embargoed jurisdictions and regions, Russia/Belarus exposure, transshipment
points for Russia/Belarus and ports of concern, on every leg of the deal. Pure.

A transaction touches a country through its route (origin, transit, ports, destination, the
vessel's flag), its payer and its parties. `Exposure` collects those touch points once; the goods
and red-flag checks use it too ("CHPL item and a Russian consignee").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tradescreen.controls.reference import Port, Reference
from tradescreen.screen.policy import Policy, Reason
from tradescreen.screen.tx_model import Transaction, country

RUSSIA_BELARUS = frozenset({"ru", "by"})
# Roles whose country is where the goods go or are used (not who sells or finances them).
RECEIVING = ("buyer", "consignee", "intermediate_consignee", "end_user", "notify")


@dataclass(frozen=True)
class Touch:
    country: str
    field: str  # JSON pointer of the value that names it
    leg: str  # origin | transit | port | destination | vessel_flag | payer | party:<role>


@dataclass
class Exposure:
    touches: list[Touch] = field(default_factory=list)
    ports: list[tuple[Port, str, str]] = field(default_factory=list)  # (port, text, pointer)

    def countries(self, *legs: str) -> set[str]:
        return {t.country for t in self.touches if not legs or t.leg in legs}

    @property
    def receiving(self) -> set[str]:
        """Where the goods end up or pass: destination, transit, ports, receiving parties."""
        legs = ("transit", "port", "destination", *(f"party:{r}" for r in RECEIVING))
        return self.countries(*legs)


# Roles whose country is where the goods come from, when the route gives no origin.
SENDING = ("seller",)


def is_export(tx: Transaction, exp: Exposure) -> bool:
    """Whether the goods cross a border: as the transaction says (`export`), else when a
    receiving country (destination, transit, port, receiving party) differs from the origin
    (the route's, else the seller's country). Unknown origin or destination: not an export,
    since export red flags must rest on something the data says."""
    if tx.export is not None:
        return tx.export
    sending = exp.countries("origin") or exp.countries(*(f"party:{r}" for r in SENDING))
    receiving = exp.receiving
    return bool(sending and receiving and receiving - sending)


def leaves_partners(tx: Transaction, exp: Exposure, partners: Sequence[str]) -> bool:
    """Whether the goods may go beyond the countries that control exports to Russia as the US
    does (`partners`, from the policy): a receiving country abroad outside them, or an export
    the client declares without saying where to (then nothing shows it stays inside)."""
    sending = exp.countries("origin") or exp.countries(*(f"party:{r}" for r in SENDING))
    abroad = exp.receiving - sending
    if not abroad:
        return bool(tx.export)
    return bool(abroad - set(partners))


def exposure(tx: Transaction, ref: Reference) -> Exposure:
    out = Exposure()
    r = tx.route
    if r.origin:
        out.touches.append(Touch(r.origin, "/route/origin", "origin"))
    for i, t in enumerate(r.transit):
        code = country(t, f"/route/transit/{i}")
        if code:
            out.touches.append(Touch(code, f"/route/transit/{i}", "transit"))
    for i, text in enumerate(r.ports):
        port = ref.find_port(text)
        if port is not None:
            out.ports.append((port, text, f"/route/ports/{i}"))
            out.touches.append(Touch(port.country, f"/route/ports/{i}", "port"))
    if r.destination:
        out.touches.append(Touch(r.destination, "/route/destination", "destination"))
    if r.vessel and r.vessel.flag:
        out.touches.append(Touch(r.vessel.flag, "/route/vessel/flag", "vessel_flag"))
    if tx.payment.payer_country:
        out.touches.append(Touch(tx.payment.payer_country, "/payment/payer_country", "payer"))
    for p in tx.parties:
        if p.country:
            out.touches.append(Touch(p.country, f"{p.pointer}/country", f"party:{p.role}"))
    return out


def route_reasons(tx: Transaction, ref: Reference, policy: Policy, exp: Exposure) -> list[Reason]:
    reasons: list[Reason] = []
    seen: set[tuple[str, str]] = set()
    # One reason per jurisdiction, naming every leg that touches it.
    legs: dict[str, list[Touch]] = {}
    for touch in exp.touches:
        j = ref.jurisdictions.get(touch.country)
        if j is None or (j.kind == "major" and touch.leg == "payer"):
            continue
        legs.setdefault(j.code, []).append(touch)
    for code, touches in legs.items():
        j = ref.jurisdictions[code]
        citation = j.citation or policy.fallback_citations.get(j.code)
        where = ", ".join(dict.fromkeys(_leg(t.leg) for t in touches))
        evidence = {"country": j.code, "fields": [t.field for t in touches],
                    "legs": [t.leg for t in touches], "status": j.status,
                    "verification": j.verification}
        if j.kind in ("comprehensive", "region"):
            kind = "EMBARGOED_JURISDICTION" if j.kind == "comprehensive" else "SANCTIONED_REGION"
            reasons.append(Reason("route", kind, f"{j.name} ({where}): {j.status}", "block",
                                  citation, evidence))
        else:
            reasons.append(Reason(
                "route", "RUSSIA_BELARUS_EXPOSURE",
                f"{j.name} ({where}): {j.status}; every item needs a licence check", "review",
                citation, evidence,
            ))
    if exp.countries() & RUSSIA_BELARUS:
        for touch in exp.touches:
            t = ref.transshipment.get(touch.country)
            if t is None or (t.code, "transship") in seen or touch.leg == "origin":
                continue
            seen.add((t.code, "transship"))
            reasons.append(Reason(
                "route", "TRANSSHIPMENT_RISK",
                f"{_leg(touch.leg)} is {t.name}, a known transshipment point for exports to "
                "Russia/Belarus, in a deal that reaches Russia/Belarus",
                "review", t.citation,
                {"country": t.code, "field": touch.field, "leg": touch.leg,
                 "red_flags": ["RF-FB22-TRANSSHIP", "RF-BIS-11"],
                 "verification": t.verification},
            ))
    for port, text, pointer in exp.ports:
        embargoed = ref.jurisdictions.get(port.country)
        if port.evidence == "not_found" and not (embargoed and embargoed.kind == "comprehensive"):
            continue
        severity = "block" if embargoed and embargoed.kind == "comprehensive" else "review"
        reasons.append(Reason(
            "route", "PORT_OF_CONCERN",
            f"port {text!r} is {port.name} ({port.country.upper()}): {port.role or 'named port'}",
            severity, port.citation or (embargoed.citation if embargoed else None),
            {"port": port.id, "field": pointer, "evidence": port.evidence,
             "caspian_route": _caspian(exp)},
        ))
    return reasons


def _caspian(exp: Exposure) -> bool:
    """Iranian and Russian Caspian ports in one route: the Amirabad -> Makhachkala pattern."""
    countries = {p.country for p, _, _ in exp.ports}
    return {"ir", "ru"} <= countries


def _leg(leg: str) -> str:
    if leg.startswith("party:"):
        return f"the {leg[6:].replace('_', ' ')}'s country"
    return {"origin": "the origin", "transit": "a transit country", "port": "a port's country",
            "destination": "the destination", "vessel_flag": "the vessel's flag",
            "payer": "the payer's country"}[leg]
