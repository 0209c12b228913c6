"""Measurements of one name pair that the scoring model turns into evidence.

Every value is a plain float so the model (comparisons as data, see `model.py`) can bucket it
into levels. Names of the measurements are part of the model file: keep them stable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from tradescreen.match.align import Alignment, TokenPair, align
from tradescreen.normalize import vocab
from tradescreen.normalize.names import NameForm

Weight = Callable[[str], float]

# Legal forms that say nothing about the entity's type ("Co." is in half of all names).
_NEUTRAL_FORMS = frozenset({"co"})
# "X bin Y": Y is X's father, so the order around the particle is part of the identity.
_PATRONYMIC = frozenset({"bin", "ibn", "ben", "bint", "binti", "ould", "walad"})
# Scripts where one character is one syllable: a different character is a different name even
# when the romanisations coincide (高石 / 高市 are both "gao shi").
SYLLABIC = frozenset({"Cjk", "Hangul", "Hiragana", "Katakana"})


# Pair kinds that mean "the same word", as opposed to a similar one.
SAME_WORD = frozenset({"exact", "stem", "equivalent", "symbol"})


@lru_cache(maxsize=200_000)
def _fathers(tokens: tuple[str, ...]) -> frozenset[int]:
    found = [i + 1 for i, t in enumerate(tokens[:-1]) if t in _PATRONYMIC]
    return frozenset(found) if found else _NO_FATHERS


_NO_FATHERS: frozenset[int] = frozenset()


def patronymic_conflict(query: NameForm, candidate: NameForm, alignment: Alignment) -> bool:
    """Both names say whose son someone is, and the fathers' names are aligned elsewhere."""
    qf, cf = _fathers(query.tokens), _fathers(candidate.tokens)
    if not qf or not cf:
        return False
    for pair in alignment.pairs:
        in_q = any(i in qf for i in pair.query)
        in_c = any(j in cf for j in pair.candidate)
        if in_q != in_c:
            return True
    return False


def syllabic_mismatch(query: NameForm, candidate: NameForm) -> bool:
    """Two names in one CJK script whose characters differ (traditional and simplified
    writings of one character are the same character: 習 = 习)."""
    if query.script != candidate.script or query.script not in SYLLABIC:
        return False
    return _han_simplified(query.raw) != _han_simplified(candidate.raw)


@lru_cache(maxsize=100_000)
def _han_simplified(raw: str) -> str:
    global _T2S
    if _T2S is None:
        import icu

        _T2S = icu.Transliterator.createInstance("Traditional-Simplified")
    return "".join(_T2S.transliterate(raw).split())


_T2S = None


def read_as_korean(form: NameForm) -> bool:
    """A person's name in Hangul read syllable by syllable (phonetic_scripts.korean_reading)."""
    return (
        form.script == "Hangul"
        and form.kind == "person"
        and len(form.tokens) == sum(1 for ch in form.raw if "\uac00" <= ch <= "\ud7a3")
    )


# What the South's spelling (Revised Romanization, family-name customs) writes where the
# lists' spelling (the DPRK's) writes otherwise: eo / o, eu / u, g / k, d / t, b / p, l / r.
_RR_VOWELS = (("eo", "o"), ("eu", "u"), ("oo", "u"), ("ee", "i"))
_RR_INITIALS = {"g": "k", "d": "t", "b": "p", "l": "r"}


def _korean_key(token: str) -> str:
    for a, b in _RR_VOWELS:
        token = token.replace(a, b)
    return _RR_INITIALS.get(token[:1], token[:1]) + token[1:]


def korean_mismatch(query: NameForm, candidate: NameForm, alignment: Alignment) -> bool:
    """A Korean name is a few common syllables (Kim, Yong, Jong, Su): a syllable aligned to
    another one (Jong / Yong, Son / Song, Min / Man) is another name, not a spelling of it,
    unless the two are one syllable in the South's and the lists' romanisations."""
    if candidate.script != "Latin" or not read_as_korean(query):
        return False
    q, c = query.tokens, candidate.tokens
    for pair in alignment.pairs:
        if pair.kind == "exact":
            continue
        mine = "".join(_korean_key(q[i]) for i in pair.query)
        theirs = "".join(_korean_key(c[j]) for j in pair.candidate)
        if mine != theirs:
            return True
    return False


def _slip_edits(q: tuple[str, ...], c: tuple[str, ...], al: Alignment, written: bool) -> int:
    """Letters changed in the worst word aligned only as a misspelling. A typist slips a letter
    or two (Brezos / Bezos, Nandela / Nadella); a third changed letter is another name more
    often than a slip (Monteiro / Montenegro, Pezeshfar / Pezeshkian), whatever its length.
    `written`: both names are in one script. A name read from another script differs from
    the list's romanisation by the romanisation's choices (Абдулвахийевич = abdulvakhiiievich /
    Abdulvakhiyevich), not by a typist's: counted as two at most. In one script a changed
    first letter counts twice: a typist seldom slips it, and a second change beside it makes
    another name (Navros / Lavrov, Nychaela / Michaela; Cates / Gates stays a slip). A word
    inside the other (Combat / Combatant, Dine / Eddine) was cut or given an ending or an
    article, not mistyped: two at most."""
    worst = 0
    for p in al.pairs:
        if p.kind in ("typo", "other_name") and len(p.query) == len(p.candidate) == 1:
            a, b = q[p.query[0]], c[p.candidate[0]]
            edits = OSA.distance(a, b, score_cutoff=3)
            short, long_ = sorted((a, b), key=len)
            if long_.startswith(short) or long_.endswith(short):
                edits = min(edits, 2)
            elif written and edits and a[0] != b[0]:
                edits += 1
            worst = max(worst, edits)
    return min(worst, 3) if written else min(worst, 2)


def number_one_side(query: NameForm, candidate: NameForm, al: Alignment) -> bool:
    """Only one of two organisation or vessel names carries a number, and the number is all it
    adds (Bowne Global Solutions / Bowne Global Solutions II, Sparta / Sparta III): the numbered
    one is another member of the series the other heads, not the same one written differently.
    A number inside further words names a unit of the other (China Electronics Technology
    Group Corporation / ... 14th Research Institute): an extra part, not a series."""
    if query.kind == "person" or candidate.kind == "person":
        return False
    nq = any(not t.isalpha() for t in query.tokens)
    nc = any(not t.isalpha() for t in candidate.tokens)
    if nq == nc:
        return False
    side, unmatched = (query, al.query_unmatched) if nq else (candidate, al.candidate_unmatched)
    left = [side.tokens[i] for i in unmatched]
    return bool(left) and not any(t.isalpha() for t in left)


def joined_similarity(q: tuple[str, ...], c: tuple[str, ...]) -> float:
    """Similarity of both names' sorted tokens written as one string each. When both carry
    numbers the numbers are judged once, by `numbers_conflict`, as the alignment does: left
    in, they made Long Xing 611 / 627 less alike than Sanam Industrial Group Unit 2 / 3 by the
    length of the words around them. (match.bound reads it too: keep it cheap.)"""
    fq, fc = _facts(q), _facts(c)
    if fq[0] and fc[0]:
        return Levenshtein.normalized_similarity(fq[2], fc[2])
    return Levenshtein.normalized_similarity(fq[1], fc[1])


@lru_cache(maxsize=200_000)
def _facts(tokens: tuple[str, ...]) -> tuple:
    """What the comparison reads of one name's tokens alone, worked out once per token tuple
    (a listed name is compared with many queries, a query with many listed names), as a plain
    tuple the garbage collector stops tracking: (carries a number, sorted tokens joined, the
    same without numbers, each token a particle, one word beside its particles (or one word
    only), father positions (`_fathers`), initials only)."""
    particles = vocab.particles()
    numbered = not all(map(str.isalpha, tokens))
    joined = "".join(sorted(tokens))
    # Without its numbers, for when both names carry numbers (see joined_similarity).
    words = "".join(sorted(tuple(t for t in tokens if t.isalpha()) or tokens)) if numbered \
        else joined
    particle = tuple([t in particles for t in tokens])
    core = particle.count(False)
    return (
        numbered,
        joined,
        words,
        particle,
        core == 1 or (core == 0 and len(tokens) == 1),
        _NO_FATHERS if _PATRONYMIC.isdisjoint(tokens[:-1]) else _fathers(tokens),
        all(map((1).__eq__, map(len, tokens))),
    )


# Words an acronym may skip (ISIL = Islamic State in Iraq and the Levant).
_ACRONYM_SKIPS = frozenset({"the", "of", "and", "for", "in", "on", "at", "to", "a", "an", "et",
                            "und", "y", "de", "la", "le", "les", "des", "du", "del"})


@lru_cache(maxsize=200_000)
def _initials(tokens: tuple[str, ...]) -> frozenset[str]:
    """The initials of a name read whole and without its function words."""
    kept = tuple(t for t in tokens if t not in _ACRONYM_SKIPS)
    return frozenset({"".join(t[0] for t in tokens), "".join(t[0] for t in kept)})


def _acronym_of(token: str, other: tuple[str, ...]) -> bool:
    """`token` (two letters or more) is the initials of a name of three words or more."""
    return (len(other) >= 3 and 2 <= len(token) <= 8 and token.isalpha()
            and token in _initials(other))


def may_read_acronym(query: NameForm, candidate: NameForm) -> bool:
    """Whether `with_acronym` can change the alignment of the two names: bounds that read the
    alignment's measurements without making it (match.bound) must then not rely on them."""
    if query.kind == "person" or candidate.kind == "person":
        return False
    return any(_acronym_of(t, other.tokens)
               for short, other in ((query, candidate), (candidate, query))
               for t in short.tokens)


# How alike an acronym and the words it stands for are: a little above the lowest similarity
# that aligns (0.6), so that sums of weights rounding down do not drop it below its level.
ACRONYM_SIM = 0.65


def with_acronym(
    query: NameForm, candidate: NameForm, al: Alignment, weight: Weight
) -> tuple[Alignment, int]:
    """One organisation name carries the acronym of the other as one word, which no
    word-by-word alignment pairs. Beside the name written out (Daedong Credit Bank (DCB) /
    Daedong Credit Bank) it restates it and is no extra word (1); in place of it, no other
    word of its name agreeing (PLA / People's Liberation Army), it aligns with the words it
    stands for at about the lowest similarity that aligns (2). 0 and the alignment as it was
    otherwise. Two letters or more, for three words or more."""
    if query.kind == "person" or candidate.kind == "person":
        return al, 0
    if len(query.tokens) < 3 and len(candidate.tokens) < 3:
        return al, 0  # neither side has the three words an acronym stands for
    for flip, short, other in ((False, query, candidate), (True, candidate, query)):
        unmatched = al.candidate_unmatched if flip else al.query_unmatched
        others = al.query_unmatched if flip else al.candidate_unmatched
        if len(other.tokens) < 3:
            continue
        for i in unmatched:
            token = short.tokens[i]
            if not _acronym_of(token, other.tokens):
                continue
            both_numbered = any(not t.isalpha() for t in query.tokens) and any(
                not t.isalpha() for t in candidate.tokens)

            def w(token: str, both_numbered: bool = both_numbered) -> float:
                return 0.0 if both_numbered and not token.isalpha() else weight(token)

            rest = tuple(k for k in unmatched if k != i)
            if len(unmatched) < len(short.tokens):
                if flip:
                    return replace(al, candidate_weight=al.candidate_weight - w(token),
                                   candidate_unmatched=rest), 1
                return replace(al, query_weight=al.query_weight - w(token),
                               query_unmatched=rest), 1
            gain_short = w(token) * ACRONYM_SIM
            gain_other = sum(w(other.tokens[j]) for j in others) * ACRONYM_SIM
            if flip:
                pair = TokenPair(others, (i,), ACRONYM_SIM, "acronym")
                al = replace(al, query_matched=al.query_matched + gain_other,
                             candidate_matched=al.candidate_matched + gain_short,
                             query_unmatched=(), candidate_unmatched=rest)
            else:
                pair = TokenPair((i,), others, ACRONYM_SIM, "acronym")
                al = replace(al, query_matched=al.query_matched + gain_short,
                             candidate_matched=al.candidate_matched + gain_other,
                             query_unmatched=rest, candidate_unmatched=())
            pairs = tuple(sorted((*al.pairs, pair), key=lambda p: p.query))
            return replace(al, pairs=pairs), 2
    return al, 0


def default_weight(token: str) -> float:
    """Token weight without corpus statistics: particles and generic words count less."""
    if token in vocab.particles():
        return 0.3
    if token in vocab.org_generic():
        return 0.4
    if len(token) == 1:
        return 0.5
    return 1.0


@lru_cache(maxsize=10_000)
def _forms(legal_forms: tuple[str, ...]) -> frozenset[str]:
    return frozenset(legal_forms) - _NEUTRAL_FORMS


@dataclass(frozen=True, slots=True)
class NameComparison:
    query: NameForm
    candidate: NameForm
    alignment: Alignment
    values: dict[str, float]


def compare_forms(query: NameForm, candidate: NameForm, weight: Weight) -> NameComparison:
    q, c = query.tokens, candidate.tokens
    q_numbered, q_joined, q_words, q_part, q_one, q_fathers, q_initials = _facts(q)
    c_numbered, c_joined, c_words, c_part, c_one, c_fathers, c_initials = _facts(c)
    al, acronym = with_acronym(query, candidate, align(query, candidate, weight), weight)
    pairs = al.pairs
    # A Korean family name is a syllable that elsewhere is a particle (An, I, Ha).
    if read_as_korean(query):
        q_extra, c_extra = len(al.query_unmatched), len(al.candidate_unmatched)
    else:
        q_extra = sum(1 for i in al.query_unmatched if not q_part[i])
        c_extra = sum(1 for j in al.candidate_unmatched if not c_part[j])
    if q_numbered and c_numbered:
        joined = Levenshtein.normalized_similarity(q_words, c_words)
    else:
        joined = Levenshtein.normalized_similarity(q_joined, c_joined)
    if query.legal_forms and candidate.legal_forms:
        qf = _forms(query.legal_forms)
        cf = _forms(candidate.legal_forms)
        form_conflict = bool(qf and cf and not qf & cf)
        # One class, other forms (Inc / LLC, Ltd / GmbH): often the same company under
        # another jurisdiction's form, sometimes a namesake: weak evidence, learnt.
        form_differs = bool(qf and cf and qf & cf) and not set(query.legal_words) & set(
            candidate.legal_words)
    else:
        form_conflict = form_differs = False
    kinds = {p.kind for p in pairs} if pairs else _NO_KINDS
    person = query.kind == "person"
    qw, cw = al.query_weight, al.candidate_weight
    qm, cm = al.query_matched, al.candidate_matched
    total = qw + cw
    extra = float(max(q_extra, c_extra))
    values = {
        "name_dice": (qm + cm) / total if total else 0.0,
        "min_coverage": min(qm / qw if qw else 0.0, cm / cw if cw else 0.0),
        "slip_edits": float(_slip_edits(q, c, al, query.script == candidate.script))
        if "typo" in kinds or "other_name" in kinds else 0.0,
        "unmatched_tokens": float(min(q_extra, c_extra)),
        "extra_tokens": extra,
        "joined_similarity": joined,
        "numbers_conflict": float(al.numbers_conflict),
        "number_one_side": float(q_numbered != c_numbered
                                 and number_one_side(query, candidate, al)),
        "acronym": float(acronym),
        "legal_form_conflict": float(form_conflict),
        "legal_form_differs": float(form_differs),
        "short_name": float(min(len(q), len(c)) <= 1),
        "org_extra_tokens": extra if query.kind == "org" else 0.0,
        "patronymic_conflict": float(bool(q_fathers and c_fathers)
                                     and patronymic_conflict(query, candidate, al)),
        "syllabic_mismatch": float(
            query.script in SYLLABIC
            and (syllabic_mismatch(query, candidate) or korean_mismatch(query, candidate, al))
        ),
        "initials_only": float(
            person and (q_initials or c_initials) and not (q_initials and c_initials)
        ),
        # Person-name tokens aligned only as a near spelling though both are real names of
        # their own (Rahimi / Rahiqi): another person unless something else agrees.
        "distinct_names": float(person and "other_name" in kinds),
        "one_word_fuzzy": float(q_one and c_one and kinds.isdisjoint(SAME_WORD)),
    }
    return NameComparison(query, candidate, al, values)


_NO_KINDS: frozenset[str] = frozenset()
