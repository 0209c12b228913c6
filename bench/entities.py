"""Whole-entity benchmark: labelled entity pairs through the product's /match, beside
nomenklatura's logic-v2 and logic-v1 on the same pairs.

Pairs are built from the real lists in ../shared/data (UN consolidated, OFAC SDN) and variants
generated from them, one error class at a time: names given as parts, other scripts, legal forms
in other languages, dotted or glued, titles and offices, numbers written as words, ordinals or
Roman numerals, birth dates that agree or conflict, countries, identifiers; and hard negatives
(the same name under an incompatible legal form, another number of a series, a conflicting
birth date or identifier, a surname that is another real name one or two letters away, Chinese
names sharing syllables).

As a user would run it: the listed side of every pair is written to one FtM JSON-lines file,
`tradescreen lists import`ed into a temporary TRADESCREEN_HOME, and the other side is sent to
the API's /match (the ASGI app in-process through httpx, batches of 50) at the default threshold;
a pair is predicted a match when its listed entity comes back with `match: true`. nomenklatura's
matchers compare the same two FtM entities directly (score >= 0.70, yente's default threshold).

    python bench/entities.py [--per-class 25] [--seed 11] [--errors bench/out/entity_errors.csv]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fmt, out_dir, print_table, rel, shared_data_dir  # noqa: E402
from rapidfuzz.distance import OSA  # noqa: E402

from tradescreen.model import Entity  # noqa: E402
from tradescreen.sources import read as read_list  # noqa: E402

NK_ALGORITHMS = ("logic-v2", "logic-v1")
NK_THRESHOLD = 0.70
BATCH = 50

Props = dict[str, list[str]]


@dataclass
class Pair:
    error_class: str
    schema: str  # FtM schema of both sides
    listed: Props  # properties of the listed entity (written to the list file)
    query: Props  # properties of the /match example
    is_match: bool
    listed_schema: str = ""
    id: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        self.listed_schema = self.listed_schema or self.schema


@dataclass
class Outcome:
    ours: list[bool] = field(default_factory=list)
    ours_scores: list[float] = field(default_factory=list)
    seconds: float = 0.0


# --- the real entities the pairs start from ---------------------------------------------------


def load_entities() -> list[Entity]:
    data = shared_data_dir()
    out: list[Entity] = []
    for path in (data / "un" / "consolidated.xml", data / "ofac" / "sdn_2024-05-03"):
        out.extend(read_list(path).entities)
    return out


def primary(entity: Entity) -> str:
    return entity.names[0].value if entity.names else ""


_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z' -]+$")


def latin_person(entity: Entity) -> bool:
    name = primary(entity)
    return entity.schema == "Person" and bool(_LATIN_NAME.match(name)) and 2 <= len(
        name.split()) <= 4


# --- variant generators ---------------------------------------------------------------------

LLC_FORMS = ("GmbH", "Gesellschaft mit beschränkter Haftung", "LLC", "Limited Liability Company",
             "OOO", "o.o.o.", "S.A.R.L.", "SARL", "Sp. z o.o.", "S.R.L.", "Ltd",
             "Общество с ограниченной ответственностью")
JSC_FORMS = ("AG", "Aktiengesellschaft", "JSC", "Joint Stock Company", "AO", "S.A.",
             "Société anonyme", "Sociedad Anónima", "PJSC", "S.p.A.", "Акционерное общество")
_FORM_TAIL = re.compile(
    r"[\s,]+(llc|ltd\.?|limited|co\.?,? ?ltd\.?|co\.?|inc\.?|corp\.?|corporation|company|"
    r"gmbh|ag|s\.?a\.?|jsc|ojsc|cjsc|pjsc|ooo|zao|oao|fze|l\.l\.c\.)$", re.I)
_FORM_HEAD = re.compile(r"^(ooo|zao|oao|ao|pjsc|ojsc|jsc|llc)\s+", re.I)
TITLES = ("Dr.", "General", "Sheikh", "President", "Prime Minister", "Colonel", "Mr.", "Haji",
          "His Excellency")
SCRIPTS = ("Latin-Cyrillic", "Latin-Greek", "Latin-Katakana", "Latin-Arabic", "Latin-Hangul")
SERIES = (("Fund {r}", "Fund {d}"), ("Plant No. {d}", "Plant Number {d}"),
          ("{o} Brigade", "{d}th Brigade"), ("Unit {d}", "Unit No. {d}"))
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX"}
ORDINAL = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", 5: "Fifth", 6: "Sixth",
           7: "Seventh", 8: "Eighth", 9: "Ninth"}
# Chinese given-name syllables for the shared-syllable negatives.
SYLLABLES = ("wei", "min", "jun", "hong", "ming", "hua", "ping", "qiang", "lei", "jie", "feng",
             "yong", "gang", "hui", "ying", "bin", "tao", "xin", "yan", "zhi")


# Words of legal forms (any language) a core name must not keep, or the pair's label would
# depend on a form the generator did not choose.
_LEGAL_WORDS = re.compile(
    r"\b(ltda|llc|ltd|limited|liability|company|co|sa|ag|gmbh|ooo|oao|zao|ao|obshchestvo|"
    r"otvetstvennostyu|sociedad|anonima|joint|stock|sasu|sas|sarl|srl|corporation|corp|inc|"
    r"plc|pjsc|jsc|fze|bv|nv|spa)\b", re.I)


def core_org_name(name: str) -> str:
    core = _FORM_HEAD.sub("", _FORM_TAIL.sub("", name.strip()))
    return core.strip(" ,.\"'")


def typo(name: str, rng: random.Random) -> str:
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    if len(letters) < 6:
        return name
    i = rng.choice(letters[1:-1])
    kind = rng.randrange(3)
    if kind == 0:  # swap neighbours
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    if kind == 1:  # drop a letter
        return name[:i] + name[i + 1:]
    return name[:i] + name[i] + name[i:]  # double a letter


_TRANSLITERATORS: dict[str, Any] = {}


def other_script(name: str, script: str) -> str:
    import icu

    if script not in _TRANSLITERATORS:
        _TRANSLITERATORS[script] = icu.Transliterator.createInstance(script)
    return _TRANSLITERATORS[script].transliterate(name.lower())


def person_props(entity: Entity, name: str | None = None, *, dob: bool = True,
                 nationality: bool = True) -> Props:
    props: Props = {"name": [name or primary(entity)]}
    if dob and entity.birth_dates and entity.birth_dates[0].iso:
        props["birthDate"] = [entity.birth_dates[0].iso]
    if nationality and entity.nationalities:
        props["nationality"] = list(entity.nationalities[:1])
    return props


def listed_props(entity: Entity, name: str | None = None) -> Props:
    props: Props = {"name": [name or primary(entity)]}
    aliases = [n.value for n in entity.names[1:4] if n.value != props["name"][0]]
    if aliases and name is None:
        props["alias"] = aliases
    if entity.birth_dates and entity.birth_dates[0].iso:
        key = "birthDate" if entity.schema == "Person" else "incorporationDate"
        props[key] = [entity.birth_dates[0].iso]
    if entity.nationalities:
        props["nationality" if entity.schema == "Person" else "country"] = list(
            entity.nationalities[:2])
    for ident in entity.identifiers:
        if ident.scheme == "imo" and entity.schema == "Vessel":
            props.setdefault("imoNumber", []).append(ident.value)
    return props


def split_parts(name: str) -> tuple[str, str]:
    words = name.split()
    return " ".join(words[:-1]), words[-1]


Generator = Callable[[Entity, random.Random], Pair | None]


def g_exact_props(e: Entity, rng: random.Random) -> Pair | None:
    if not latin_person(e) or not e.birth_dates or not e.birth_dates[0].iso:
        return None
    return Pair("person_dob_agrees", "Person", listed_props(e), person_props(e), True)


def g_typo_dob(e: Entity, rng: random.Random) -> Pair | None:
    if not latin_person(e) or not e.birth_dates:
        return None
    name = typo(primary(e), rng)
    return Pair("person_typo", "Person", listed_props(e), person_props(e, name), True)


def g_reorder(e: Entity, rng: random.Random) -> Pair | None:
    if not latin_person(e):
        return None
    words = primary(e).split()
    name = " ".join([words[-1], *words[:-1]])
    return Pair("person_reordered", "Person", listed_props(e), person_props(e, name), True)


def g_parts_query(e: Entity, rng: random.Random) -> Pair | None:
    if not latin_person(e):
        return None
    first, last = split_parts(primary(e))
    query = person_props(e)
    del query["name"]
    query.update({"firstName": [first], "lastName": [last]})
    return Pair("name_parts_query", "Person", listed_props(e), query, True)


def g_parts_listed(e: Entity, rng: random.Random) -> Pair | None:
    if not latin_person(e):
        return None
    first, last = split_parts(primary(e))
    listed = listed_props(e)
    del listed["name"]
    listed.pop("alias", None)
    listed.update({"firstName": [first], "lastName": [last]})
    return Pair("name_parts_listed", "Person", listed, person_props(e), True)


def g_title(e: Entity, rng: random.Random) -> Pair | None:
    if not latin_person(e):
        return None
    name = f"{rng.choice(TITLES)} {primary(e)}"
    return Pair("title_office", "Person", listed_props(e), person_props(e, name), True)


def g_script(e: Entity, rng: random.Random) -> Pair | None:
    if not latin_person(e):
        return None
    script = rng.choice(SCRIPTS)
    name = other_script(primary(e), script)
    if name.isascii():
        return None
    return Pair("other_script", "Person", listed_props(e), person_props(e, name), True,
                note=script)


def _org(e: Entity) -> str | None:
    if e.schema not in ("Organization", "Company", "LegalEntity"):
        return None
    core = core_org_name(primary(e))
    if _LEGAL_WORDS.search(core):
        return None
    if not _LATIN_NAME.match(core.replace("&", "").replace(".", "")) or len(core.split()) > 5:
        return None
    return core


def _styled(core: str, form: str, rng: random.Random) -> str:
    if form.isascii() and form.isalpha() and rng.random() < 0.25:
        return core.replace(" ", "") + form  # glued: NovatekGmbH
    return f"{form} {core}" if rng.random() < 0.2 else f"{core} {form}"


def g_legal_same(e: Entity, rng: random.Random) -> Pair | None:
    core = _org(e)
    if core is None:
        return None
    forms = rng.choice((LLC_FORMS, JSC_FORMS))
    a, b = rng.sample(forms, 2)
    return Pair("legal_form_language", "Company", {"name": [f"{core} {a}"]},
                {"name": [_styled(core, b, rng)]}, True, note=f"{a} / {b}")


def g_legal_conflict(e: Entity, rng: random.Random) -> Pair | None:
    core = _org(e)
    if core is None:
        return None
    a, b = rng.choice(LLC_FORMS), rng.choice(JSC_FORMS)
    if rng.random() < 0.5:
        a, b = b, a
    return Pair("neg_legal_form_conflict", "Company", {"name": [f"{core} {a}"]},
                {"name": [f"{core} {b}"]}, False, note=f"{a} / {b}")


def _series(core: str, number: int, style: int, rng: random.Random) -> str:
    listed_t, _ = SERIES[style]
    return f"{core} " + listed_t.format(r=ROMAN[number], d=number, o=ORDINAL[number])


def g_numbers_same(e: Entity, rng: random.Random) -> Pair | None:
    core = _org(e)
    if core is None:
        return None
    style = rng.randrange(len(SERIES))
    n = rng.randint(2, 9)
    listed = _series(core, n, style, rng)
    other = SERIES[style][1].format(r=ROMAN[n], d=n, o=ORDINAL[n])
    if style == 2:
        other = rng.choice((f"{n}th Brigade", f"{ORDINAL[n]} Brigade"))
    return Pair("numbers_written_differently", "Organization", {"name": [listed]},
                {"name": [f"{core} {other}"]}, True)


def g_numbers_conflict(e: Entity, rng: random.Random) -> Pair | None:
    core = _org(e)
    if core is None:
        return None
    style = rng.randrange(len(SERIES))
    n = rng.randint(2, 8)
    return Pair("neg_series_number", "Organization", {"name": [_series(core, n, style, rng)]},
                {"name": [_series(core, n + 1, style, rng)]}, False)


def g_dob_conflict(e: Entity, rng: random.Random) -> Pair | None:
    if not latin_person(e) or not e.birth_dates:
        return None
    iso = e.birth_dates[0].iso or ""
    if not iso[:4].isdigit():
        return None
    year = int(iso[:4]) + rng.choice((-1, 1)) * rng.randint(6, 25)
    query = person_props(e, nationality=False)
    query["birthDate"] = [f"{year}{iso[4:]}"]
    return Pair("neg_birth_date_conflict", "Person", listed_props(e), query, False)


def g_identifier(e: Entity, rng: random.Random) -> Pair | None:
    imo = [i.value for i in e.identifiers if i.scheme == "imo"]
    if e.schema != "Vessel" or not imo:
        return None
    words = primary(e).split()
    name = typo(primary(e), rng) if len(words) == 1 else " ".join(words[:-1] or words)
    return Pair("identifier_agrees", "Vessel", listed_props(e),
                {"name": [name], "imoNumber": [imo[0]]}, True)


def g_identifier_conflict(e: Entity, rng: random.Random) -> Pair | None:
    imo = [i.value for i in e.identifiers if i.scheme == "imo"]
    if e.schema != "Vessel" or not imo:
        return None
    other = str(9000000 + rng.randrange(999999))
    return Pair("neg_identifier_conflict", "Vessel", listed_props(e),
                {"name": [primary(e)], "imoNumber": [f"IMO {other}"]}, False)


def g_country(e: Entity, rng: random.Random) -> Pair | None:
    if not latin_person(e) or not e.nationalities:
        return None
    return Pair("person_country_agrees", "Person", listed_props(e),
                person_props(e, typo(primary(e), rng), dob=False), True)


# The near-homonym generator needs the vocabulary of listed surnames: set in main().
SURNAMES: dict[str, list[str]] = {}


def g_near_homonym(e: Entity, rng: random.Random) -> Pair | None:
    if not latin_person(e):
        return None
    first, last = split_parts(primary(e))
    others = SURNAMES.get(last.lower())
    if not others or not first:
        return None
    # Not a spelling the entity itself is listed under (Swalleh / Swaleh / Saleh).
    own = {t.lower() for n in e.names for t in re.split(r"\W+", n.value) if t}
    mine = own - {last.lower()}
    others = [o for o in others
              if o not in own and not any(OSA.distance(o, t) <= 2 for t in mine)]
    if not others:
        return None
    other = rng.choice(others).title()
    query = person_props(e, f"{first} {other}", dob=False, nationality=False)
    return Pair("neg_near_homonym_surname", "Person", listed_props(e), query, False,
                note=f"{last} / {other}")


def g_chinese(e: Entity, rng: random.Random) -> Pair | None:
    if e.schema != "Person":
        return None
    words = primary(e).lower().split()
    from tradescreen.normalize.phonetic import is_pinyin_syllable

    if not 2 <= len(words) <= 3 or not all(is_pinyin_syllable(w) for w in words):
        return None
    other = rng.choice([s for s in SYLLABLES if s not in words])
    i = rng.randrange(1, len(words))
    changed = words[:i] + [other] + words[i + 1:]
    return Pair("neg_chinese_shared_syllable", "Person", listed_props(e),
                {"name": [" ".join(w.title() for w in changed)]}, False)


def g_other_person(e: Entity, rng: random.Random) -> Pair | None:
    """The same given name with another listed person's surname."""
    if not latin_person(e) or len(primary(e).split()) != 2:
        return None
    first, last = split_parts(primary(e))
    pool = SURNAMES.get("__all__") or []
    other = rng.choice(pool) if pool else last.lower()
    if other == last.lower():
        return None
    return Pair("neg_same_given_name", "Person", listed_props(e),
                {"name": [f"{first} {other.title()}"]}, False)


GENERATORS: tuple[Generator, ...] = (
    g_exact_props, g_typo_dob, g_reorder, g_parts_query, g_parts_listed, g_title, g_script,
    g_legal_same, g_legal_conflict, g_numbers_same, g_numbers_conflict, g_dob_conflict,
    g_identifier, g_identifier_conflict, g_country, g_near_homonym, g_chinese, g_other_person,
)


def surname_neighbours(entities: list[Entity]) -> dict[str, list[str]]:
    """Listed surname -> other listed surnames one or two edits away that are not spellings of
    it (another consonant skeleton): Federer / Federman, not Husein / Hussein."""
    from tradescreen.normalize.phonetic import skeleton

    soft = str.maketrans("", "", "hyw")
    names = sorted({primary(e).split()[-1].lower() for e in entities if latin_person(e)})
    names = [n for n in names if len(n) >= 5 and n.isalpha()]
    by_len: dict[int, list[str]] = defaultdict(list)
    for n in names:
        by_len[len(n)].append(n)
    out: dict[str, list[str]] = {"__all__": names}
    for n in names:
        close = [m for size in range(len(n) - 2, len(n) + 3) for m in by_len.get(size, ())
                 if m != n and m[0] == n[0] and OSA.distance(n, m, score_cutoff=2) <= 2
                 and skeleton(m).translate(soft) != skeleton(n).translate(soft)]
        if close:
            out[n] = close
    return out


def build_pairs(entities: list[Entity], per_class: int, seed: int) -> list[Pair]:
    rng = random.Random(seed)
    SURNAMES.clear()
    SURNAMES.update(surname_neighbours(entities))
    pairs: list[Pair] = []
    for gen in GENERATORS:
        order = entities[:]
        rng.shuffle(order)
        made = 0
        for entity in order:
            if made >= per_class:
                break
            pair = gen(entity, rng)
            if pair is None:
                continue
            pair.id = f"bench-{len(pairs):05d}"
            pairs.append(pair)
            made += 1
    return pairs


# --- running the product and the anchors ---------------------------------------------------------


def ftm_entity(pair: Pair) -> dict[str, Any]:
    return {"id": pair.id, "schema": pair.listed_schema, "properties": pair.listed,
            "datasets": ["entity_bench"]}


def import_listed(pairs: list[Pair], home: Path) -> float:
    path = home / "entity_bench.ftm.json"
    with path.open("wb") as fh:
        for pair in pairs:
            fh.write(orjson.dumps(ftm_entity(pair)) + b"\n")
    env = {**os.environ, "TRADESCREEN_HOME": str(home)}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from tradescreen.cli import main; main()", "lists", "import",
         str(path)], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"lists import failed: {done.stderr.strip() or done.stdout.strip()}")
    print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "imported")
    return time.perf_counter() - start


def query_ours(pairs: list[Pair], home: Path) -> Outcome:
    """Every query through /match of the ASGI app, in-process (httpx), default threshold."""
    import asyncio

    import httpx

    os.environ["TRADESCREEN_HOME"] = str(home)
    from tradescreen.api.app import create_app
    from tradescreen.api.config import load_api_config
    from tradescreen.config import load_settings

    config = replace(load_api_config(), require_keys=False, rate=0.0, reload_seconds=0.0)
    app = create_app(load_settings(), config=config)
    out = Outcome()

    async def run() -> None:
        async with app.router.lifespan_context(app):
            state = app.state.tradescreen
            await asyncio.to_thread(state.load)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                # Untimed warm-up: the first Katakana name loads rigour's person tagger.
                warm = {"queries": {"w": {"schema": "Person",
                                          "properties": {"name": ["ウラジーミル・プーチン"]}}}}
                (await client.post("/match/default", json=warm)).raise_for_status()
                start = time.perf_counter()
                for lo in range(0, len(pairs), BATCH):
                    chunk = pairs[lo: lo + BATCH]
                    body = {"queries": {p.id: {"schema": p.schema, "properties": p.query}
                                        for p in chunk}}
                    resp = await client.post("/match/default", json=body,
                                             params={"limit": 10})
                    resp.raise_for_status()
                    responses = resp.json()["responses"]
                    for p in chunk:
                        results = responses[p.id]["results"]
                        mine = [r for r in results if r["tradescreen"]["source_id"] == p.id]
                        out.ours.append(bool(mine and mine[0]["match"]))
                        out.ours_scores.append(mine[0]["score"] if mine else 0.0)
                out.seconds = time.perf_counter() - start

    asyncio.run(run())
    return out


def nk_entity(schema: str, props: Props, salt: str) -> Any:
    from followthemoney import model

    proxy = model.make_entity(schema)
    proxy.id = hashlib.sha1(f"{salt}{schema}{sorted(props.items())}".encode()).hexdigest()
    for prop, values in props.items():
        proxy.add(prop, values)
    return proxy


def query_nk(name: str, pairs: list[Pair]) -> tuple[list[bool], float]:
    from nomenklatura.matching import get_algorithm

    algorithm = get_algorithm(name)
    if algorithm is None:
        raise SystemExit(f"nomenklatura has no matcher {name!r}")
    config = algorithm.default_config()
    warm = nk_entity("Person", {"name": ["Warm Up"]}, "w")
    algorithm.compare(warm, warm, config)
    verdicts = []
    start = time.perf_counter()
    for p in pairs:
        query = nk_entity(p.schema, p.query, "q")
        listed = nk_entity(p.listed_schema, p.listed, "l")
        verdicts.append(algorithm.compare(query, listed, config).score >= NK_THRESHOLD)
    return verdicts, time.perf_counter() - start


# --- report --------------------------------------------------------------------------------------


def prf(labels: list[bool], verdicts: list[bool]) -> tuple[str, str, str, int, int]:
    tp = sum(y and v for y, v in zip(labels, verdicts, strict=True))
    fp = sum(v and not y for y, v in zip(labels, verdicts, strict=True))
    fn = sum(y and not v for y, v in zip(labels, verdicts, strict=True))
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f1 = 2 * p * r / (p + r) if p and r else (0.0 if tp + fn else None)
    return fmt(p), fmt(r), fmt(f1), fp, fn


def groups(pairs: list[Pair], key: Callable[[Pair], str]) -> Iterator[tuple[str, list[int]]]:
    found: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        found[key(p)].append(i)
    yield from sorted(found.items())


def report(pairs: list[Pair], runs: dict[str, list[bool]], speed: dict[str, float]) -> None:
    labels = [p.is_match for p in pairs]
    rows = []
    for algo, verdicts in runs.items():
        p, r, f1, fp, fn = prf(labels, verdicts)
        rows.append([algo, p, r, f1, fp, fn, f"{speed[algo]:,.0f}"])
    print_table(["algorithm", "precision", "recall", "F1", "FP", "FN", "pairs/s"], rows,
                title=f"== entity pairs: {len(pairs)} ({sum(labels)} match, "
                      f"{len(labels) - sum(labels)} non-match), match at the default threshold")
    for title, key in (("schema", lambda p: p.schema), ("error class", lambda p: p.error_class)):
        head = [f"by {title}", "n", "match"]
        for algo in runs:
            head += [f"{algo} P", "R", "F1"] if title == "schema" else [f"{algo} ok"]
        body = []
        for name, idx in groups(pairs, key):
            sub = [labels[i] for i in idx]
            line: list[object] = [name, len(idx), sum(sub)]
            for verdicts in runs.values():
                got = [verdicts[i] for i in idx]
                if title == "schema":
                    p, r, f1, _, _ = prf(sub, got)
                    line += [p, r, f1]
                else:
                    line.append(f"{sum(g == y for g, y in zip(got, sub, strict=True))}/{len(idx)}")
            body.append(line)
        print_table(head, body, title=f"by {title} (ok: verdicts equal to the label)")


def write_errors(path: Path, pairs: list[Pair], ours: Outcome, lv2: list[bool] | None) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["error", "class", "schema", "listed", "query", "score", "logic_v2", "note"])
        for i, p in enumerate(pairs):
            if ours.ours[i] == p.is_match:
                continue
            count += 1
            w.writerow(["FN" if p.is_match else "FP", p.error_class, p.schema,
                        orjson.dumps(p.listed).decode(), orjson.dumps(p.query).decode(),
                        f"{ours.ours_scores[i]:.3f}", "" if lv2 is None else lv2[i], p.note])
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=25)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--algorithms", nargs="*", default=list(NK_ALGORITHMS))
    parser.add_argument("--errors", type=Path, default=out_dir() / "entity_errors.csv")
    args = parser.parse_args(argv)

    entities = load_entities()
    pairs = build_pairs(entities, args.per_class, args.seed)
    print(f"{len(pairs)} pairs from {len(entities)} listed entities (UN, OFAC SDN), "
          f"seed {args.seed}")
    runs: dict[str, list[bool]] = {}
    speed: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        seconds = import_listed(pairs, home)
        print(f"lists import of {len(pairs)} listed entities: {seconds:.1f}s")
        ours = query_ours(pairs, home)
    runs["tradescreen /match"] = ours.ours
    speed["tradescreen /match"] = len(pairs) / ours.seconds
    for algo in args.algorithms:
        verdicts, secs = query_nk(algo, pairs)
        runs[algo] = verdicts
        speed[algo] = len(pairs) / secs
    report(pairs, runs, speed)
    n = write_errors(args.errors, pairs, ours, runs.get("logic-v2"))
    print(f"\n{n} tradescreen errors written to {rel(args.errors)}")


if __name__ == "__main__":
    main()
