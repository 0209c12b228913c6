"""Score a query against one listed record: best name plus the other evidence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tradescreen.index.records import Record
from tradescreen.match import evidence
from tradescreen.match.explain import Feature
from tradescreen.match.features import read_as_korean
from tradescreen.match.model import logistic
from tradescreen.match.names import NameScore, compared_as, score_forms
from tradescreen.match.weights import corpus_weight
from tradescreen.normalize.names import NameForm, name_form


@dataclass(frozen=True, slots=True)
class Query:
    name: str
    schema: str = "LegalEntity"
    birth_date: str | None = None
    countries: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    # (kind, value as given): address, phone, email, website (see match.attributes)
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class EntityScore:
    record: Record
    score: float
    matched_name: str
    matched_kind: str
    name_score: NameScore | None
    evidence: tuple[Feature, ...] = ()  # everything beyond the name comparison itself

    @property
    def features(self) -> tuple[Feature, ...]:
        """The explanation: name comparison rows, then the other evidence, in order added."""
        head = self.name_score.features if self.name_score is not None else ()
        return head + self.evidence


def record_features(query: Query, record: Record) -> list[Feature]:
    """The evidence beside the names, in the order it is added: schema, birth date, country,
    identifier (`match.bound.RecordBound` adds the same)."""
    found = (
        evidence.schema_feature(query.schema, record.schema),
        evidence.birth_date_feature(query.birth_date, record),
        evidence.country_feature(query.countries, record),
        evidence.identifier_feature(query.identifiers, record),
    )
    return [f for f in found if f is not None]


def _best_name(
    query: Query,
    record: Record,
    slots: Iterable[int],
    forms: Sequence[NameForm | None] | None = None,
) -> tuple[NameScore | None, int]:
    """The record's name that best explains the query, weak aliases counted down."""
    # The query is read as the record's kind of name: legal forms come off for organisations,
    # honorifics for people.
    qform = name_form(query.name, record.schema, query=True)
    if not qform.tokens:
        return None, -1
    best: NameScore | None = None
    best_slot, best_logit = -1, float("-inf")
    # A record's names often read the same once folded (the lists repeat a name in other
    # case or punctuation): each reading is scored once.
    seen: dict[tuple, NameScore] = {}
    for slot in slots:
        value, _kind, strength = record.names[slot]
        cform = forms[slot] if forms is not None else name_form(value, record.schema)
        if cform is None or not cform.tokens:
            continue
        key = compared_as(cform)
        ns = seen.get(key)
        if ns is None:
            ns = seen[key] = score_forms(qform, cform)
        logit = ns.logit + (evidence.WEIGHTS["weak_alias"] if strength == "weak" else 0.0)
        if logit > best_logit:
            best, best_slot, best_logit = ns, slot, logit
    return best, best_slot


def score_record(
    query: Query,
    record: Record,
    slots: Iterable[int] | None = None,
    forms: Sequence[NameForm | None] | None = None,
) -> EntityScore:
    """`forms`: the record's names already normalised (the index keeps them), else computed."""
    if slots is None or not tuple(slots):
        slots = range(len(record.names))
    name_score, slot = _best_name(query, record, slots, forms)
    features: list[Feature] = []
    if name_score is not None:
        logit = name_score.logit
        value, kind, strength = record.names[slot]
        cmp = name_score.comparison
        for extra in (
            evidence.weak_alias_feature(kind, strength),
            evidence.single_token_feature(
                record.schema, len(cmp.query.tokens), len(cmp.candidate.tokens)
            ),
            evidence.given_name_left_feature(
                query.schema, record.schema, cmp.candidate, cmp.alignment.candidate_unmatched
            ),
            evidence.common_name_feature(
                record.schema,
                evidence.name_information(cmp.query.tokens, cmp.alignment.pairs, corpus_weight,
                                          korean=read_as_korean(cmp.query)),
            ),
            evidence.short_word_feature(
                cmp.query.tokens, cmp.candidate.tokens, cmp.values["one_word_fuzzy"],
                cmp.alignment.pairs, cmp.query.transliterated,
            ),
        ):
            if extra is not None:
                features.append(extra)
                logit += extra.weight
        if not any(f.feature == "short_word" for f in features):
            resemblance = evidence.org_resemblance_feature(cmp, logit)
            if resemblance is not None:
                features.append(resemblance)
                logit += resemblance.weight
        single = evidence.single_word_feature(
            record.schema, cmp.query.tokens, cmp.candidate.tokens, cmp.alignment.pairs, logit,
            corpus_weight,
        )
        if single is not None:
            features.append(single)
            logit += single.weight
    else:
        # No usable name on one side: only identifiers can speak.
        value, kind = (record.names[0][0], record.names[0][1]) if record.names else ("", "")
        logit = -4.0
        features.append(Feature("name", "no comparable name", logit))
    for extra in record_features(query, record):
        features.append(extra)
        logit += extra.weight
    return EntityScore(record, logistic(logit), value, kind, name_score, tuple(features))
