"""Deterministic generator of labelled name pairs drawn from the real sanctions lists.

Positives are a list name against a realistic variant of it (typos, reordering, transliteration,
legal-form swaps, ...) or against another name the lists themselves give for the same entity
(a.k.a.s, original-script names, the same entity on another list). Negatives are two *different*
listed entities whose names look alike (shared surname, shared distinctive word, high fuzzy
similarity), which is where a screening matcher earns or loses its false-positive rate.

Output: CSV `schema,name1,name2,is_match,category` (the dev file's layout plus category) in
bench/out/. Convention: name1 is the query side (the variant, as a customer would type it),
name2 the list's own spelling.

    python bench/variants.py [-n 3000] [--seed 7] [--out bench/out/name_variants.csv]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from random import Random

from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import out_dir, rel, shared_data_dir, timer  # noqa: E402

from tradescreen import sources  # noqa: E402
from tradescreen.model import Entity, Identifier, Name  # noqa: E402

# The three lists the pairs come from (paths under the shared data dir).
LISTS: dict[str, str] = {
    "ofac": "ofac/sdn_2024-05-03",
    "un": "un/consolidated.xml",
    "csl": "csl/consolidated.csv.gz",
}

POSITIVE_CATEGORIES: tuple[str, ...] = (
    "typo",
    "token_reorder",
    "drop_middle",
    "initials",
    "translit_spelling",
    "translit_script",  # the list's own original-script name vs its Latin name
    "translit_script_synth",  # our Latin -> Cyrillic rendering of Russian-looking names
    "legal_form",
    "case_punct",
    "alias",  # a listed a.k.a. vs the primary name of the same record
    "cross_list",  # the same entity as named on two different lists
)
NEGATIVE_CATEGORIES: tuple[str, ...] = (
    "neg_same_surname",
    "neg_same_given",
    "neg_shared_word",
    "neg_fuzzy",
    "neg_vessel",
)
CATEGORIES = POSITIVE_CATEGORIES + NEGATIVE_CATEGORIES

# Share of the negatives per category; positives are split evenly over their categories.
NEGATIVE_SHARE: dict[str, float] = {
    "neg_same_surname": 0.2,
    "neg_same_given": 0.15,
    "neg_shared_word": 0.25,
    "neg_fuzzy": 0.25,
    "neg_vessel": 0.15,
}

# Equivalent legal-form spellings. Longest variants are matched first so "Co., Ltd." is not read
# as "Co." followed by "Ltd.".
LEGAL_FORMS: tuple[tuple[str, ...], ...] = (
    ("LLC", "OOO", "Limited Liability Company", "L.L.C.",
     "Obshchestvo s Ogranichennoi Otvetstvennostyu"),
    ("JSC", "AO", "Joint Stock Company", "Aktsionernoe Obshchestvo"),
    ("PJSC", "PAO", "Public Joint Stock Company"),
    ("CJSC", "ZAO", "Closed Joint Stock Company"),
    ("OJSC", "OAO", "Open Joint Stock Company"),
    ("Co., Ltd.", "Company Limited", "Co. Ltd"),
    ("Ltd", "Ltd.", "Limited"),
    ("Co.", "Company"),
    ("Inc.", "Inc", "Incorporated"),
    ("Corp.", "Corporation"),
    ("GmbH", "Gesellschaft mit beschraenkter Haftung"),
    ("S.A.", "SA", "Sociedad Anonima"),
    ("FZE", "Free Zone Establishment"),
    ("FZCO", "Free Zone Company"),
    ("PLC", "Public Limited Company"),
    ("LLP", "Limited Liability Partnership"),
)
_FORM_GROUP: dict[str, int] = {}
for _gi, _group in enumerate(LEGAL_FORMS):
    for _variant in _group:
        _FORM_GROUP.setdefault(_variant.casefold(), _gi)
_FORM_RE = re.compile(
    r"(?<![\w.])("
    + "|".join(re.escape(v) for v in sorted(_FORM_GROUP, key=len, reverse=True))
    + r")(?![\w])",
    re.IGNORECASE,
)
# Forms seen both before and after the name (OOO ROMASHKA / ROMASHKA LLC); "Co., Ltd." is not.
_MOVABLE_FORMS = frozenset(range(5))
_FORM_TOKENS = {
    t for v in _FORM_GROUP for t in re.findall(r"\w+", v.casefold())
}

# Systematic romanisation differences (each applied where its pattern occurs).
_TRANSLIT_RULES: tuple[tuple[str, str], ...] = (
    (r"kh", "h"),
    (r"\bh(?=[aeiou])", "kh"),
    (r"ou", "u"),
    (r"(?<=[bcdfgjklmnprstvz])u", "ou"),
    (r"(?<=[bcdfgklmnprstvz])y(?=[bcdfgklmnprstvz]|\b)", "i"),
    (r"iy\b", "y"),
    (r"(?<=[aeiou])i(?=[aeiou])", "y"),
    (r"ie", "ye"),
    (r"\bye", "e"),
    (r"\be(?=[vl])", "ye"),
    (r"ov\b", "off"),
    (r"ev\b", "eff"),
    (r"yu", "iu"),
    (r"ya", "ia"),
    (r"zh", "j"),
    (r"\bj", "dzh"),
    (r"\bsh", "ch"),
    (r"ee", "i"),
    (r"\bal-", "el-"),
    (r"\bel-", "al-"),
    (r"\bal-", "al "),
    (r"\bal-", ""),
    (r"\babd al-", "abdul "),
    (r"\babdul ", "abdel "),
)
_MUHAMMAD = ("mohammed", "muhammad", "mohamad", "mohammad", "muhammed", "mohamed", "mohamud")
_MUHAMMAD_RE = re.compile(r"\b(" + "|".join(_MUHAMMAD) + r")\b")

# Greedy Latin -> Cyrillic for Russian names (multi-letter clusters first).
_CYR_MULTI = (
    ("shch", "щ"), ("kh", "х"), ("zh", "ж"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
    ("yu", "ю"), ("ya", "я"), ("yo", "ё"), ("ye", "е"), ("iy", "ий"), ("yy", "ый"),
)
# Word-final endings of Russian given names: Evgeny / Anatolii -> Евгений / Анатолий.
_CYR_FINAL = (("ii", "ий"), ("iy", "ий"), ("y", "ий"))
_CYR_SINGLE = dict(zip(
    "abvgdezijklmnoprstufhcxwqy",
    ["а", "б", "в", "г", "д", "е", "з", "и", "дж", "к", "л", "м", "н", "о", "п", "р", "с", "т",
     "у", "ф", "х", "к", "кс", "в", "к", "ы"],
    strict=True,
))
_RUSSIAN_SUFFIX = re.compile(r"(ov|ova|ev|eva|in|ina|ovich|evich|ovna|evna|sky|skiy|enko)\b", re.I)

# QWERTY neighbours: substitution typos come from the keys around the intended one.
_KEYS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _r, _row in enumerate(_KEYS):
    for _c, _ch in enumerate(_row):
        near = [_row[i] for i in (_c - 1, _c + 1) if 0 <= i < len(_row)]
        for _rr in (_r - 1, _r + 1):
            if 0 <= _rr < len(_KEYS):
                near += [_KEYS[_rr][i] for i in (_c - 1, _c, _c + 1) if 0 <= i < len(_KEYS[_rr])]
        _NEIGHBOURS[_ch] = "".join(near)


@dataclass(frozen=True, slots=True)
class Pair:
    schema: str
    name1: str
    name2: str
    is_match: bool
    category: str
    id1: str  # entity id (source:source_id) of each side, for checks and error analysis
    id2: str
    cluster1: int  # cross-list cluster of each side: equal for positives, different for negatives
    cluster2: int


@dataclass(slots=True)
class Record:
    """One listed entity, reduced to what pair generation needs."""

    entity: Entity
    schema: str  # bench schema: Person, Company, Organization, Vessel
    primary: str
    aliases: list[Name]
    ids: frozenset[tuple[str, str]]
    cluster: int = -1

    @property
    def id(self) -> str:
        return self.entity.id


# ---------------------------------------------------------------- list loading


def load_lists(data_dir: Path) -> tuple[list[Entity], dict[str, str]]:
    """Read the three lists with tradescreen's readers; say which loader was used per list.

    Until a reader has landed in tradescreen.sources, a minimal prototype parser stands in so the
    bench can run; once it exists it is used automatically (the prototypes can then be deleted).
    """
    entities: list[Entity] = []
    used: dict[str, str] = {}
    for key, relpath in LISTS.items():
        path = data_dir / relpath
        try:
            entities.extend(sources.read(path).entities)
            used[key] = "tradescreen reader"
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("tradescreen.sources."):
                raise
            entities.extend(_PROTOTYPES[key](path))
            used[key] = "bench prototype (reader not landed yet)"
    return entities, used


def _proto_ofac(path: Path) -> list[Entity]:
    types = {"individual": "Person", "vessel": "Vessel", "aircraft": "Aircraft"}
    aka = re.compile(r"\b([afn])\.k\.a\.,?\s+'([^']+)'")
    out: list[Entity] = []
    with (path / "sdn.csv").open(encoding="latin-1", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) < 12 or not row[0].strip().isdigit():
                continue  # the trailing 0x1A EOF line
            cells = [c.strip() if c.strip() != "-0-" else "" for c in row]
            names = [Name(cells[1])]
            for kind, alias in aka.findall(cells[11]):
                names.append(Name(alias.strip(), "previous" if kind == "f" else "alias"))
            ids = [Identifier("imo", m) for m in re.findall(r"\bIMO (\d{7})\b", cells[11])]
            out.append(Entity("us_ofac_sdn", cells[0], types.get(cells[2], "LegalEntity"),
                              tuple(names), identifiers=tuple(ids)))
    return out


def _proto_un(path: Path) -> list[Entity]:
    from lxml import etree

    out: list[Entity] = []
    root = etree.parse(str(path)).getroot()
    for tag, schema in (("INDIVIDUAL", "Person"), ("ENTITY", "Organization")):
        for node in root.iter(tag):
            parts = [node.findtext(p) or "" for p in
                     ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
            primary = " ".join(p.strip() for p in parts if p.strip())
            if not primary:
                continue
            names = [Name(primary)]
            for alias in node.iter(f"{tag}_ALIAS"):
                text = (alias.findtext("ALIAS_NAME") or "").strip()
                if text:
                    weak = (alias.findtext("QUALITY") or "").lower() == "low"
                    names.append(Name(text, "alias", "weak" if weak else "strong"))
            original = (node.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
            if original:
                names.append(Name(original, "original"))
            ref = (node.findtext("REFERENCE_NUMBER") or "").strip()
            out.append(Entity("un_sc", ref, schema, tuple(names)))
    return out


def _proto_csl(path: Path) -> list[Entity]:
    types = {"Individual": "Person", "Vessel": "Vessel", "Aircraft": "Aircraft"}
    out: list[Entity] = []
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            names = [Name(row["name"].strip())]
            names += [Name(a.strip(), "alias") for a in row["alt_names"].split(";") if a.strip()]
            ids = [Identifier("imo", m) for m in re.findall(r"\bIMO (\d{7})\b", row["ids"])]
            props = {"list": (row["source"],)}
            if row["entity_number"]:
                props["entity_number"] = (row["entity_number"],)
            out.append(Entity("us_csl", row["_id"], types.get(row["type"], "LegalEntity"),
                              tuple(names), identifiers=tuple(ids), properties=props))
    return out


_PROTOTYPES: dict[str, Callable[[Path], list[Entity]]] = {
    "ofac": _proto_ofac,
    "un": _proto_un,
    "csl": _proto_csl,
}


# ---------------------------------------------------------------- name helpers


def norm_key(name: str) -> str:
    """Order- and punctuation-free key: two names with equal keys are 'the same words'."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(sorted(re.findall(r"\w+", text)))


def is_latin(text: str) -> bool:
    return all(ord(c) < 0x250 for c in text if c.isalpha())


def has_legal_form(name: str) -> bool:
    return _FORM_RE.search(name) is not None


def bench_schema(entity: Entity) -> str | None:
    """Map a reader's schema to the pair schemas (aircraft and unknowns are left out)."""
    if entity.schema in ("Person", "Vessel"):
        return entity.schema
    if entity.schema in ("Company", "Organization", "LegalEntity"):
        # Lists rarely say company vs organisation; a legal form in the name is the evidence.
        if entity.schema == "Company" or has_legal_form(entity.caption):
            return "Company"
        return "Organization"
    return None


def split_person(name: str) -> tuple[list[str], list[str]] | None:
    """'SURNAME, Given Middle' -> (given tokens, surname tokens); None if not in that form."""
    if name.count(",") != 1:
        return None
    surname, given = (p.strip() for p in name.split(","))
    if not surname or not given:
        return None
    return given.split(), surname.split()


def restyle(text: str, like: str) -> str:
    """Give `text` the letter case style of `like` (lists are upper case, queries vary)."""
    if like.isupper():
        return text.upper()
    if like.islower():
        return text.lower()
    return text


def _title(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split(" "))


# ---------------------------------------------------------------- variant makers


def make_typo(name: str, rng: Random) -> str | None:
    tokens = name.split(" ")
    idxs = [i for i, t in enumerate(tokens) if sum(c.isalpha() for c in t) >= 4]
    if not idxs:
        return None
    for _ in range(rng.choice((1, 1, 2))):
        i = rng.choice(idxs)
        tok = tokens[i]
        letters = [j for j, c in enumerate(tok) if c.isalpha()]
        j = rng.choice(letters[1:] or letters)  # first letters are rarely mistyped
        op = rng.choice(("sub", "del", "swap", "double"))
        if op == "sub":
            near = _NEIGHBOURS.get(tok[j].lower(), "e")
            new = rng.choice(near)
            tok = tok[:j] + (new.upper() if tok[j].isupper() else new) + tok[j + 1:]
        elif op == "del":
            tok = tok[:j] + tok[j + 1:]
        elif op == "swap" and j + 1 < len(tok):
            tok = tok[:j] + tok[j + 1] + tok[j] + tok[j + 2:]
        else:
            tok = tok[:j] + tok[j] + tok[j:]
        tokens[i] = tok
    out = " ".join(tokens)
    return out if out.casefold() != name.casefold() else None


def make_reorder(rec: Record, rng: Random) -> str | None:
    if rec.schema == "Person":
        parts = split_person(rec.primary)
        if parts is None:
            return None
        given, surname = parts
        text = " ".join(given + surname)
        return _title(text) if rng.random() < 0.5 else text
    match = _FORM_RE.search(rec.primary)
    if match is None or _FORM_GROUP[match.group(1).casefold()] not in _MOVABLE_FORMS:
        return None
    # Russian and many other registries put the form first, English last: move it across.
    rest = (rec.primary[: match.start()] + rec.primary[match.end():]).strip(" ,")
    form = match.group(1)
    out = f"{rest} {form}" if match.start() == 0 else f"{form} {rest}"
    return out if norm_key(out) == norm_key(rec.primary) and out != rec.primary else None


def make_drop_middle(rec: Record, rng: Random) -> str | None:
    parts = split_person(rec.primary) if rec.schema == "Person" else None
    if parts is None or len(parts[0]) < 2:
        return None
    given, surname = parts
    keep = [given[0]] + [g for g in given[1:] if g != rng.choice(given[1:])]
    if len(keep) == len(given):
        return None
    order = rng.random() < 0.5
    text = " ".join(keep + surname) if order else f"{' '.join(surname)}, {' '.join(keep)}"
    return _title(text) if rng.random() < 0.5 else text


def make_initials(rec: Record, rng: Random) -> str | None:
    parts = split_person(rec.primary) if rec.schema == "Person" else None
    if parts is None:
        return None
    given, surname = parts
    if sum(len(t) for t in surname) < 6:
        return None  # "X. Lu" carries too little evidence to be labelled a match
    given = [g for g in given if g[:1].isalpha()]
    if not given:
        return None
    if len(given) > 1 and rng.random() < 0.5:
        # "Vladimir V. Putin": only the middle names shortened.
        inits = [given[0]] + [g[0] + "." for g in given[1:]]
    else:
        inits = [g[0] + "." for g in given]
    text = " ".join(inits + [_title(" ".join(surname))])
    return text.replace(". ", ".", len(inits) - 1) if rng.random() < 0.3 else text


def make_translit(name: str, rng: Random) -> str | None:
    low = name.lower()
    # Legal forms are not romanised names: "COMPANY" -> "COMPANI" is no real-world variant.
    masked = " ".join("#" * len(t) if t.strip(".,") in _FORM_TOKENS else t for t in low.split(" "))
    options: list[tuple[re.Pattern[str], str]] = []
    m = _MUHAMMAD_RE.search(masked)
    if m:
        options.append((_MUHAMMAD_RE, rng.choice([v for v in _MUHAMMAD if v != m.group(1)])))
    for pattern, repl in _TRANSLIT_RULES:
        if re.search(pattern, masked):
            options.append((re.compile(pattern), repl))
    if not options:
        return None
    rng.shuffle(options)
    out = low
    for regex, repl in options[: rng.choice((1, 1, 2))]:
        match = regex.search(masked)
        if match is None:
            continue
        out = out[: match.start()] + repl + out[match.end():]
        # Keep the mask aligned with `out` after the edit.
        masked = masked[: match.start()] + repl + masked[match.end():]
    out = " ".join(out.split())
    if out == low or not out:
        return None
    return restyle(out, name) if name.isupper() else _title(out)


def to_cyrillic(word: str) -> str:
    low, out, i = word.lower(), [], 0
    tail = ""
    for lat, cyr in _CYR_FINAL:
        if low.endswith(lat) and len(low) > len(lat) + 2 and low[-len(lat) - 1] not in "aeiouy":
            low, tail = low[: -len(lat)], cyr
            break
    while i < len(low):
        for lat, cyr in _CYR_MULTI:
            if low.startswith(lat, i):
                out.append(cyr)
                i += len(lat)
                break
        else:
            ch = low[i]
            if ch == "y" and out and out[-1] in "аеиоуыэюя":
                out.append("й")  # after a vowel 'y' is the short i
            else:
                out.append(_CYR_SINGLE.get(ch, ch))
            i += 1
    text = "".join(out) + tail
    return text[:1].upper() + text[1:]


def make_cyrillic(rec: Record) -> str | None:
    parts = split_person(rec.primary) if rec.schema == "Person" else None
    if parts is None or not is_latin(rec.primary):
        return None
    given, surname = parts
    if not any(_RUSSIAN_SUFFIX.search(t) for t in given + surname):
        return None
    # Russian lists write "Фамилия Имя Отчество".
    return " ".join(to_cyrillic(t) for t in surname + given)


def make_legal_form(name: str, rng: Random) -> str | None:
    match = _FORM_RE.search(name)
    if match is None:
        return None
    group = LEGAL_FORMS[_FORM_GROUP[match.group(1).casefold()]]
    choices = [v for v in group if v.casefold() != match.group(1).casefold()]
    new = rng.choice(choices)
    new = new.upper() if name.isupper() and rng.random() < 0.5 else new
    out = name[: match.start()] + new + name[match.end():]
    return out if out != name else None


def make_case_punct(name: str, rng: Random) -> str | None:
    ops: list[Callable[[str], str]] = [
        str.lower,
        _title,
        lambda s: re.sub(r"[.,'\"()]", "", s),
        lambda s: re.sub(r"\s*-\s*", " ", s),
        lambda s: re.sub(r"\s*-\s*", "", s),
        lambda s: re.sub(r" ", "  ", s, count=1),
        lambda s: re.sub(r"\.(?=\S)", ". ", s),
        lambda s: s.replace(",", ""),
    ]
    rng.shuffle(ops)
    out = name
    for op in ops[:2]:
        out = op(out)
    return out if out != name and norm_key(out) else None


# ---------------------------------------------------------------- records, clusters


def _records(entities: Iterable[Entity]) -> list[Record]:
    out: list[Record] = []
    for ent in entities:
        schema = bench_schema(ent)
        if schema is None or not ent.names:
            continue
        ids = frozenset(
            (i.scheme, re.sub(r"\W", "", i.value).upper())
            for i in ent.identifiers
            if len(re.sub(r"\W", "", i.value)) >= 6
        )
        aliases = [n for n in ent.names if n.value != ent.caption]
        out.append(Record(ent, schema, ent.caption, aliases, ids))
    # Stable order independent of reader order quirks: generation depends only on the data.
    out.sort(key=lambda r: r.id)
    return out


def _cluster(records: list[Record]) -> None:
    """Union records that are the same entity on different lists.

    Evidence: the OFAC entity number CSL carries for Treasury rows, a shared strong identifier
    (IMO, passport, registration, ...), or an exact (order-free) name that is unique on both lists.
    """
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_ofac = {r.entity.source_id: i for i, r in enumerate(records)
               if r.entity.source == "us_ofac_sdn"}
    by_id: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_name: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, rec in enumerate(records):
        nums = rec.entity.properties.get("entity_number", ())
        for num in nums:
            if num in by_ofac:
                union(i, by_ofac[num])
        for key in rec.ids:
            by_id[key].append(i)
        coarse = "Person" if rec.schema == "Person" else rec.schema[:3]
        keys = {norm_key(n.value) for n in rec.entity.names if n.strength == "strong"}
        for key in sorted(keys):
            # Persons need 3+ name tokens: "IVANOV ANDREI" on two lists may be two people.
            if len([t for t in key.split() if t not in _FORM_TOKENS]) >= (
                3 if rec.schema == "Person" else 2
            ):
                by_name[(rec.entity.source, coarse, key)].append(i)
    for members in by_id.values():
        if len({records[i].entity.source for i in members}) > 1:
            for i in members[1:]:
                union(members[0], i)
    unique: dict[tuple[str, str], list[int]] = defaultdict(list)
    for (_source, coarse, key), members in by_name.items():
        if len(members) == 1:
            unique[(coarse, key)].append(members[0])
    for members in unique.values():
        for i in members[1:]:
            union(members[0], i)
    for i, rec in enumerate(records):
        rec.cluster = find(i)


# ---------------------------------------------------------------- generation


def _pos(rec: Record, query: str, category: str, other: Record | None = None) -> Pair:
    other = other or rec
    return Pair(rec.schema, query, other.primary, True, category, rec.id, other.id,
                rec.cluster, other.cluster)


def _positives(records: list[Record], quota: int, rng: Random) -> dict[str, list[Pair]]:
    out: dict[str, list[Pair]] = {c: [] for c in POSITIVE_CATEGORIES}
    order = records[:]
    rng.shuffle(order)
    # Round-robin over schemas so persons (the majority) do not crowd out vessels and companies.
    by_schema: dict[str, list[Record]] = defaultdict(list)
    for rec in order:
        by_schema[rec.schema].append(rec)
    interleaved: list[Record] = []
    queues = [by_schema[s] for s in sorted(by_schema)]
    for i in range(max(len(q) for q in queues)):
        interleaved += [q[i] for q in queues if i < len(q)]

    latin = [r for r in interleaved if is_latin(r.primary)]
    makers: dict[str, Callable[[Record], str | None]] = {
        "typo": lambda r: make_typo(r.primary, rng),
        "token_reorder": lambda r: make_reorder(r, rng),
        "drop_middle": lambda r: make_drop_middle(r, rng),
        "initials": lambda r: make_initials(r, rng),
        "translit_spelling": lambda r: make_translit(r.primary, rng),
        "translit_script_synth": make_cyrillic,
        "legal_form": lambda r: (
            make_legal_form(r.primary, rng) if r.schema != "Person" else None
        ),
        "case_punct": lambda r: make_case_punct(r.primary, rng),
    }
    for category, maker in makers.items():
        for rec in latin:
            if len(out[category]) >= quota:
                break
            variant = maker(rec)
            if variant and variant.strip() and variant != rec.primary:
                out[category].append(_pos(rec, variant, category))

    for rec in interleaved:
        for name in rec.aliases:
            if name.kind == "original" or not is_latin(name.value):
                # The list's own original-script spelling against its romanised primary name.
                if len(out["translit_script"]) < quota and is_latin(rec.primary):
                    out["translit_script"].append(_pos(rec, name.value, "translit_script"))
            elif (
                len(out["alias"]) < quota
                and name.strength == "strong"
                and norm_key(name.value) != norm_key(rec.primary)
            ):
                out["alias"].append(_pos(rec, name.value, "alias"))
                break  # one alias per entity keeps the category diverse

    clusters: dict[int, list[Record]] = defaultdict(list)
    for rec in interleaved:
        clusters[rec.cluster].append(rec)
    for members in clusters.values():
        if len(out["cross_list"]) >= quota:
            break
        for a in members:
            b = next((m for m in members if m.entity.source != a.entity.source
                      and norm_key(m.primary) != norm_key(a.primary)
                      and m.schema == a.schema), None)
            if b is not None:
                out["cross_list"].append(_pos(a, a.primary, "cross_list", b))
                break
    return out


def _neg(a: Record, b: Record, category: str, rng: Random) -> Pair | None:
    if a.cluster == b.cluster or a.ids & b.ids or a.id == b.id:
        return None
    if a.entity.source != b.entity.source:
        return None  # across lists, unlinked records may still be one entity under two spellings
    keys_a = {norm_key(n.value) for n in a.entity.names}
    keys_b = {norm_key(n.value) for n in b.entity.names}
    if keys_a & keys_b:
        return None  # any shared name would make the label debatable
    query = a.primary
    # Present the query side like the positives do, so name style alone cannot give the label.
    parts = split_person(query) if a.schema == "Person" else None
    if parts and rng.random() < 0.5:
        query = " ".join(parts[0] + parts[1])
    if rng.random() < 0.3:
        query = _title(query)
    return Pair(a.schema, query, b.primary, False, category, a.id, b.id, a.cluster, b.cluster)


def _negatives(records: list[Record], total: int, rng: Random) -> dict[str, list[Pair]]:
    out: dict[str, list[Pair]] = {c: [] for c in NEGATIVE_CATEGORIES}
    quota = {c: round(total * s) for c, s in NEGATIVE_SHARE.items()}
    # Only OFAC and UN: each lists an entity once, so two of its records are two entities.
    # (CSL repeats entities across its sub-lists, which would plant false negatives.)
    pool = [r for r in records if r.entity.source in ("us_ofac_sdn", "un_sc")
            and is_latin(r.primary)]
    rng.shuffle(pool)

    def token_index(key: Callable[[Record], Iterable[str]], recs: list[Record]
                    ) -> dict[str, list[Record]]:
        index: dict[str, list[Record]] = defaultdict(list)
        for rec in recs:
            for tok in dict.fromkeys(key(rec)):
                index[tok].append(rec)
        return index

    persons = [r for r in pool if r.schema == "Person" and split_person(r.primary)]

    def surname(r: Record) -> list[str]:
        parts = split_person(r.primary)
        return [" ".join(parts[1]).casefold()] if parts else []

    def given_first(r: Record) -> list[str]:
        parts = split_person(r.primary)
        return [parts[0][0].casefold()] if parts else []

    def add_shared(category: str, recs: list[Record], key: Callable[[Record], list[str]],
                   max_df: int, differ: Callable[[Record, Record], bool]) -> None:
        index = token_index(key, recs)
        for a in recs:
            if len(out[category]) >= quota[category]:
                return
            for tok in key(a):
                group = index[tok]
                if not 2 <= len(group) <= max_df:
                    continue  # very common tokens ("MOHAMMED") make easy negatives
                b = group[rng.randrange(len(group))]
                if b is a or not differ(a, b):
                    continue
                pair = _neg(a, b, category, rng)
                if pair:
                    out[category].append(pair)
                    break

    add_shared("neg_same_surname", persons, surname, 40,
               lambda a, b: given_first(a) != given_first(b))
    add_shared("neg_same_given", persons, given_first, 60,
               lambda a, b: surname(a) != surname(b))
    orgs = [r for r in pool if r.schema in ("Company", "Organization")]

    def words(r: Record) -> list[str]:
        toks = re.findall(r"[^\W\d_]{3,}", r.primary.casefold())
        return [t for t in toks if t not in _FORM_TOKENS]

    add_shared("neg_shared_word", orgs, words, 30, lambda a, b: True)

    def fuzzy(category: str, recs: list[Record], cutoff: float) -> None:
        choices = [r.primary.casefold() for r in recs]
        for a in recs:
            if len(out[category]) >= quota[category]:
                return
            hits = process.extract(a.primary.casefold(), choices, scorer=fuzz.token_sort_ratio,
                                   limit=6, score_cutoff=cutoff)
            for _choice, _score, idx in hits:
                b = recs[idx]
                pair = _neg(a, b, category, rng) if b is not a else None
                if pair:
                    out[category].append(pair)
                    break

    non_vessels = [r for r in pool if r.schema != "Vessel"]
    fuzzy("neg_fuzzy", non_vessels, 80)
    vessels = [r for r in pool if r.schema == "Vessel"]
    add_shared("neg_vessel", vessels, words, 30, lambda a, b: True)
    if len(out["neg_vessel"]) < quota["neg_vessel"]:
        fuzzy("neg_vessel", vessels, 70)
    return out


def prepare(entities: Iterable[Entity]) -> list[Record]:
    records = _records(entities)
    _cluster(records)
    return records


def generate(records: list[Record], n_pairs: int = 3000, seed: int = 7) -> list[Pair]:
    """About `n_pairs` pairs, half positive, half negative, in a seed-determined order."""
    rng = Random(seed)
    half = n_pairs // 2
    per_cat = half // len(POSITIVE_CATEGORIES)
    pos = _positives(records, per_cat, rng)
    short = half - sum(len(v) for v in pos.values())
    if short > 0:
        # Categories with few sources (e.g. original-script names) leave room: top up the
        # categories that can always be generated.
        extra = _positives(records, per_cat + short // 4 + 1, Random(seed + 1))
        for cat in ("typo", "case_punct", "translit_spelling", "alias"):
            have = {(p.name1, p.name2) for p in pos[cat]}
            for pair in extra[cat]:
                if short <= 0:
                    break
                if (pair.name1, pair.name2) not in have:
                    pos[cat].append(pair)
                    short -= 1
    neg = _negatives(records, half, rng)
    pairs: list[Pair] = []
    seen: set[tuple[str, str, str]] = set()
    for group in list(pos.values()) + list(neg.values()):
        for pair in group:
            key = (pair.schema, pair.name1.casefold(), pair.name2.casefold())
            if key not in seen:
                seen.add(key)
                pairs.append(pair)
    rng.shuffle(pairs)
    return pairs


def write_csv(pairs: list[Pair], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["schema", "name1", "name2", "is_match", "category"])
        for p in pairs:
            writer.writerow([p.schema, p.name1, p.name2, "true" if p.is_match else "false",
                             p.category])


DEFAULT_SEED = 7


def default_output(seed: int = DEFAULT_SEED) -> Path:
    name = "name_variants.csv" if seed == DEFAULT_SEED else f"name_variants_seed{seed}.csv"
    return out_dir() / name


def build(n_pairs: int, seed: int, out: Path, quiet: bool = False) -> Path:
    with timer() as t_load:
        entities, used = load_lists(shared_data_dir())
        records = prepare(entities)
    with timer() as t_gen:
        pairs = generate(records, n_pairs, seed)
    write_csv(pairs, out)
    if not quiet:
        for key, how in used.items():
            print(f"{key}: {LISTS[key]} via {how}")
        print(f"{len(records)} records, {len({r.cluster for r in records})} clusters; "
              f"load {t_load[0]:.1f}s, generate {t_gen[0]:.1f}s")
        counts = Counter((p.category, p.schema) for p in pairs)
        for cat in CATEGORIES:
            detail = ", ".join(f"{s} {n}" for (c, s), n in sorted(counts.items()) if c == cat)
            print(f"  {cat:24s} {sum(n for (c, _), n in counts.items() if c == cat):5d}  {detail}")
        n_pos = sum(p.is_match for p in pairs)
        print(f"wrote {len(pairs)} pairs ({n_pos} positive, {len(pairs) - n_pos} negative) "
              f"to {rel(out)}")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--n-pairs", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    build(args.n_pairs, args.seed, args.out or default_output(args.seed))


if __name__ == "__main__":
    main()
