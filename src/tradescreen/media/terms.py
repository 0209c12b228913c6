"""Programme terms, risky places, ports, controlled items and regulations named in a document.

Everything here comes from the active controls snapshot (`tradescreen controls import`): the
UAV-programme entities, the ports on the Caspian route, the embargoed and transshipment
jurisdictions, the CHPL and UAV-guidance items, plus `data/terms.yaml` for product names and
regions the reference data names only in prose. Each mention carries the citation of the row it
came from. Regulations are recognised by their number (UN resolutions, EU regulations and
decisions, U.S. executive orders and CFR parts, UK statutory instruments) and cite the official
text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import ahocorasick
import yaml

from tradescreen.controls.reference import Citation, Reference
from tradescreen.media.mentions import DocText, Mention
from tradescreen.normalize.names import name_form
from tradescreen.normalize.phonetic import abjad_skeleton, skeleton

MIN_PORT_SKELETON = 4  # consonants of a port's name compared by skeleton ("mhkl" Makhachkala)

_GENERIC_ITEM_HEADS = ("other", "parts", "machines", "apparatus", "instruments", "electrical",
                       "processing", "units", "mounted")


@dataclass(frozen=True)
class Term:
    kind: str  # programme | place | port | item
    label: str
    id: str
    citation: Citation | None
    extra: tuple[tuple[str, str], ...] = ()


def stem(token: str) -> str:
    """Plural and singular read alike ("capacitors" = "capacitor")."""
    if len(token) > 4 and token.endswith("s") and not token.endswith("ss"):
        return token[:-2] if token.endswith(("ches", "shes", "xes")) else token[:-1]
    return token


def _tokens(text: str) -> tuple[str, ...]:
    from tradescreen.normalize.text import tokens

    return tuple(stem(t) for t in tokens(text))


@cache
def _extra_terms() -> dict[str, Any]:
    raw = resources.files("tradescreen.media").joinpath("data", "terms.yaml").read_text("utf-8")
    return yaml.safe_load(raw)


def _item_phrases(description: str) -> list[str]:
    """Everyday names inside a CHPL description: "Other fixed capacitors: tantalum capacitors"
    gives "fixed capacitors" and "tantalum capacitors"."""
    out = []
    for part in re.split(r"[:;(]", description):
        part = part.split(",")[0].strip()
        part = re.sub(r"^(other|others)\s+", "", part, flags=re.I)
        words = part.split()
        if not words or len(words) > 4 or words[0].lower() in _GENERIC_ITEM_HEADS:
            continue
        if any(w.lower() in ("of", "for", "with", "than", "whether", "not") for w in words):
            continue
        out.append(part)
    return out


class TermFinder:
    def __init__(self, reference: Reference) -> None:
        self.reference_id = reference.id
        table: dict[tuple[str, ...], list[Term]] = defaultdict(list)

        def add(text: str, term: Term) -> None:
            toks = _tokens(text)
            if toks and (len(toks) > 1 or len(toks[0]) >= 3) and term not in table[toks]:
                table[toks].append(term)

        for ent in reference.entities:
            term = Term("programme", ent.names[0], ent.id, ent.citation,
                        (("role", ent.role[:200]),))
            for name in ent.names:
                # "Qods Aviation Industries (QAI)": the name and its short form, apart.
                for part in [re.sub(r"\([^)]*\)", " ", name), *re.findall(r"\(([^)]*)\)", name)]:
                    if "name" in part.lower():
                        continue
                    if len(part.split()) <= 8:
                        add(part, term)
                    # Written without its legal form ("Grand Sea" for Grand Sea LLC, "JSC" for
                    # Joint Stock Company): the name as screening reads it.
                    core = name_form(part, "Company").tokens
                    if 2 <= len(core) <= 8:
                        add(" ".join(core), term)
        for port in reference.ports:
            if port.evidence == "not_found":
                continue
            term = Term("port", port.name, port.id, port.citation,
                        (("evidence", port.evidence), ("country", port.country)))
            for key in port.keys:
                add(" ".join(key), term)
        for code, j in {**reference.transshipment, **reference.jurisdictions}.items():
            if j.kind == "region":
                continue  # named by their own terms below (Crimea, ...)
            name = re.split(r"\s+--\s+|\(", j.name)[0].strip()
            term = Term("place", name, code, j.citation, (("jurisdiction", j.kind),))
            add(name, term)
        for item in reference.uav_items.values():
            term = Term("item", item.item, item.id, item.citation,
                        (("category", item.category), ("hs6", ",".join(item.hs6))))
            for part in re.split(r"\s*/\s*|\s*\(|\)", item.item):
                part = re.sub(r"^(incl\.|controlling).*", "", part.strip())
                if part and len(part.split()) <= 5:
                    add(part, term)
        for chpl in reference.chpl.values():
            term = Term("item", chpl.description, chpl.hs6, chpl.citation,
                        (("hs6", chpl.hs6), ("chpl_tier", chpl.tier)))
            for phrase in _item_phrases(chpl.description):
                add(phrase, term)
        extra = _extra_terms()
        for kind in ("programme", "place"):
            for entry in extra.get(kind) or ():
                file, source_id = entry["cite"]
                term = Term(kind, entry["label"], f"terms:{entry['label']}",
                            reference.cite(file, [source_id]))
                for text in entry["terms"]:
                    add(text, term)
        for entry in extra.get("item") or ():
            if entry.get("hs6") in reference.chpl:
                chpl = reference.chpl[entry["hs6"]]
                term = Term("item", entry["label"], chpl.hs6, chpl.citation,
                            (("hs6", chpl.hs6), ("chpl_tier", chpl.tier)))
            elif entry.get("uav") in reference.uav_items:
                uav = reference.uav_items[entry["uav"]]
                term = Term("item", entry["label"], uav.id, uav.citation,
                            (("category", uav.category),))
            else:
                continue
            for text in entry["terms"]:
                add(text, term)
        # Ports written in other scripts or romanised the German way (Махачкалу, Энзели,
        # ماخاچقلعه, Machatschkala): one-word port names by the word as the lists spell it, or
        # by its consonant skeleton.
        self._ports: dict[str, list[Term]] = defaultdict(list)
        for toks, terms in table.items():
            ports = [t for t in terms if t.kind == "port"]
            if len(toks) == 1 and ports:
                self._ports[toks[0]].extend(ports)
                if len(key := skeleton(toks[0])) >= MIN_PORT_SKELETON:
                    self._ports["~" + key].extend(ports)
                if len(key := abjad_skeleton(toks[0])) >= MIN_PORT_SKELETON:
                    self._ports["a:" + key].extend(ports)
        automaton = ahocorasick.Automaton()
        for toks, terms in table.items():
            automaton.add_word(" " + " ".join(toks) + " ", (len(toks), tuple(terms)))
        automaton.make_automaton()
        self._automaton = automaton
        self.chpl = reference.chpl

    def find(self, doc: DocText) -> list[Mention]:
        from bisect import bisect_left

        toks = [stem(t) for t in doc.stream.split()]
        stream = " " + " ".join(toks) + " "
        starts, at = [], 1
        for t in toks:
            starts.append(at)
            at += len(t) + 1
        out: list[Mention] = []
        for end, (size, terms) in self._automaton.iter(stream):
            last = bisect_left(starts, end) - 1
            first = last - size + 1
            wf, wl = doc.token_word[first], doc.token_word[last]
            if wf != wl and not doc.joined(wf, wl):
                continue
            start, stop = doc.span(wf, wl)
            for term in terms:
                out.append(_term_mention(term, doc, wf, start, stop))
        out.extend(self._ports_read(doc))
        out.extend(self._hs_codes(doc))
        out.extend(regulations(doc))
        return _longest(out)

    def _ports_read(self, doc: DocText) -> list[Mention]:
        from tradescreen.media.gazetteer import _inflections, english_from_german

        out = []
        for wi, w in enumerate(doc.words):
            if len(w.tokens) != 1 or (w.text.isascii() and w.script != "Latin"):
                continue
            tok = w.tokens[0]
            if w.script == "Cyrillic":
                forms = _inflections(tok, "Cyrillic", w.text)
                # A short name declines too (Азова, Азову: Azov).
                forms += [f[:-1] for f in forms if len(f) >= 5 and f[-1] in "aeiouy"]
                keys = forms + ["~" + k for f in forms
                                if len(k := skeleton(f)) >= MIN_PORT_SKELETON]
            elif w.script == "Latin":
                english = english_from_german(tok)
                keys = [english] if english else []
            elif w.script in ("Arabic",) and len(key := abjad_skeleton(tok)) >= MIN_PORT_SKELETON:
                keys = ["a:" + key]
            else:
                continue
            for key in keys:
                terms = self._ports.get(key)
                if terms:
                    for term in dict.fromkeys(terms):
                        out.append(_term_mention(term, doc, wi, w.start, w.end))
                    break
        return out

    def _hs_codes(self, doc: DocText) -> list[Mention]:
        out = []
        for m in _HS.finditer(doc.text):
            hs6 = m.group("a") + m.group("b")
            chpl = self.chpl.get(hs6)
            if chpl is None:
                continue
            term = Term("item", chpl.description, hs6, chpl.citation,
                        (("hs6", hs6), ("chpl_tier", chpl.tier)))
            out.append(_term_mention(term, doc, _word_at(doc, m.start()), m.start(), m.end()))
        return out


_HS = re.compile(r"(?<![\d.])(?P<a>\d{4})\.(?P<b>\d{2})(?:\.\d{2,4})?(?![\d])")


def _word_at(doc: DocText, offset: int) -> int:
    from bisect import bisect_right

    return max(0, bisect_right([w.start for w in doc.words], offset) - 1)


def _term_mention(term: Term, doc: DocText, word: int, start: int, end: int) -> Mention:
    details: dict[str, Any] = {"term": term.label, "term_id": term.id,
                               "citation": term.citation.to_dict() if term.citation else None}
    details.update(dict(term.extra))
    return Mention(term.kind, doc.text[start:end], start, end,
                   doc.sentence(word) if doc.words else "", details=details)


def _longest(mentions: list[Mention]) -> list[Mention]:
    """Of overlapping mentions of one kind keep the longest ("Alabuga SEZ" over "Alabuga")."""
    order = sorted(mentions, key=lambda m: (-(m.end - m.start), m.start))
    taken: list[Mention] = []
    for m in order:
        if all(t.kind != m.kind or m.end <= t.start or m.start >= t.end
               or (t.start, t.end) == (m.start, m.end) for t in taken):
            taken.append(m)
    return sorted(taken, key=lambda m: (m.start, m.kind))


# -- regulations by number --------------------------------------------------------------------

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")

_REGULATIONS: list[tuple[re.Pattern[str], str]] = [
    # Chinese and Arabic are not split by \b the way Latin words are: 第1718号决议 sits inside a
    # run of characters, القرار carries its article.
    (re.compile(r"(?:\b(?:UNSCR|UN\s+Security\s+Council\s+[Rr]esolution|Security\s+Council\s+"
                r"[Rr]esolution|[Rr]esolution|Resolución|Resolutie|Resolution|резолюци[яиюей]"
                r"(?:\s+СБ\s+ООН)?|قطعنامه(?:\s+شورای\s+امنیت)?|[وفبل]?(?:ال)?قرار(?:\s+مجلس\s+"
                r"الأمن)?(?:\s+(?:الدولي|رقم))?)|决议|第)\s*(?:No\.?\s*|№\s*)?"
                r"(?P<n>[0-9۰-۹]{3,4})(?:\s*\((?P<y>\d{4})\))?(?:\s*号决议)?"), "un"),
    (re.compile(r"\b(?P<kind>Implementing\s+Regulation|Regulation|Decision|Verordnung|"
                r"Durchführungsverordnung|Beschluss|Регламент|Решение)\s*\((?P<org>EU|EC|CFSP|"
                r"GASP|ЕС|ОВПБ)\)\s*(?:No\.?|Nr\.?|№)?\s*(?P<a>\d{1,4})/(?P<b>\d{2,4})"), "eu"),
    (re.compile(r"(?:\bExecutive\s+Order|\bE\.\s?O\.|\bEO)\s*(?:No\.?\s*)?(?P<n>1\d{4})\b"), "eo"),
    (re.compile(r"\b(?P<t>\d{1,2})\s*C\.?F\.?R\.?\s*(?:[Pp]art\s*|§+\s*|[Ss]ection\s*)?"
                r"(?P<p>\d{3})(?:\.(?P<s>\d+))?"), "cfr"),
    (re.compile(r"\bS\.?I\.?\s*(?P<y>(?:19|20)\d{2})/(?P<n>\d{1,4})\b"), "uksi"),
]


def regulations(doc: DocText) -> list[Mention]:
    out = []
    for pattern, kind in _REGULATIONS:
        for m in pattern.finditer(doc.text):
            found = _regulation(kind, m)
            if found is None:
                continue
            label, url, authority = found
            citation = Citation(source=authority, title=label, url=url, file="regulation")
            out.append(Mention(
                "regulation", m.group(0), m.start(), m.end(),
                doc.sentence(_word_at(doc, m.start())) if doc.words else "",
                details={"term": label, "term_id": url, "citation": citation.to_dict()},
            ))
    return out


def _regulation(kind: str, m: re.Match[str]) -> tuple[str, str, str] | None:
    if kind == "un":
        n = int(m.group("n").translate(_DIGITS))
        if not 1 <= n <= 2999 or (m.group(0).startswith("第") and "号决议" not in m.group(0)):
            return None
        return (f"UN Security Council resolution {n}", f"https://undocs.org/S/RES/{n}",
                "United Nations Security Council")
    if kind == "eu":
        a, b = m.group("a"), m.group("b")
        # Since 2015 EU acts are numbered year/number; before, number/year.
        year, number = (a, b) if len(a) == 4 and int(a) >= 2015 else (b, a)
        if len(year) == 2:
            year = ("19" if int(year) > 50 else "20") + year
        org = m.group("org").upper().replace("GASP", "CFSP").replace("ЕС", "EU").replace(
            "ОВПБ", "CFSP").replace("EC", "EU")
        decision = m.group("kind").lower().startswith(("decision", "beschluss", "решение"))
        implementing = "implementing" in m.group("kind").lower() or "durchf" in m.group(
            "kind").lower()
        act = "dec" if decision else ("reg_impl" if implementing else "reg")
        label = (f"Council {'Decision' if decision else 'Regulation'} ({org}) "
                 f"{year}/{number}" if int(year) >= 2015 else
                 f"Council {'Decision' if decision else 'Regulation'} ({org}) No {number}/{year}")
        return (label, f"https://eur-lex.europa.eu/eli/{act}/{year}/{int(number)}/oj",
                "Council of the European Union")
    if kind == "eo":
        n = m.group("n")
        return (f"Executive Order {n}", f"https://www.federalregister.gov/executive-order/{n}",
                "President of the United States")
    if kind == "cfr":
        t, p, s = m.group("t"), m.group("p"), m.group("s")
        where = f"section-{p}.{s}" if s else f"part-{p}"
        label = f"{t} CFR {p}" + (f".{s}" if s else "")
        return (label, f"https://www.ecfr.gov/current/title-{t}/{where}",
                "Electronic Code of Federal Regulations")
    if kind == "uksi":
        y, n = m.group("y"), m.group("n")
        return (f"UK Statutory Instrument {y}/{n}", f"https://www.legislation.gov.uk/uksi/{y}/{n}",
                "UK Parliament (legislation.gov.uk)")
    return None
