"""Evidence beyond the name: schema, birth date, country, identifiers, weak aliases.

Weights are log-odds added to the name score. They are set by hand (there is no labelled
entity-level data to fit them on) and kept here, in one table, so each is visible and reviewable:
an identifier match is decisive (a listed IMO or registration number is the entity whatever
the name); a conflicting identifier of the same scheme, a different birth year, or a person
against a company are strong counter-evidence; countries are weak evidence either way.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA, Levenshtein

from tradescreen.index.keys import normalize_identifier, split_scheme
from tradescreen.index.records import Record
from tradescreen.match.explain import Feature
from tradescreen.normalize import vocab
from tradescreen.normalize.names import NameForm
from tradescreen.normalize.phonetic import is_pinyin_syllable, spelling

WEIGHTS: dict[str, float] = {
    "identifier_match": 12.0,
    "identifier_conflict": -3.0,
    "birth_date_exact": 1.5,
    "birth_date_month": 1.0,
    "birth_date_year": 0.7,
    "birth_date_approximate": 0.0,
    # A birth year years apart is another person of the same name (names repeat, birth dates
    # rarely do); one year apart is as often a slip of the list or the query.
    "birth_date_conflict": -4.5,
    "birth_date_near_conflict": -2.0,
    "birth_date_partial_conflict": -1.0,
    # An organisation's date (incorporation, registration) is recorded differently by registries,
    # lists and customers (re-registration, a branch's date): weaker than a person's birth year,
    # so an exactly named listed company with another date stays in front of an analyst.
    "incorporation_date_conflict": -2.0,
    "country_agree": 0.4,
    "country_conflict": -0.5,
    "schema_conflict": -4.0,
    "schema_weak_conflict": -1.5,
    # A company query against an untyped listed name that keeps a given name the company's
    # lacks (Lara Ltd / Jose Lara): as weak as another kind of entity.
    "given_name_left": -1.5,
    # A company named like a listed vessel or aircraft may be its owner (one-ship companies
    # carry the ship's name), it is not the ship: worth a review, never a match on the name.
    # -2.5 left an identical one-word name at 0.698, a refit's drift from `match` (0.7).
    "schema_asset_conflict": -2.8,
    "weak_alias": -0.7,
    "single_token_name": -1.5,
    "common_name": -3.0,
    "short_word_fuzzy": -3.5,
    "short_word_typo": -1.5,
}

# A query of one word against a listed person of several: the log-odds it is held to. A rare
# surname of a listed person (Putin, Khamenei) is worth a look but never proves who is meant:
# `review` (0.60). A word many listed names share (Mohammed, Kim) is neither: below review.
SINGLE_SURNAME_LOGIT = 0.4
SINGLE_COMMON_LOGIT = -1.0
# Corpus weight (match/weights.py) from which a surname counts as distinctive on the lists.
DISTINCTIVE_WEIGHT = 0.8

# Sum of the corpus weights of the query tokens that aligned, below which a name alone is weak
# evidence: two very common tokens (Zhang Wei, Li Yi, Mohammad Ali) name thousands of people.
COMMON_NAME_INFORMATION = 1.3
# The weight a Mandarin syllable counts for in a name made only of syllables: the lists hold few
# Chinese names, so their frequencies there understate how common each syllable is.
SYLLABLE_INFORMATION = 0.4
# The same for a syllable of a Korean name read from Hangul: nearly half of all Koreans share
# three family names and given names draw on a few hundred syllables, so three syllables of a
# Korean name (Kim Yong Chol) say about as much as two of a Chinese one (Zhang Wei).
KOREAN_SYLLABLE_INFORMATION = 0.3


def name_information(tokens: tuple[str, ...], pairs, weight, korean: bool = False) -> float:
    """How much the aligned query tokens say about identity (sum of weight x similarity).
    `korean`: the query is a Korean name read syllable by syllable from Hangul."""
    chinese = len(tokens) >= 2 and all(is_pinyin_syllable(t) for t in tokens)
    cap = KOREAN_SYLLABLE_INFORMATION if korean else SYLLABLE_INFORMATION
    total = 0.0
    for pair in pairs:
        for i in pair.query:
            w = weight(tokens[i])
            total += (min(w, cap) if chinese or korean else w) * pair.sim
    return total

_PERSON = frozenset({"Person"})
_ORG = frozenset({"Company", "Organization", "LegalEntity", "PublicBody"})
_ASSET = frozenset({"Vessel", "Aircraft"})


def schema_feature(query_schema: str, record_schema: str) -> Feature | None:
    if query_schema == record_schema or query_schema == "Thing":
        return None
    if query_schema == "LegalEntity" and record_schema in _PERSON | _ORG:
        return None
    if query_schema in _ORG and record_schema in _ORG:
        return None
    pair = f"{query_schema} vs {record_schema}"
    if (query_schema in _PERSON and record_schema in _ORG | _ASSET) or (
        record_schema in _PERSON and query_schema in _ORG | _ASSET
    ):
        return Feature("schema", "person vs organisation", WEIGHTS["schema_conflict"], pair)
    if (query_schema in _ORG and record_schema in _ASSET) or (
        record_schema in _ORG and query_schema in _ASSET
    ):
        return Feature("schema", "organisation vs vessel or aircraft",
                       WEIGHTS["schema_asset_conflict"], pair)
    return Feature("schema", "different kind of entity", WEIGHTS["schema_weak_conflict"], pair)


def identifier_feature(query_ids: tuple[str, ...], record: Record) -> Feature | None:
    if not query_ids or not record.identifiers:
        return None
    conflict: Feature | None = None
    for raw in query_ids:
        scheme, value = split_scheme(raw)
        norm = normalize_identifier(value)
        if norm is None:
            continue
        imo_like = scheme == "imo" or raw.upper().startswith("IMO") or (
            scheme is None and norm.isdigit() and len(norm) == 7
        )
        for r_scheme, r_norm, r_raw in record.identifiers:
            if r_norm == norm:
                return Feature(
                    "identifier", "identifier match (decisive)", WEIGHTS["identifier_match"],
                    r_raw, f"{r_scheme} {r_raw} equals the query's {raw}",
                )
            same_scheme = (scheme is not None and scheme == r_scheme) or (
                imo_like and r_scheme == "imo"
            )
            if same_scheme and conflict is None:
                conflict = Feature(
                    "identifier", "identifier conflict", WEIGHTS["identifier_conflict"],
                    r_raw, f"listed {r_scheme} {r_raw} differs from the query's {raw}",
                )
    return conflict


def birth_date_feature(query_date: str | None, record: Record) -> Feature | None:
    if not query_date or not record.birth_dates:
        return None
    best: Feature | None = None
    rank = {"exact": 4, "month": 3, "year": 2, "approximate": 1}
    best_rank = 0
    conflicts: list[Feature] = []
    for iso, circa, text in record.birth_dates:
        precision = min(len(query_date), len(iso))
        if query_date[:precision] == iso[:precision]:
            level = "exact" if precision >= 10 else "month" if precision >= 7 else "year"
            if rank[level] > best_rank:
                best_rank = rank[level]
                best = Feature(
                    "birth_date", f"{level} agrees", WEIGHTS[f"birth_date_{level}"],
                    text, f"query {query_date} vs listed {text}",
                )
            continue
        try:
            gap = abs(int(query_date[:4]) - int(iso[:4]))
        except ValueError:
            continue
        if circa and gap <= 2:
            if rank["approximate"] > best_rank:
                best_rank = rank["approximate"]
                best = Feature(
                    "birth_date", "within an approximate date", 0.0, text,
                    f"query {query_date} vs listed {text}",
                )
        elif gap == 0:
            conflicts.append(Feature(
                "birth_date", "same year, different day", WEIGHTS["birth_date_partial_conflict"],
                text, f"query {query_date} vs listed {text}",
            ))
        else:
            near = gap == 1
            weight = WEIGHTS["birth_date_near_conflict" if near else "birth_date_conflict"]
            if record.schema != "Person":
                weight = max(weight, WEIGHTS["incorporation_date_conflict"])
            conflicts.append(Feature(
                "birth_date", "year one apart" if near else "different year", weight, text,
                f"query {query_date} vs listed {text}",
            ))
    if best is not None:
        return best
    return max(conflicts, key=lambda f: f.weight) if conflicts else None


def country_feature(query_countries: tuple[str, ...], record: Record) -> Feature | None:
    if not query_countries or not record.countries:
        return None
    shared = sorted(set(query_countries) & set(record.countries))
    if shared:
        return Feature("country", "country agrees", WEIGHTS["country_agree"], ",".join(shared))
    return Feature(
        "country", "country differs", WEIGHTS["country_conflict"],
        ",".join(record.countries), f"query {','.join(query_countries)}",
    )


def weak_alias_feature(kind: str, strength: str) -> Feature | None:
    if strength == "weak":
        return Feature("weak_alias", "matched a weak (low-quality) alias", WEIGHTS["weak_alias"],
                       kind)
    return None


def given_name_left_feature(query_schema: str, record_schema: str, candidate: NameForm,
                            unmatched: tuple[int, ...]) -> Feature | None:
    """A company named after a family (Lara Ltd, Chan Ltd, Виноградов Лимитед) against a listed
    entity of no stated kind whose name keeps a given name the company's lacks (Jose Lara, Ali
    Chan, Mikhail Vinogradov): a person's name, most likely, so a company only shares its
    family name. Given names: tokens rigour's name symbols know (vocab.known_names)."""
    if query_schema not in ("Company", "Organization") or record_schema != "LegalEntity":
        return None
    if candidate.legal_forms:
        return None
    known = vocab.known_names()
    left = [candidate.tokens[j] for j in unmatched if known.get(candidate.tokens[j])]
    if not left:
        return None
    return Feature("given_name_left", "the listed name keeps a given name the company lacks",
                   WEIGHTS["given_name_left"], " ".join(left),
                   "a company sharing a family name with what reads as a person's name")


def single_token_feature(schema: str, query_tokens: int, matched_tokens: int) -> Feature | None:
    """A person listed under one word ("Beverly", "Abdulkadir") is a nickname or kunya; a query
    with a full name that contains that word is weak evidence of being that person."""
    if schema == "Person" and matched_tokens == 1 and query_tokens >= 2:
        return Feature(
            "single_token_name", "listed name is a single word", WEIGHTS["single_token_name"],
            matched_tokens,
        )
    return None


def single_word_feature(schema: str, query_tokens: tuple[str, ...],
                        listed_tokens: tuple[str, ...], pairs, logit: float,
                        weight) -> Feature | None:
    """One word for a person listed under several: the listed family name (first or last
    word) spelt the same and rare on the lists reaches review, anything else stays below."""
    if schema != "Person" or len(query_tokens) != 1 or len(listed_tokens) < 2:
        return None
    word = query_tokens[0]
    ends = {0, len(listed_tokens) - 1}
    surname = any(
        p.kind in ("exact", "translit", "symbol", "equivalent") and ends & set(p.candidate)
        for p in pairs
    )
    if surname and len(word) >= 4 and weight(word) >= DISTINCTIVE_WEIGHT:
        target, label = SINGLE_SURNAME_LOGIT, "a distinctive surname alone: review"
    else:
        target, label = min(logit, SINGLE_COMMON_LOGIT), "a single common word"
    if abs(target - logit) < 1e-9:
        return None
    return Feature("single_word_query", label, target - logit, word,
                   "one word cannot say which person is meant: confirm with a date or id")


def common_name_feature(schema: str, information: float) -> Feature | None:
    """Graded: the less the agreeing tokens say (the lower their summed corpus weight), the
    more a name-only agreement is discounted, down to the full weight at 0.4 below the line."""
    if schema != "Person" or not 0 < information < COMMON_NAME_INFORMATION:
        return None
    depth = min(1.0, (COMMON_NAME_INFORMATION - information) / 0.4)
    return Feature(
        "common_name", "only common name parts agree", WEIGHTS["common_name"] * depth,
        round(information, 3), "homonyms are likely: confirm with a date, country or id",
    )


def short_word_feature(query_tokens: tuple[str, ...], listed_tokens: tuple[str, ...],
                       one_word_fuzzy: float, pairs, transliterated: bool = False
                       ) -> Feature | None:
    """A short one-word listed name (an acronym like MOIS, KADEK, SAHA) reached only through a
    transliteration skeleton (Mies, Moulin) or one letter of four: near-spellings of ordinary
    words are not that entity. A plain typo in a longer word (Cecoex / Ceccoex) stays a typo."""
    if not one_word_fuzzy or not pairs:
        return None
    listed = [t for t in listed_tokens if t not in vocab.particles()] or list(listed_tokens)
    queried = [t for t in query_tokens if t not in vocab.particles()] or list(query_tokens)
    if _unslipped(queried[0]) == _unslipped(listed[0]) or _romanised_alike(
        queried[0], listed[0], transliterated
    ):
        return None  # a doubled letter, or one name in two romanisations (Вагнер = Wagner)
    kinds = {p.kind for p in pairs}
    if len(listed[0]) <= 6 and "translit" in kinds:
        weight = WEIGHTS["short_word_fuzzy"]
    elif len(listed[0]) <= 4:
        weight = WEIGHTS["short_word_typo"]
    else:
        return None
    return Feature(
        "short_word", "short one-word name, not spelt the same", weight,
        f"{queried[0]} vs {listed[0]}",
    )


# A word this long one slip (or, at the second length, two) from a listed word is that word
# misspelt: ordinary words and names of that length rarely lie so close to one another.
SPECIFIC_LENGTH = 7
SPECIFIC_LENGTH_TWO_SLIPS = 10
# Pair kinds that say a word is the listed word (an initial says nothing about a company).
_SAME = frozenset({"exact", "stem", "equivalent", "symbol"})


# The log-odds a company name that only resembles a listed one is held to (score 0.38): shown
# as a candidate, below review; an agreeing date or identifier can still lift it.
ORG_RESEMBLANCE_LOGIT = -0.5


def _specific_slip(a: str, b: str) -> bool:
    """Two spellings too close to be two different words: a slip in a long word (Eirbourg /
    Eirburg), or two letters swapped (Navsi / Navis: no other word is made that way)."""
    edits = OSA.distance(a, b, score_cutoff=3)
    if edits == 1 and Levenshtein.distance(a, b, score_cutoff=2) == 2:
        return True  # a transposition
    shortest = min(len(a), len(b))
    return (edits == 1 and shortest >= SPECIFIC_LENGTH) or (
        edits == 2 and shortest >= SPECIFIC_LENGTH_TWO_SLIPS
    )


def _romanised_alike(a: str, b: str, transliterated: bool) -> bool:
    """One word written by two romanisations (Uralwagonsawod / Uralvagonzavod: German w and s
    for v and z). Said of a word read from another script (Вагнер = vagner / Wagner) or a
    long one; a short Latin word is as likely an ordinary word of another language (West /
    Vest)."""
    return (transliterated or min(len(a), len(b)) >= SPECIFIC_LENGTH) and (
        spelling(a) == spelling(b)
    )


def _unslipped(token: str) -> str:
    """A doubled letter is a typist's slip (Ceccoex / Cecoex, Inkoor / Inkor) and French ou is
    u (Vishnou / Vishnu): neither makes another word of a company's name."""
    return _DOUBLED.sub(r"\1", token.replace("ou", "u"))


_DOUBLED = re.compile(r"(.)\1+")


def _spelt_as_listed(a: str, b: str, transliterated: bool) -> bool:
    a, b = _unslipped(a), _unslipped(b)
    return a == b or _romanised_alike(a, b, transliterated) or _specific_slip(a, b)


def org_resemblance_feature(cmp, logit: float) -> Feature | None:
    """An organisation's name is copied from a document, not transcribed by ear: its distinctive
    words are spelt as listed or they are other words. When the agreement rests on one
    distinctive word, not spelt as listed, that is a short word one or two letters from a
    listed one (Warner / Wagner, Bauer / Bajer, Davis / Navis) or whose consonants alone agree
    (Simon / Saman, Millet / Mellat), an ordinary firm named after its founder is as likely as
    a misspelt listed one: the name is held below review (a date or an identifier can still
    lift it). Generic words (Group, Trading) count neither way."""
    if cmp.query.kind != "org" or not cmp.alignment.pairs or logit <= ORG_RESEMBLANCE_LOGIT:
        return None
    q, c = cmp.query.tokens, cmp.candidate.tokens
    generic = vocab.org_generic() | vocab.particles()
    distinctive = [
        p for p in cmp.alignment.pairs
        if p.kind != "initial" and any(q[i] not in generic for i in p.query)
    ]
    # Two distinctive words that each resemble a listed one (Asemann Pisraneh / Aseman
    # Pishraneh) are not a founder's name that happens to lie close to a listed word.
    if len(distinctive) != 1 or distinctive[0].kind in _SAME:
        return None
    # A word written by another romanisation of the same original is spelt as listed
    # (Uralwagonsawod = Uralvagonzavod: German w and s for v and z).
    loose = [
        p for p in distinctive
        if not (
            p.kind == "merged" and p.sim >= 0.95
            or len(p.query) == len(p.candidate) == 1
            and _spelt_as_listed(q[p.query[0]], c[p.candidate[0]], cmp.query.transliterated)
        )
    ]
    if not loose:
        return None
    shown = ", ".join(
        " ".join(q[i] for i in p.query) + "~" + " ".join(c[j] for j in p.candidate)
        for p in loose
    )
    return Feature(
        "org_resemblance", "no distinctive word spelt as listed",
        ORG_RESEMBLANCE_LOGIT - logit, shown,
        "a company name that only resembles a listed one: confirm with a country, date or id",
    )
