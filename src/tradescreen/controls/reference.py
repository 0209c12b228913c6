"""Lookup tables built from one ControlSet: what the screening checks consult. Pure.

Every table row carries the citation of its own `source_ids` (the official text among them, else
the first source of the same file that has a URL, marked secondary), so a reason can always say
where its rule comes from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from tradescreen.controls.loader import ControlsError, ControlSet
from tradescreen.controls.official import is_official, official_texts

_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Citation:
    source: str  # the issuing authority as the data file states it
    title: str
    url: str | None
    id: str = ""  # source id inside the file
    date: str | None = None
    file: str = ""  # which reference file (or list) the rule comes from
    # True: no official text is known, so this is a reproduction or summary (law firm, media).
    secondary: bool = False
    via: str | None = None  # the reproduction the data cited, when `url` is the official text

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "title": self.title, "url": self.url, "id": self.id,
                "date": self.date, "file": self.file, "secondary": self.secondary,
                "via": self.via}


@dataclass(frozen=True)
class ChplItem:
    hs6: str
    tier: str
    description: str
    verified: bool
    citation: Citation


@dataclass(frozen=True)
class UavItem:
    id: str
    item: str
    category: str
    hs6: tuple[str, ...]
    citation: Citation


@dataclass(frozen=True)
class Jurisdiction:
    code: str  # iso2 lower case, or a region code such as "ua-cri"
    name: str
    kind: str  # comprehensive | major | region | transshipment
    status: str
    verification: str
    citation: Citation | None
    note: str = ""


@dataclass(frozen=True)
class Port:
    id: str
    name: str
    country: str
    evidence: str  # official | reported | not_found
    role: str
    keys: tuple[tuple[str, ...], ...]  # normalised token sequences that name this port
    citation: Citation | None


@dataclass(frozen=True)
class Flag:
    id: str
    text: str
    fidelity: str
    detect_fields: tuple[str, ...]
    citation: Citation


@dataclass(frozen=True)
class ProgrammeEntity:
    id: str
    names: tuple[str, ...]
    country: str | None
    role: str
    designated: bool
    verification: str
    citation: Citation | None


# Words that qualify a port name rather than name it ("Port Olya", "Bandar-e Anzali").
_PORT_NOISE = {
    "port", "bandar", "e", "of", "the", "sea", "seaport", "harbour", "harbor", "terminal"
}


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def place_tokens(text: str) -> tuple[str, ...]:
    return tuple(t for t in re.split(r"[^a-z0-9]+", fold(text)) if t and t not in _PORT_NOISE)


def _port_keys(name: str, aliases: list[str], country: str) -> tuple[tuple[str, ...], ...]:
    variants = [name.split("(")[0], *aliases]
    variants += re.findall(r"\(([^)]*)\)", name)
    keys: list[tuple[str, ...]] = []
    for variant in variants:
        tokens = place_tokens(variant)
        if tokens and fold(variant).strip() != fold(country):  # "(Iran)" qualifies, not names
            keys.append(tokens)
            if len(tokens) > 1:
                keys.append(("".join(tokens),))  # "Amir Abad" = "Amirabad"
    return tuple(dict.fromkeys(keys))


def _clean_url(value: Any) -> str | None:
    if not value:
        return None
    found = _URL.search(str(value))
    return found.group(0).rstrip(";,") if found else None


class Reference:
    """The tables of one controls snapshot; `id` and `files` identify it in every result."""

    def __init__(self, controls: ControlSet) -> None:
        self.id = controls.id
        self.files = dict(controls.files)
        d = controls.data
        self._sources: dict[tuple[str, str], dict[str, Any]] = {}
        for name, content in d.items():
            for source in content.get("sources") or ():
                self._sources[(name, str(source["id"]))] = source
        try:
            self.chpl = self._chpl(d["chpl.yaml"])
            self.uav_items, self.uav_categories = self._uav(d["iran_uav_items.yaml"])
            self.flags = self._flags(d["red_flags.yaml"])
            self.jurisdictions, self.transshipment = self._jurisdictions(d["jurisdictions.yaml"])
            self.ports = self._ports(d["ports.yaml"])
            self.entities = self._entities(d["uav_programme_entities.yaml"])
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ControlsError(f"control data has an unexpected shape: {exc!r}") from None

    # -- citations ---------------------------------------------------------------------------

    def cite(self, file: str, source_ids: Any) -> Citation | None:
        """The best of `source_ids` (in that file): an official text first (cited directly, or
        the official text of a reproduction, official_texts.yaml), else a reproduction marked
        `secondary`; None when no source has a URL or is known."""
        candidates = [c for sid in source_ids or () if (c := self._citation(file, str(sid)))]
        with_url = [c for c in candidates if c.url]
        if not with_url:
            return candidates[0] if candidates else None
        return sorted(with_url, key=lambda c: c.secondary)[0]  # stable: data order otherwise

    def _citation(self, file: str, sid: str) -> Citation | None:
        source = self._sources.get((file, sid))
        if source is None:
            return None
        url = _clean_url(source.get("url"))
        citation = Citation(
            source=str(source.get("authority") or ""), title=str(source.get("title") or ""),
            url=url, id=sid, date=str(source["date"]) if source.get("date") else None,
            file=file,
        )
        if url is None or is_official(url):
            return citation
        official = official_texts().get(sid)
        if official is not None and "same_as" in official:
            other_file, _, other_id = str(official["same_as"]).partition("#")
            same = self._sources.get((other_file, other_id))
            official = None if same is None else {
                "source": same.get("authority"), "title": same.get("title"),
                "url": _clean_url(same.get("url"))}
        if official is None or not is_official(official.get("url")):
            return replace(citation, secondary=True)
        return replace(citation, source=str(official.get("source") or citation.source),
                       title=str(official.get("title") or citation.title),
                       url=official["url"], via=url)

    def _require(self, file: str, source_ids: Any, what: str) -> Citation:
        citation = self.cite(file, source_ids)
        if citation is None:
            raise ControlsError(f"{file}: {what} cites no known source")
        return citation

    # -- tables ------------------------------------------------------------------------------

    def chpl_tier_citation(self, tier: str) -> Citation | None:
        """The official CHPL page, which defines the tiers (items cite reproductions)."""
        return self._tiers.get(tier)

    def _chpl(self, data: dict[str, Any]) -> dict[str, ChplItem]:
        self._tiers = {
            str(t["id"]): self.cite("chpl.yaml", t.get("source_ids"))
            for t in (data.get("meta") or {}).get("tiers") or ()
        }
        out = {}
        for item in data["items"]:
            hs6 = re.sub(r"\D", "", str(item["hs6"]))
            if len(hs6) != 6:
                raise ControlsError(f"chpl.yaml: HS code {item['hs6']!r} is not six digits")
            out[hs6] = ChplItem(
                hs6=hs6, tier=str(item["tier"]), description=str(item.get("description", "")),
                verified=bool(item.get("description_verified")),
                citation=self._require("chpl.yaml", item.get("source_ids"), f"CHPL {hs6}"),
            )
        return out

    def _uav(self, data: dict[str, Any]) -> tuple[dict[str, UavItem], dict[str, str]]:
        categories = {str(c["id"]): str(c["category"]) for c in data["item_categories"]}
        guidance = [s["id"] for s in data["sources"]]  # the guidance itself comes first
        items = {}
        for item in data["items"]:
            cat = item.get("category_id")
            citation = self.cite("iran_uav_items.yaml", item.get("source_ids"))
            items[str(item["id"])] = UavItem(
                id=str(item["id"]), item=str(item["item"]),
                category=categories.get(str(cat), "UAV-related item"),
                hs6=tuple(re.sub(r"\D", "", str(h)) for h in item.get("candidate_hs6") or ()),
                citation=citation or self._require("iran_uav_items.yaml", guidance, "guidance"),
            )
        return items, categories

    def uav_guidance(self) -> Citation:
        sources = [s for (f, s) in self._sources if f == "iran_uav_items.yaml"]
        return self._require("iran_uav_items.yaml", sources, "UAV guidance")

    def _flags(self, data: dict[str, Any]) -> dict[str, Flag]:
        return {
            str(f["id"]): Flag(
                id=str(f["id"]), text=str(f["text"]), fidelity=str(f.get("text_fidelity", "")),
                detect_fields=tuple(f.get("detect_fields") or ()),
                citation=self._require("red_flags.yaml", f.get("source_ids"), f"flag {f['id']}"),
            )
            for f in data["flags"]
        }

    def _jurisdictions(
        self, data: dict[str, Any]
    ) -> tuple[dict[str, Jurisdiction], dict[str, Jurisdiction]]:
        file = "jurisdictions.yaml"
        programmes: dict[str, Jurisdiction] = {}
        for entry in data["comprehensive_or_major_programmes"]:
            name, status = str(entry["country"]), str(entry.get("status", ""))
            code = str(entry["iso2"]).lower()
            low = fold(name + " " + str(entry.get("subdivision", "")))
            if "crimea" in low:
                codes, kind = ["ua-cri"], "region"
            elif "occupied" in low:  # DNR / LNR / Zaporizhzhia / Kherson
                codes, kind = ["ua-dpr", "ua-lpr", "ua-zap", "ua-khe"], "region"
            else:
                codes = [code]
                kind = "comprehensive" if "comprehensive" in status.lower() else "major"
            for c in codes:
                programmes[c] = Jurisdiction(
                    code=c, name=name, kind=kind, status=status,
                    verification=str(entry.get("verification", "")),
                    citation=self.cite(file, entry.get("source_ids")),
                    note=str(entry.get("note", "")),
                )
        transshipment = {}
        for entry in data["transshipment_concern_russia"]:
            code = str(entry["iso2"]).lower()
            transshipment[code] = Jurisdiction(
                code=code, name=str(entry["country"]), kind="transshipment",
                status=str(entry.get("list_basis") or "transshipment point for Russia/Belarus"),
                verification=str(entry.get("verification", "")),
                citation=self._require(file, entry.get("source_ids"), f"{code} transshipment"),
                note=str(entry.get("note", "")),
            )
        return programmes, transshipment

    def _ports(self, data: dict[str, Any]) -> list[Port]:
        out = []
        for port in data["ports"]:
            facts = port.get("facts") or ()
            ids = [s for fact in facts for s in fact.get("source_ids") or ()]
            out.append(Port(
                id=str(port["id"]), name=str(port["name"]), country=str(port["iso2"]).lower(),
                evidence=str(port.get("evidence", "")), role=str(port.get("role", "")),
                keys=_port_keys(str(port["name"]), list(port.get("aliases") or ()),
                                str(port.get("country", ""))),
                citation=self.cite("ports.yaml", ids),
            ))
        return out

    def find_port(self, text: str) -> Port | None:
        tokens = place_tokens(text)
        if not tokens:
            return None
        grams = {tokens[i:j] for i in range(len(tokens)) for j in range(i + 1, len(tokens) + 1)}
        grams |= {("".join(g),) for g in list(grams)}
        for port in self.ports:
            if any(key in grams for key in port.keys):
                return port
        return None

    def _entities(self, data: dict[str, Any]) -> list[ProgrammeEntity]:
        out = []
        for ent in list(data["entities"]) + list(data.get("vessels") or ()):
            raw = [str(ent["name"]), *(ent.get("aliases_in_sources") or ())]
            names: list[str] = []
            for value in raw:
                # "Albatross / Albatros LLC (Russian: ...)", "Murat Bukey (individual)"
                value = re.sub(r"\((?:russian|individual|german)[^)]*\)", "", value, flags=re.I)
                names += [n.strip(" ,") for n in value.split(" / ") if n.strip(" ,")]
            country = ent.get("country") or ent.get("flag")
            out.append(ProgrammeEntity(
                id=str(ent.get("id") or ent["name"]), names=tuple(dict.fromkeys(names)),
                country=str(country).lower() if country and len(str(country)) == 2 else None,
                role=str(ent.get("role") or ent.get("note") or ""),
                designated=bool(ent.get("designations", True)),
                verification=str(ent.get("verification", "")),
                citation=self.cite("uav_programme_entities.yaml", ent.get("source_ids")),
            ))
        return out
