"""Red-flag check: the official indicators in red_flags.yaml that the transaction's own fields
can reveal. Pure; the transaction date (or the caller's `today`) is the reference date.

Each rule names the flag id(s) it implements (the reason `code` is the first flag id) and the
fields it reads. "Diversion context" = a receiving side in Russia/Belarus/an embargoed place/a
transshipment country, or controlled goods (a CHPL or UAV-item hit) that leave the countries
controlling exports to Russia as the US does (policy `partner_countries`): several flags are
ordinary facts of business (a young company, no website) and only call for review in that
context. A French firm founded in 2023 buying German microcontrollers is ordinary trade; the
same firm in Kazakhstan, or the chips going on to Kazakhstan, is not.

The indicators about exports (end use and end-user statements, evasiveness about re-export, a
young or faceless customer, a forwarder as final destination) call for review only when the
goods cross a border (`routes.is_export`); in a domestic sale they are recorded as info. And
reluctance is read from the data (`end_user_statement: false`, a vague stated end use), never
from a field that is simply absent: a missing statement is recorded as info, not as a red flag.
Flags that need data a transaction does not carry (sales conversations, AIS tracks, order
history, IP addresses unless given) are left to people; see README "Transaction screening".
"""

from __future__ import annotations

import re
from datetime import date

from tradescreen.controls.reference import Reference
from tradescreen.screen.policy import Policy, Reason, Severity
from tradescreen.screen.routes import exposure, is_export
from tradescreen.screen.tx_model import Party, Transaction

IMPLEMENTED = (
    "RF-BIS-02", "RF-TS23-02", "RF-UAV-01", "RF-BIS-13", "RF-BIS-03", "RF-FB23-02", "RF-KYC-01",
    "RF-BIS-05", "RF-BIS-06", "RF-FB23-01", "RF-FB23G-02", "RF-FB23-03", "RF-BIS-09",
    "RF-BIS-10", "RF-HK-01", "RF-TS23-03", "RF-TS23-07", "RF-FB23G-01", "RF-UAV-02",
    "RF-BIS-08", "RF-TS23-04", "RF-TS23-06", "RF-TS23-08", "RF-TS23-01", "RF-TS23-05",
    "RF-CASPIAN-01",
)
# Customers whose business gives no reason to buy electronics, machine tools or aircraft parts.
_NON_TECHNICAL = re.compile(
    r"\b(bakery|baker|food|restaurant|cafe|catering|grocery|textile|apparel|clothing|garment|"
    r"fashion|furniture|real estate|property|tourism|travel agency|hotel|cosmetic|beauty|"
    r"jewel\w*|florist|flowers?|agricultur\w*|farming|fruit|vegetable|tea|coffee|toys?|"
    r"footwear|shoes|consulting|education|school|printing|carpet|leather)\b", re.I)
_FORWARDER = re.compile(
    r"\b(freight|forward\w*|logisti[ck]\w*|spedition|shipping|cargo|express|courier|3pl|"
    r"warehous\w*|transitaire|spedizion\w*|transitario)\b", re.I)
_RESIDENTIAL = re.compile(
    r"\b(apt|apartment|flat|kv|kvartira|room|residence|residential|villa|p\.?\s?o\.?\s?box|"
    r"virtual office|registered agent|mass registration)\b", re.I)
_FREEMAIL = re.compile(r"@(gmail|yahoo|hotmail|outlook|mail\.ru|yandex|163|qq|proton)\.", re.I)
_VAGUE_END_USE = re.compile(
    r"\b(re-?export|resale|stock|trading|various|unknown|n/?a|tbd|not disclosed|general)\b", re.I)
_NOTES = {
    "RF-BIS-08": re.compile(r"\b(declin\w*|refus\w*|no need for|waiv\w*)\b.{0,40}\b(install\w*|"
                            r"training|maintenance|warranty|commissioning)", re.I),
    "RF-TS23-06": re.compile(r"\b(last[- ]minute|changed?|re-?rout\w*|redirect\w*|new)\b.{0,40}"
                             r"\b(shipping instructions?|destination|consignee|delivery address)",
                             re.I),
    "RF-TS23-08": re.compile(r"\b(previously|originally|formerly|before)\b.{0,60}\b(russia|"
                             r"belarus|moscow|minsk|st\.? petersburg)", re.I),
    "RF-UAV-02": re.compile(r"\b(unmarked|no markings|remarked|re-?label\w*|serial numbers? "
                            r"(removed|lasered|ground)|without (logo|markings|serials?)|"
                            r"blank (parts|chips))\b", re.I),
    "RF-CASPIAN-01": re.compile(r"\b(ais (off|gap|dark|switched off|disabled)|dark (vessel|"
                                r"voyage)|transponder (off|disabled))\b", re.I),
}
RECEIVERS = ("buyer", "consignee", "intermediate_consignee", "end_user")


def _months_before(day: str, ref_day: date) -> float | None:
    try:
        parts = [int(x) for x in day.split("-")] + [1, 1]
        d = date(parts[0], parts[1], parts[2])
    except ValueError:
        return None
    return (ref_day - d).days / 30.44


class _Rules:
    def __init__(self, tx: Transaction, ref: Reference, policy: Policy, context: bool,
                 today: date, export: bool) -> None:
        self.tx, self.ref, self.p, self.context = tx, ref, policy.params, context
        self.today, self.export = today, export
        self.out: list[Reason] = []

    def flag(self, flag_ids: tuple[str, ...], text: str, severity: Severity, **evidence) -> None:
        known = [f for f in flag_ids if f in self.ref.flags]
        if not known:
            return  # a reference set without the flag: the rule has nothing to cite
        flag = self.ref.flags[known[0]]
        self.out.append(Reason("red_flag", flag.id, f"{text} — {flag.text}", severity,
                               flag.citation, {"flags": known, **evidence}))

    def ctx(self) -> Severity:
        """An export indicator in a diversion context calls for review; otherwise info."""
        return "review" if self.context and self.export else "info"

    def exporting(self) -> Severity:
        """An export indicator that calls for review in any export, and is info at home."""
        return "review" if self.export else "info"

    def run(self) -> list[Reason]:
        self.end_use()
        for party in self.tx.parties:
            if party.role in RECEIVERS:
                self.party(party)
        self.forwarder()
        self.payment()
        self.route()
        self.notes()
        self.goods_marks()
        return self.out

    def end_use(self) -> None:
        tx = self.tx
        if tx.end_user_statement is False:
            self.flag(("RF-TS23-02", "RF-BIS-02", "RF-UAV-01"),
                      "the customer gave no end-user statement for this deal", self.ctx(),
                      field="/end_user_statement")
        elif tx.end_user_statement is None and not tx.end_use and self.export:
            # Absent data is not reluctance: recorded so the gap is visible, no review.
            self.flag(("RF-BIS-02", "RF-TS23-02", "RF-UAV-01"),
                      "no end use or end-user statement is recorded for this export (missing "
                      "data, not evidence of reluctance)", "info", field="/end_use")
        # Only an end use that says nothing else ("resale", "stock"), not "resale to builders
        # in Austria", which names a market.
        if tx.end_use and len(tx.end_use.split()) <= 4 and _VAGUE_END_USE.search(tx.end_use):
            self.flag(("RF-BIS-13",), f"end use {tx.end_use!r} leaves domestic use, export or "
                      "re-export open", self.ctx(), field="/end_use")

    def party(self, p: Party) -> None:
        if p.line_of_business and _NON_TECHNICAL.search(p.line_of_business) and any(
            g.hs and g.hs[:2] in ("84", "85", "88", "90", "93") for g in self.tx.goods
        ):
            self.flag(("RF-BIS-03", "RF-FB23-02", "RF-KYC-01"),
                      f"{p.role} {p.name!r} declares business {p.line_of_business!r} but buys "
                      "machinery, electronics, aircraft parts or instruments", "review",
                      field=f"{p.pointer}/line_of_business")
        is_company = p.schema != "Person"
        no_site = is_company and p.web_presence is False
        if p.incorporated:
            if p.incorporated >= self.p.recent_incorporation_after:
                self.flag(("RF-FB23-01",), f"{p.role} {p.name!r} was incorporated on "
                          f"{p.incorporated}", self.ctx(), field=f"{p.pointer}/incorporated")
            months = _months_before(p.incorporated, self.today)
            if months is not None and months < self.p.young_company_months and no_site:
                self.flag(("RF-BIS-06",), f"{p.role} {p.name!r} is {max(months, 0):.0f} months "
                          "old and has no website", self.ctx(),
                          field=f"{p.pointer}/incorporated")
        if no_site:
            self.flag(("RF-FB23G-02", "RF-FB23-03"), f"{p.role} {p.name!r} has no website",
                      self.ctx(), field=f"{p.pointer}/website")
        email = str(p.extra.get("email") or "")
        if is_company and _FREEMAIL.search(email):
            self.flag(("RF-FB23G-02",), f"{p.role} {p.name!r} uses a free-mail address {email}",
                      self.ctx(), field=f"{p.pointer}/email")
        if p.address and _RESIDENTIAL.search(p.address):
            self.flag(("RF-FB23-03",), f"{p.role} {p.name!r} has a residential or virtual "
                      f"address ({p.address})", self.ctx(), field=f"{p.pointer}/address")
        ip = p.extra.get("ip_country")
        if isinstance(ip, str) and p.country and ip.strip().lower() != p.country:
            self.flag(("RF-TS23-05",), f"{p.role} {p.name!r} orders from an IP address in "
                      f"{ip.upper()} but is located in {p.country.upper()}", "review",
                      field=f"{p.pointer}/ip_country")
        sanctioned = {c for c in self.ref.jurisdictions}
        for owner in p.owners:
            if owner.country in sanctioned and owner.country != p.country:
                self.flag(("RF-TS23-01",), f"{p.role} {p.name!r} in "
                          f"{(p.country or '?').upper()} is owned ({owner.share:.0%}) from "
                          f"{owner.country.upper()}", "review", field=f"{owner.pointer}/country")

    def forwarder(self) -> None:
        forwarder_names = {p.name.lower() for p in self.tx.by_role("forwarder", "carrier")}
        end_users = self.tx.by_role("end_user")
        for p in end_users:
            if p.name.lower() in forwarder_names or _is_forwarder(p):
                self.flag(("RF-BIS-10",), f"end user {p.name!r} is a freight forwarder or "
                          "logistics company", self.exporting(), field=p.pointer)
        if not end_users:
            for p in self.tx.by_role("consignee"):
                if p.name.lower() in forwarder_names or _is_forwarder(p):
                    self.flag(("RF-HK-01", "RF-BIS-10"), f"goods go to {p.name!r}, a freight "
                              "forwarder, and no end user is named", self.exporting(),
                              field=p.pointer)

    def payment(self) -> None:
        pay, tx = self.tx.payment, self.tx
        method = pay.method or ""
        total = sum(g.total or 0 for g in tx.goods)
        # BIS: cash "for a very expensive item"; a cheap one only in a risky export.
        if re.search(r"cash|crypto|bitcoin|usdt|tether|stablecoin", method) and (
            total >= self.p.cash_value_threshold or (self.context and self.export)
        ):
            self.flag(("RF-BIS-05",), f"payment by {method} for goods worth {total:,.0f}",
                      "review", field="/payment/method")
        buyers = tx.by_role("buyer") or tx.by_role("end_user", "consignee")
        buyer_countries = {b.country for b in buyers if b.country}
        known = buyer_countries | {p.country for p in tx.by_role("end_user") if p.country}
        if pay.payer_country and buyer_countries and pay.payer_country not in known:
            self.flag(("RF-TS23-07", "RF-TS23-03"), f"payment comes from "
                      f"{pay.payer_country.upper()}, not the buyer's or end user's country "
                      f"({', '.join(sorted(c.upper() for c in known))})", "review",
                      field="/payment/payer_country")
        payers = tx.by_role("payer")
        named = {p.name.lower() for p in tx.parties if p.role in RECEIVERS}
        for p in payers:
            if p.name.lower() not in named:
                self.flag(("RF-TS23-07", "RF-TS23-03"), f"payer {p.name!r} is not the buyer, "
                          "consignee or end user", "review", field=p.pointer)
        if "credit" in method or method in ("lc", "l/c"):
            banks = {p.name.lower() for p in tx.by_role("bank")}
            for p in tx.by_role("consignee"):
                if p.name.lower() in banks or re.search(r"\bbank\b", p.name, re.I):
                    self.flag(("RF-FB23G-01",), f"letter of credit consigned to the bank "
                              f"{p.name!r}, not to the end user", "review", field=p.pointer)

    def route(self) -> None:
        if self.tx.goods and not self.tx.route.destination and not any(
            p.country for p in self.tx.by_role("consignee", "end_user")
        ):
            # A gap in the data, not a vague destination the customer gave: info.
            self.flag(("RF-BIS-09",), "no destination is given for the goods, so the route "
                      "could not be checked", "info", field="/route/destination")
        vessel = self.tx.route.vessel
        if vessel and vessel.extra.get("ais_gaps") is True:
            self.flag(("RF-CASPIAN-01",), f"vessel {vessel.name or vessel.imo!r} had AIS gaps "
                      "on this voyage", "review", field="/route/vessel/ais_gaps")

    def notes(self) -> None:
        texts = [(f"/notes/{i}", n) for i, n in enumerate(self.tx.notes)]
        for flag_id, pattern in _NOTES.items():
            for pointer, text in texts:
                if pattern.search(text):
                    ids = (flag_id, "RF-TS23-04") if flag_id == "RF-BIS-08" else (flag_id,)
                    self.flag(ids, f"note {text!r}", "review", field=pointer)
                    break

    def goods_marks(self) -> None:
        for g in self.tx.goods:
            if _NOTES["RF-UAV-02"].search(g.description):
                self.flag(("RF-UAV-02",), f"goods {g.description!r}", "review",
                          field=f"{g.pointer}/description")


def _is_forwarder(p: Party) -> bool:
    return bool(_FORWARDER.search(p.line_of_business or "") or _FORWARDER.search(p.name))


def red_flag_reasons(tx: Transaction, ref: Reference, policy: Policy, *, context: bool,
                     today: date | None = None, export: bool | None = None) -> list[Reason]:
    """`export`: whether the goods cross a border (default: `routes.is_export`)."""
    ref_day = today or _tx_day(tx) or date.today()
    if export is None:
        export = is_export(tx, exposure(tx, ref))
    return _Rules(tx, ref, policy, context, ref_day, export).run()


def _tx_day(tx: Transaction) -> date | None:
    if not tx.date:
        return None
    parts = [int(x) for x in tx.date.split("-")] + [1, 1]
    try:
        return date(parts[0], parts[1], parts[2])
    except ValueError:
        return None
