"""The transaction format (issue 5, schemas/transaction.schema.json) as frozen dataclasses.

`parse_transaction` checks one decoded JSON object and returns a `Transaction` or raises
`TxInputError` naming the offending field as a JSON pointer ("/parties/2/role"). Countries are
cleaned to ISO codes (lower case; sub-national regions such as "ua-cri" kept), HS codes to digits.
Fields the format does not know are kept in `extra`, so nothing a client sends is lost. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tradescreen.screen.inputs import InputError
from tradescreen.values import country_code

ROLES = (
    "seller", "buyer", "consignee", "intermediate_consignee", "end_user", "forwarder", "carrier",
    "vessel", "bank", "payer", "notify",
)
SCHEMAS = ("Person", "Company", "Organization", "LegalEntity", "Vessel", "Aircraft")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_HS = re.compile(r"^\d{4,10}$")


class TxInputError(InputError):
    """A transaction that does not follow the format; `pointer` names the field."""

    def __init__(self, pointer: str, message: str) -> None:
        self.pointer = pointer or "/"
        super().__init__(f"{self.pointer}: {message}")


@dataclass(frozen=True)
class Owner:
    name: str
    share: float  # in [0, 1]
    pointer: str
    schema: str | None = None
    country: str | None = None
    identifiers: tuple[str, ...] = ()
    owners: tuple[Owner, ...] = ()  # the owner's own owners (layers of the 50 % rule)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Party:
    role: str
    name: str
    pointer: str
    schema: str | None = None
    country: str | None = None
    address: str | None = None
    incorporated: str | None = None
    website: str | None = None
    # True: a website is given; False: the client says there is none (null, "", false);
    # None: the field was not sent, so nothing is known.
    web_presence: bool | None = None
    line_of_business: str | None = None
    birth_date: str | None = None
    identifiers: tuple[tuple[str, str], ...] = ()  # (scheme, value)
    owners: tuple[Owner, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GoodsLine:
    pointer: str
    hs_code: str | None = None  # as given
    hs: str | None = None  # digits only, 4-10 of them
    description: str = ""
    part_number: str | None = None
    manufacturer: str | None = None
    quantity: float | None = None
    unit_price: float | None = None
    value: float | None = None
    currency: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def hs6(self) -> str | None:
        return self.hs[:6] if self.hs and len(self.hs) >= 6 else None

    @property
    def total(self) -> float | None:
        if self.value is not None:
            return self.value
        if self.quantity is not None and self.unit_price is not None:
            return self.quantity * self.unit_price
        return None


@dataclass(frozen=True)
class Vessel:
    name: str | None = None
    imo: str | None = None
    flag: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    origin: str | None = None
    transit: tuple[str, ...] = ()
    ports: tuple[str, ...] = ()
    destination: str | None = None
    vessel: Vessel | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Payment:
    method: str | None = None
    payer_country: str | None = None
    payer: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Transaction:
    parties: tuple[Party, ...]
    id: str | None = None
    date: str | None = None
    goods: tuple[GoodsLine, ...] = ()
    route: Route = field(default_factory=Route)
    payment: Payment = field(default_factory=Payment)
    end_use: str | None = None
    end_user_statement: bool | None = None
    notes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    export: bool | None = None  # said by the client; else derived (routes.is_export)

    def by_role(self, *roles: str) -> list[Party]:
        return [p for p in self.parties if p.role in roles]


# -- field readers: each takes the containing object and a pointer prefix --------------------

def _obj(value: Any, pointer: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TxInputError(pointer, f"expected an object, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), "a number")


def _str(obj: dict[str, Any], key: str, ptr: str, *, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise TxInputError(f"{ptr}/{key}", "required and must be a non-empty string")
        return None
    if not isinstance(value, str):
        raise TxInputError(f"{ptr}/{key}", f"expected a string, got {_kind(value)}")
    return value.strip()


def _num(obj: dict[str, Any], key: str, ptr: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TxInputError(f"{ptr}/{key}", f"expected a number, got {_kind(value)}")
    if value < 0:
        raise TxInputError(f"{ptr}/{key}", "must not be negative")
    return float(value)


def _list(obj: dict[str, Any], key: str, ptr: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise TxInputError(f"{ptr}/{key}", f"expected an array, got {_kind(value)}")
    return value


def _date(obj: dict[str, Any], key: str, ptr: str) -> str | None:
    value = _str(obj, key, ptr)
    if value is not None and not _DATE.match(value):
        raise TxInputError(f"{ptr}/{key}", f"{value!r} is not a date (YYYY, YYYY-MM, YYYY-MM-DD)")
    return value


def country(value: Any, pointer: str) -> str | None:
    """ISO code (any case) or country name -> lower-case ISO code; unknown is an error."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise TxInputError(pointer, f"expected a country code or name, got {_kind(value)}")
    code = country_code(value.strip())
    if code is None:
        raise TxInputError(pointer, f"unknown country {value.strip()!r}")
    return code


def _country(obj: dict[str, Any], key: str, ptr: str) -> str | None:
    return country(obj.get(key), f"{ptr}/{key}")


def _schema(obj: dict[str, Any], ptr: str) -> str | None:
    value = _str(obj, "schema", ptr)
    if value is None:
        return None
    for schema in SCHEMAS:
        if value.lower() == schema.lower():
            return schema
    aliases = {"person": "Person", "individual": "Person", "company": "Company",
               "organisation": "Organization", "entity": "LegalEntity", "ship": "Vessel"}
    if value.lower() in aliases:
        return aliases[value.lower()]
    raise TxInputError(f"{ptr}/schema", f"unknown schema {value!r}; one of {', '.join(SCHEMAS)}")


def _extra(obj: dict[str, Any], known: set[str]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in known}


def parse_share(value: Any, pointer: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TxInputError(pointer, f"expected a number (0-1, or a percentage), got {_kind(value)}")
    # 0.3 and 30 both mean 30 %: clients send either; 1 means the whole company.
    share = float(value) / 100.0 if value > 1 else float(value)
    if not 0 <= share <= 1 or value > 100:
        raise TxInputError(pointer, f"share {value!r} is outside 0-1 (or 0-100 %)")
    return share


_OWNER_KEYS = {"name", "share", "schema", "country", "identifiers", "owners"}
_PARTY_KEYS = {"role", "name", "schema", "country", "address", "incorporated", "website",
               "line_of_business", "birth_date", "identifiers", "owners"}


def _identifiers(obj: dict[str, Any], ptr: str) -> tuple[tuple[str, str], ...]:
    out = []
    for i, item in enumerate(_list(obj, "identifiers", ptr)):
        p = f"{ptr}/identifiers/{i}"
        if isinstance(item, str):
            out.append(("other", item.strip()))
            continue
        item = _obj(item, p)
        value = _str(item, "value", p, required=True)
        out.append(((_str(item, "scheme", p) or "other").lower(), value or ""))
    return tuple(out)


def _owners(obj: dict[str, Any], ptr: str, depth: int = 0) -> tuple[Owner, ...]:
    if depth > 10:
        raise TxInputError(f"{ptr}/owners", "ownership nested more than 10 layers deep")
    out = []
    for i, item in enumerate(_list(obj, "owners", ptr)):
        p = f"{ptr}/owners/{i}"
        item = _obj(item, p)
        if "share" not in item:
            raise TxInputError(f"{p}/share", "required (the owner's share, 0-1)")
        out.append(Owner(
            name=_str(item, "name", p, required=True) or "",
            share=parse_share(item["share"], f"{p}/share"), pointer=p,
            schema=_schema(item, p), country=_country(item, "country", p),
            identifiers=tuple(v for _, v in _identifiers(item, p)),
            owners=_owners(item, p, depth + 1), extra=_extra(item, _OWNER_KEYS),
        ))
    total = sum(o.share for o in out)
    if total > 1.0001:
        raise TxInputError(f"{ptr}/owners", f"shares add up to {total:.0%}, more than 100 %")
    return tuple(out)


def _party(item: Any, p: str) -> Party:
    item = _obj(item, p)
    role = _str(item, "role", p, required=True) or ""
    role = role.lower().replace("-", "_").replace(" ", "_")
    if role not in ROLES:
        raise TxInputError(f"{p}/role", f"unknown role {item['role']!r}; one of {', '.join(ROLES)}")
    website = item.get("website")
    if website is not None and not isinstance(website, str | bool):
        raise TxInputError(f"{p}/website", f"expected a URL, null or false, got {_kind(website)}")
    return Party(
        role=role, name=_str(item, "name", p, required=True) or "", pointer=p,
        schema=_schema(item, p), country=_country(item, "country", p),
        address=_str(item, "address", p), incorporated=_date(item, "incorporated", p),
        website=website.strip() or None if isinstance(website, str) else None,
        web_presence=(bool(website.strip()) if isinstance(website, str) else bool(website))
        if "website" in item else None,
        line_of_business=_str(item, "line_of_business", p),
        birth_date=_date(item, "birth_date", p), identifiers=_identifiers(item, p),
        owners=_owners(item, p), extra=_extra(item, _PARTY_KEYS),
    )


_GOODS_KEYS = {"hs_code", "description", "part_number", "manufacturer", "quantity",
               "unit_price", "value", "currency"}


def _goods(item: Any, p: str) -> GoodsLine:
    item = _obj(item, p)
    raw = item.get("hs_code")
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)  # 854231 sent as a number
    hs = None
    if raw is not None:
        if not isinstance(raw, str):
            raise TxInputError(f"{p}/hs_code", f"expected a string, got {_kind(raw)}")
        hs = re.sub(r"[\s.\-]", "", raw)
        if hs and not _HS.match(hs):
            raise TxInputError(
                f"{p}/hs_code",
                f"{raw!r} is not an HS code (4-10 digits, dots allowed: 8542.31, 854231)",
            )
        hs = hs or None
    line = GoodsLine(
        pointer=p, hs_code=raw, hs=hs, description=_str(item, "description", p) or "",
        part_number=_str(item, "part_number", p), manufacturer=_str(item, "manufacturer", p),
        quantity=_num(item, "quantity", p), unit_price=_num(item, "unit_price", p),
        value=_num(item, "value", p), currency=_str(item, "currency", p),
        extra=_extra(item, _GOODS_KEYS),
    )
    if not (line.hs or line.description or line.part_number):
        raise TxInputError(p, "a goods line needs an hs_code, a description or a part_number")
    return line


def _places(obj: dict[str, Any], key: str, ptr: str) -> tuple[str, ...]:
    out = []
    for i, value in enumerate(_list(obj, key, ptr)):
        if not isinstance(value, str):
            raise TxInputError(f"{ptr}/{key}/{i}", f"expected a string, got {_kind(value)}")
        if value.strip():
            out.append(value.strip())
    return tuple(out)


def _route(value: Any) -> Route:
    if value is None:
        return Route()
    obj = _obj(value, "/route")
    vessel = None
    if obj.get("vessel") is not None:
        v = _obj(obj["vessel"], "/route/vessel")
        vessel = Vessel(name=_str(v, "name", "/route/vessel"), imo=_str(v, "imo", "/route/vessel"),
                        flag=_country(v, "flag", "/route/vessel"),
                        extra=_extra(v, {"name", "imo", "flag"}))
    transit = _places(obj, "transit", "/route")
    for i, t in enumerate(transit):
        country(t, f"/route/transit/{i}")  # transit is countries: check them now
    return Route(
        origin=_country(obj, "origin", "/route"), transit=transit,
        ports=_places(obj, "ports", "/route"), destination=_country(obj, "destination", "/route"),
        vessel=vessel,
        extra=_extra(obj, {"origin", "transit", "ports", "destination", "vessel"}),
    )


def _payment(value: Any) -> Payment:
    if value is None:
        return Payment()
    obj = _obj(value, "/payment")
    method = _str(obj, "method", "/payment")
    return Payment(
        method=method.lower() if method else None,
        payer_country=_country(obj, "payer_country", "/payment"),
        payer=_str(obj, "payer", "/payment"),
        extra=_extra(obj, {"method", "payer_country", "payer"}),
    )


_TX_KEYS = {"id", "date", "parties", "goods", "route", "payment", "end_use",
            "end_user_statement", "notes", "export"}


def parse_transaction(value: Any, pointer: str = "") -> Transaction:
    """Check and convert one transaction object; errors name the field as a JSON pointer."""
    try:
        return _parse(value)
    except TxInputError as exc:
        if pointer:
            detail = str(exc).split(": ", 1)[1]
            raise TxInputError(pointer + exc.pointer.rstrip("/"), detail) from None
        raise


def _parse(value: Any) -> Transaction:
    obj = _obj(value, "")
    ident = obj.get("id")
    if ident is not None and not isinstance(ident, str | int):
        raise TxInputError("/id", f"expected a string, got {_kind(ident)}")
    parties_raw = obj.get("parties")
    if not isinstance(parties_raw, list) or not parties_raw:
        raise TxInputError("/parties", "required: a non-empty array of parties")
    parties = tuple(_party(item, f"/parties/{i}") for i, item in enumerate(parties_raw))
    goods = tuple(_goods(item, f"/goods/{i}") for i, item in enumerate(_list(obj, "goods", "")))
    eus = obj.get("end_user_statement")
    if eus is not None and not isinstance(eus, bool):
        raise TxInputError("/end_user_statement", f"expected true or false, got {_kind(eus)}")
    export = obj.get("export")
    if export is not None and not isinstance(export, bool):
        raise TxInputError("/export", f"expected true or false, got {_kind(export)}")
    notes_raw = obj.get("notes")
    if isinstance(notes_raw, str):
        notes_raw = [notes_raw]
    notes = _places({"notes": notes_raw}, "notes", "")
    return Transaction(
        id=str(ident) if ident is not None else None, date=_date(obj, "date", ""),
        parties=parties, goods=goods, route=_route(obj.get("route")),
        payment=_payment(obj.get("payment")), end_use=_str(obj, "end_use", ""),
        end_user_statement=eus, notes=notes, extra=_extra(obj, _TX_KEYS), export=export,
    )
