"""OFAC's feature vocabulary, and the parser for the `remarks` field of its legacy CSV files.

OFAC keeps one vocabulary of "feature" and "ID document" labels (DOB, Passport, Tax ID No., Linked
To, ...). The Enhanced XML gives them as typed elements, the classic XML puts most of them in
`idList`, and the legacy CSV flattens them into `remarks` as `[alt. ]Label value[ (Country)]`
separated by `; `. So every OFAC reader funnels them through `add_fact`, and the CSV reader first
splits its remarks with `parse_remarks`. The CSV's only record of OFAC's *weak* ("low quality")
a.k.a.s is in remarks as `a.k.a. 'NAME'`: alt.csv holds the strong ones only (checked against the
classic XML's `<category>weak</category>` for the consolidated list: 64 of 70 weak aliases are in
cons_prim remarks, the rest in the cons_comments overflow, none in cons_alt).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tradescreen.model import Address, Entity, Identifier, Name, NameKind, PartialDate, Relation
from tradescreen.values import country_code, parse_date
from tradescreen.values import has_legal_form as values_has_legal_form

# The legacy CSV cuts remarks at this many characters and continues them in *_comments.csv.
REMARKS_LIMIT = 1000


@dataclass
class Facts:
    """Mutable collector for one entity's facts; readers fill it, then `build` freezes it."""

    names: list[Name] = field(default_factory=list)
    birth_dates: list[PartialDate] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    gender: str | None = None
    properties: dict[str, list[str]] = field(default_factory=dict)
    # Set by readers for vessels and aircraft: their f.k.a.s are former names ("previous").
    craft: bool = False

    def add_name(self, name: Name) -> None:
        value = " ".join(name.value.split())
        if not value:
            return
        for i, known in enumerate(self.names):
            if known.value == value and known.lang == name.lang:
                # A name the list gives twice keeps its strongest reading (strong beats weak).
                if known.strength == "weak" and name.strength == "strong":
                    self.names[i] = Name(value, known.kind, "strong", known.lang)
                return
        if value != name.value:
            name = Name(value, name.kind, name.strength, name.lang)
        self.names.append(name)

    def add_identifier(self, ident: Identifier) -> None:
        for known in self.identifiers:
            if known.scheme == ident.scheme and known.value == ident.value:
                return
        self.identifiers.append(ident)

    def add_prop(self, key: str, value: str | None) -> None:
        if value and (value := value.strip()):
            values = self.properties.setdefault(key, [])
            if value not in values:
                values.append(value)

    def build(
        self,
        *,
        source: str,
        source_id: str,
        schema: str,
        programs: list[str],
        listed_on: str | None = None,
        remarks: str | None = None,
    ) -> Entity:
        return Entity(
            source=source,
            source_id=source_id,
            schema=schema,
            names=tuple(self.names),
            birth_dates=tuple(self.birth_dates),
            birth_places=tuple(self.birth_places),
            nationalities=tuple(self.nationalities),
            countries=tuple(self.countries),
            addresses=tuple(self.addresses),
            identifiers=tuple(self.identifiers),
            programs=tuple(_unique(programs)),
            listed_on=listed_on,
            remarks=remarks or None,
            relations=tuple(self.relations),
            gender=self.gender,
            titles=tuple(self.titles),
            properties={k: tuple(v) for k, v in sorted(self.properties.items())},
        )


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _add_unique(values: list[str], value: str | None) -> None:
    if value and value not in values:
        values.append(value)


def add_country(facts: Facts, text: str | None) -> str | None:
    code = to_country(text)
    _add_unique(facts.countries, code)
    return code


def to_country(text: str | None) -> str | None:
    """ISO code for OFAC's country wording, including its "Region: West Bank" form."""
    if not text:
        return None
    text = text.strip()
    if text.lower().startswith("region:"):
        text = text[7:].strip()
    return country_code(text)


# --- label vocabulary ----------------------------------------------------------------------------
# label (lower case, no trailing colon) -> (kind, argument). Kinds: "id" (argument = identifier
# scheme), "dob", "established", "pob", "nationality", "citizen", "country", "gender", "title",
# "linked",
# "alias" (argument = a.k.a./f.k.a./n.k.a.), "prop" (argument = property key), "info" (sanctions
# information kept as "label: value" under properties["sanctions_info"]).
_ID_LABELS: dict[str, tuple[str, ...]] = {
    "passport": (
        "Passport", "Diplomatic Passport", "British National Overseas Passport",
        "Stateless Person Passport", "Travel Document Number",
    ),
    "national_id": (
        "National ID No.", "Cedula No.", "D.N.I.", "Personal ID Card", "Identification Number",
        "Bosnian Personal ID No.", "Kenyan ID No.", "Moroccan Personal ID No.",
        "Turkish Identification Number", "C.U.R.P.", "C.I.N.", "Citizen's Card Number",
        "UAE Identification", "Tazkira National ID Card", "Numero de Identidad",
        "CNP (Personal Numerical Code)", "National Foreign ID Number", "I.F.E.",
        "Credencial electoral", "Electoral Registry No.", "C.U.I.", "C.U.I.P.", "SSN", "N.I.E.",
        "Residency Number", "Birth Certificate Number", "Refugee ID Card",
        "Stateless Person ID Card", "Romanian Permanent Resident", "Immigration No.",
        "Public Security and Immigration No.",
    ),
    "tax": (
        "Tax ID No.", "NIT #", "RUC #", "RIF #", "R.F.C.", "RFC", "US FEIN", "C.U.I.T.",
        "V.A.T. Number", "Italian Fiscal Code", "Fiscal Code", "C.I.F.", "N.I.F.",
        "Paraguayan tax identification number", "Romanian Tax Registration", "RTN",
        "Numero Unico de Identificacao Tributaria (NUIT)", "RSIN",
    ),
    "registration": (
        "Registration Number", "Registration ID", "Business Registration Number",
        "Business Registration Document #", "Company Number", "UK Company Number",
        "Commercial Registry Number", "C.R. No.", "Certificate of Incorporation Number",
        "Trade License No.", "License", "Public Registration Number", "Government Gazette Number",
        "Chamber of Commerce Number", "Istanbul Chamber of Comm. No.",
        "Dubai Chamber of Commerce Membership No.", "Folio Mercantil No.",
        "Matricula Mercantil No", "Unified Social Credit Code (USCC)",
        "United Social Credit Code Certificate (USCCC)", "Enterprise Number",
        "Branch Unit Number", "Organization Code", "Central Registration System Number",
        "Economic Register Number (CBLS)", "Business Number", "Registered Charity No.",
        "Registration Certificate Number (Dubai)", "Romanian C.R.", "MSB Registration Number",
        "LE Number", "File Number", "Tourism License No.", "Permit Number", "SRE Permit No.",
        "Afghan Money Service Provider License Number",
        "Global Intermediary Identification Number",
    ),
    "ogrn": ("Russian State Individual Business Registration Number Pattern (OGRNIP)",),
    "lei": ("Legal Entity Number",),
    "duns": ("D-U-N-S Number",),
    "bic": ("SWIFT/BIC",),
    "imo": ("Vessel Registration Identification",),
    "mmsi": ("MMSI",),
    "aircraft_serial": (
        "Aircraft Manufacturer's Serial Number (MSN)",
        "Aircraft Construction Number (also called L/N or S/N or F/N)",
        "Aircraft Serial Identification", "Serial No.",
    ),
    "aircraft_tail": ("Aircraft Tail Number", "Previous Aircraft Tail Number"),
    "website": ("Website",),
    "email": ("Email Address",),
    "phone": ("Phone Number", "Telephone", "Telephone No.", "Fax", "Fax No."),
    "other": (
        "Driver's License No.", "Cartilla de Servicio Militar Nacional",
        "Military Registration Number", "Seafarer's Identification Document",
        "Pilot License Number", "VisaNumberID", "BIK (RU)", "ISIN", "Chinese Commercial Code",
        "Trademark number", "Aircraft Mode S Transponder Code",
    ),
}

_OTHER_LABELS: dict[str, tuple[str, str | None]] = {
    "dob": ("dob", None),
    "birthdate": ("dob", None),
    "organization established date": ("established", None),
    "pob": ("pob", None),
    "place of birth": ("pob", None),
    "nationality": ("nationality", None),
    "nationality country": ("nationality", None),
    "citizen": ("citizen", None),
    "citizenship country": ("citizen", None),
    "nationality of registration": ("country", "registration"),
    "former vessel flag": ("prop", "former_flag"),
    "gender": ("gender", None),
    "position": ("title", None),
    "linked to": ("linked", None),
    "a.k.a.": ("alias", "a.k.a."),
    "f.k.a.": ("alias", "f.k.a."),
    "n.k.a.": ("alias", "n.k.a."),
    "organization type": ("prop", "organization_type"),
    "target type": ("prop", "target_type"),
    "vessel year of build": ("prop", "build_year"),
    "other vessel type": ("prop", "vessel_type"),
    "vessel type": ("prop", "vessel_type"),
    "vessel flag": ("country", "flag"),
    "aircraft model": ("prop", "aircraft_model"),
    "aircraft manufacture date": ("prop", "build_date"),
    "aircraft operator": ("prop", "operator"),
    "equity ticker": ("prop", "equity_ticker"),
    "issuer name": ("prop", "issuer_name"),
    "secondary sanctions risk": ("info", None),
    "additional sanctions information -": ("info", None),
    "transactions prohibited for persons owned or controlled by u.s. financial institutions": (
        "info", None,
    ),
    "caatsa section 235 information": ("info", None),
    "ifca determination -": ("info", None),
    "peesa information": ("info", None),
    "executive order 13662 directive determination -": ("info", None),
    "executive order 13846 information": ("info", None),
    "executive order 14014 directive information": ("info", None),
    "executive order 14024 directive information": ("info", None),
    "executive order 14024 directive information -": ("info", None),
    "executive order 14059 information": ("info", None),
}

# Labels with a variable part, e.g. "Listing Date (EO 14024 Directive 2):" or "Digital Currency
# Address - XBT". Tried as regular expressions after the literal labels.
_PATTERN_LABELS: tuple[tuple[str, str, str | None], ...] = (
    (r"Digital Currency Address - [A-Z0-9]+", "id", "other"),
    (r"(?:Listing|Effective) Date \([^)]*\)", "info", None),
    (r"Purchase/Sales For Divestment Date \([^)]*\)", "info", None),
    (r"Executive Order \d+ [^:;]{0,60}?(?:information|Determination)[ :-]*", "info", None),
)

_LABELS: dict[str, tuple[str, str | None]] = dict(_OTHER_LABELS)
for _scheme, _labels in _ID_LABELS.items():
    for _label in _labels:
        _LABELS[_label.lower()] = ("id", _scheme)


def _label_alternation() -> str:
    literals = sorted(_LABELS, key=len, reverse=True)
    parts = [re.escape(label).replace(r"\ ", r"\s+") for label in literals]
    parts += [pattern for pattern, _, _ in _PATTERN_LABELS]
    return "|".join(parts)


# A remarks segment: optional "alt." (a further value of the same kind), the label, an optional
# colon, then the value. The label must end at a space, colon, quote or the end of the segment.
_SEGMENT = re.compile(
    r"^(?:alt\.\s+)?(?P<label>" + _label_alternation() + r")(?=[\s:']|$):?\s*(?P<value>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_PATTERN_RES = [(re.compile(p, re.I), kind, arg) for p, kind, arg in _PATTERN_LABELS]


def lookup_label(label: str) -> tuple[str, str | None] | None:
    """The (kind, argument) OFAC's label means, or None for a label outside the vocabulary."""
    key = " ".join(label.split()).lower().rstrip(":").strip()
    if key in _LABELS:
        return _LABELS[key]
    for regex, kind, arg in _PATTERN_RES:
        if regex.fullmatch(key) or regex.fullmatch(key + ":"):
            return kind, arg
    return None


# --- Russian identifier checksums ----------------------------------------------------------------
# OFAC often omits the country after Russian numbers; their check digits identify them reliably.


def is_ogrn(value: str) -> bool:
    if not value.isdigit():
        return False
    if len(value) == 13:
        return int(value[:12]) % 11 % 10 == int(value[12])
    if len(value) == 15:
        return int(value[:14]) % 13 % 10 == int(value[14])
    return False


def _inn_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def is_inn(value: str) -> bool:
    if not value.isdigit():
        return False
    if len(value) == 10:
        return _inn_digit(value, (2, 4, 10, 3, 5, 9, 4, 6, 8)) == int(value[9])
    if len(value) == 12:
        first = _inn_digit(value, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
        second = _inn_digit(value, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
        return first == int(value[10]) and second == int(value[11])
    return False


def _refine_scheme(scheme: str, value: str, country: str | None) -> str:
    if country not in (None, "ru"):
        return scheme
    if scheme == "tax" and is_inn(value):
        return "inn"
    if scheme in ("registration", "ogrn") and is_ogrn(value):
        return "ogrn"
    return scheme


# --- adding one fact -----------------------------------------------------------------------------

_ISSUED = re.compile(r"\s+(issued|expires)\s+(.+?)(?=\s+(?:issued|expires)\s+|$)", re.I)
_TRAILING_PAREN = re.compile(r"\s*\(([^()]*)\)\s*$")


def _split_value(value: str) -> tuple[str, str | None, str | None]:
    """Split "A1234 (Iran) issued 2001 expires 2020" into ("A1234", "ir", "issued 2001 ...")."""
    extra: list[str] = []
    if m := _ISSUED.search(value):
        extra = [f"{k.lower()} {v}" for k, v in _ISSUED.findall(value[m.start():])]
        value = value[: m.start()]
    country = None
    if (m := _TRAILING_PAREN.search(value)) and (code := to_country(m.group(1))):
        country = code
        value = value[: m.start()]
    return value.strip(), country, "; ".join(extra) or None


def add_fact(
    facts: Facts,
    label: str,
    value: str,
    country: str | None = None,
    *,
    note: str | None = None,
    circa: bool = False,
) -> bool:
    """Record one labelled OFAC fact; False when the label is not in the vocabulary.

    `country` is a country name or code the format gives separately (XML `idCountry`); in remarks
    the country is the value's trailing "(Country)" and is split off here.
    """
    meaning = lookup_label(label)
    value = " ".join(value.split())
    if meaning is None or not value:
        return False
    kind, arg = meaning
    label = " ".join(label.split()).rstrip(":").strip()
    if kind == "id":
        _add_identifier(facts, arg or "other", label, value, country, note)
    elif kind in ("dob", "established"):
        date = parse_date(value)
        if date is not None:
            if circa and not date.circa:
                date = PartialDate(date.text, date.iso, True)
            if date not in facts.birth_dates:
                facts.birth_dates.append(date)
    elif kind == "pob":
        _add_unique(facts.birth_places, value)
    elif kind in ("nationality", "citizen"):
        code = to_country(value)
        _add_unique(facts.nationalities, code)
        if code is None:
            facts.add_prop(kind, value)
    elif kind == "country":
        if add_country(facts, value) is None:
            facts.add_prop(arg or "country", value)
    elif kind == "title":
        _add_unique(facts.titles, value)
    elif kind == "gender":
        facts.gender = value.lower()
    elif kind == "linked":
        facts.relations.append(Relation(kind="linked_to", target_name=value))
    elif kind == "alias":
        _add_remarks_alias(facts, value, arg or "a.k.a.")
    elif kind == "prop":
        if arg == "former_flag":
            value = to_country(value) or value
        facts.add_prop(arg or "other", value)
    else:  # sanctions information: keep OFAC's wording, it matters to compliance reviewers
        sep = " " if label.endswith("-") else ": "
        facts.add_prop("sanctions_info", f"{label}{sep}{value}")
    return True


def _add_identifier(
    facts: Facts, scheme: str, label: str, value: str, country: str | None, note: str | None
) -> None:
    code = to_country(country) if country else None
    if scheme not in ("website", "email", "phone"):
        value, paren_country, extra = _split_value(value)
        code = code or paren_country
        note = "; ".join(x for x in (note, extra) if x) or None
    if not value:
        return
    if value.upper().startswith("IMO "):
        # OFAC writes "IMO 9187655" under several labels, also for IMO company numbers.
        scheme, value = "imo", value[4:].strip()
    scheme = _refine_scheme(scheme, value, code)
    full_note = label if not note else f"{label}; {note}"
    facts.add_identifier(Identifier(scheme=scheme, value=value, country=code, note=full_note))


def _add_remarks_alias(facts: Facts, value: str, alias_type: str) -> None:
    name = value.strip()
    # The name sits in single quotes, and may itself start or end with an apostrophe
    # (''FUPI'' is a quoted nickname; 'ABD AL-'AZIZ' an ayn): strip one pair, then a second
    # pair only when both ends still carry one.
    if len(name) >= 2 and name[0] == "'" and name[-1] == "'":
        name = name[1:-1]
        if len(name) >= 2 and name[0] == "'" and name[-1] == "'":
            name = name[1:-1]
    elif name.startswith("'"):
        name = name[1:]  # truncated before the closing quote
    if name:
        kind: NameKind = "previous" if alias_type == "f.k.a." and facts.craft else "alias"
        facts.add_name(Name(name, kind=kind, strength="weak"))


# --- remarks text --------------------------------------------------------------------------------

_ABBREVIATED_END = re.compile(
    r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:CO|INC|LTD|CORP|CIA|LTDA|BHD|PTE|PVT|JR|SR|ST|NO)\.)$", re.I
)


def split_remarks(text: str) -> list[str]:
    """Split remarks into segments at "; " outside parentheses, dropping the closing period."""
    text = " ".join(text.split())
    if text.endswith(".") and not _ABBREVIATED_END.search(text):
        text = text[:-1]
    raw = text.split(";")
    segments: list[str] = []
    buffer: list[str] = []
    depth = 0
    for part in raw:
        buffer.append(part)
        depth += part.count("(") - part.count(")")
        if depth <= 0:
            segments.append(";".join(buffer))
            buffer, depth = [], 0
    if buffer:
        # Unbalanced parenthesis (usually a truncated remark): fall back to a plain split.
        segments.extend(buffer)
    out = []
    for seg in segments:
        seg = seg.strip()
        if seg.startswith("(") and seg.endswith(")") and seg.count("(") == 1:
            seg = seg[1:-1].strip()  # the classic XML writes "(Linked To: X)"
        if seg:
            out.append(seg)
    return out


def parse_remarks(
    text: str | None, facts: Facts | None = None, *, truncated: bool = False
) -> tuple[Facts, list[str]]:
    """Parse OFAC remarks into `facts`; returns them and the segments no label explained.

    `truncated`: the text was cut at the CSV's length limit, so its last segment may be partial
    (a cut "Passport 12" would be a wrong number): it is kept as unparsed text only.
    """
    facts = facts if facts is not None else Facts()
    if not text:
        return facts, []
    segments = split_remarks(text)
    unparsed: list[str] = []
    if truncated and segments:
        unparsed.append(segments.pop())
    for segment in segments:
        m = _SEGMENT.match(segment)
        if m is None or not add_fact(facts, m.group("label"), m.group("value")):
            unparsed.append(segment)
    return facts, unparsed


# --- schema --------------------------------------------------------------------------------------

# Legal forms seen in OFAC names beyond the shared list in `values` (compared without dots, so
# "S.A. DE C.V." yields SA and CV).
_OFAC_LEGAL_FORMS = frozenset(
    {
        "LLC", "OOO", "OAO", "ZAO", "PAO", "AO", "JSC", "PJSC", "OJSC", "CJSC", "NAO", "LTD",
        "LIMITED", "GMBH", "AG", "SA", "SAS", "SRL", "CO", "COMPANY", "CORP", "CORPORATION", "INC",
        "INCORPORATED", "PLC", "LLP", "BV", "NV", "PTE", "BHD", "FZE", "FZCO", "FZC", "FZ", "DMCC",
        "TOO", "TOV", "PVT", "KFT", "SPA", "SARL", "LTDA", "CIA", "CV", "EOOD", "OOD", "DOO", "KG",
        "SE", "SL", "SAC", "SRO", "COMPANIA", "COMPAGNIE", "SOCIEDAD", "EMPRESA", "AKTSIONERNOE",
        "OBSHCHESTVO", "OBSHESTVO", "TOVARYSTVO", "SHERKAT", "SHERKATE", "SHERKET", "SIRKETI",
        "LDA", "SDN",
    }
)
_COMPANY_TARGETS = frozenset(
    {"private company", "public company", "state-owned enterprise", "financial institution"}
)
_COMPANY_SCHEMES = frozenset({"ogrn", "inn", "lei", "duns", "bic"})
_TOKEN = re.compile(r"[A-Z0-9]+(?:\.[A-Z0-9]+)*")


def has_legal_form(name: str) -> bool:
    if values_has_legal_form(name):
        return True
    return any(tok.replace(".", "") in _OFAC_LEGAL_FORMS for tok in _TOKEN.findall(name.upper()))


def entity_schema(ofac_type: str | None, facts: Facts) -> str:
    """Map OFAC's SDN type to our schema; OFAC's "entity" becomes Company when there is evidence.

    Evidence: a legal form in any name, a company-like Target Type, an Organization Type (OFAC
    gives it as an economic-activity code, so only businesses have one), or a company identifier.
    """
    kind = (ofac_type or "").strip().lower()
    if kind == "individual":
        return "Person"
    if kind == "vessel":
        return "Vessel"
    if kind == "aircraft":
        return "Aircraft"
    targets = {t.lower() for t in facts.properties.get("target_type", [])}
    if (
        any(has_legal_form(n.value) for n in facts.names if n.strength == "strong")
        or targets & _COMPANY_TARGETS
        or "organization_type" in facts.properties
        or any(i.scheme in _COMPANY_SCHEMES for i in facts.identifiers)
    ):
        return "Company"
    return "Organization"


def split_programs(text: str | None) -> list[str]:
    """Programs from the CSV's "A] [B" column (outer brackets missing) or a "[A] [B]" string."""
    if not text:
        return []
    return [p.strip(" []") for p in re.split(r"\]\s*\[", text) if p.strip(" []")]
