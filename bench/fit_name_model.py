"""Fit the level weights of the name scoring model and write src/tradescreen/match/name_model.json.

The structure is fixed here by hand: which measurements, their thresholds, and the sign each may
take (more aligned tokens can only raise the score; leftover or conflicting tokens can only lower
it). Only the sizes are learnt: a logistic regression on thermometer-coded thresholds with those
sign constraints and an L2 penalty (scipy L-BFGS-B), so every level's weight is monotone and an
explanation never says "fewer tokens agree, +1.7". Training data: the labelled dev pairs in
../shared/data/bench/, variants generated from the real lists (bench/variants.py), and random
re-pairings of those names as easy negatives.

Generalisation is measured by grouped cross-validation: pairs that share a name form one entity
group, each group falls in exactly one of five folds, and each fold is scored by a model fitted
on the other four; the report gives the F1 on the fit set beside the held-out F1, and the gap.

    python bench/fit_name_model.py --variants bench/out/name_variants.csv

Session 5: the committed name_model.json keeps session 4's learnt weights and adds this
script's fixed evidence (number on one side, acronyms, the third changed letter, series -3.2):
a full refit held out as well (0.940) but moved media recall 0.961 -> 0.941 (Putin / Kim Jong
Un read from Chinese fell below the scanner's bar). Run with --no-write to measure.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from tradescreen.match.features import compare_forms
from tradescreen.match.model import Comparison, Level, ScoringModel
from tradescreen.match.weights import corpus_weight
from tradescreen.normalize.names import name_form

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "src" / "tradescreen" / "match" / "name_model.json"

# feature -> (description, sign, [(threshold, label of the level reached at >= threshold)])
# sign +1: the weight of each threshold step is >= 0; -1: <= 0; 0: free.
STRUCTURE: dict[str, tuple[str, int, list[tuple[float, str]]]] = {
    "name_dice": (
        "weighted share of both names' tokens that align",
        +1,
        [(0.4, ">= 0.40"), (0.6, ">= 0.60"), (0.7, ">= 0.70"), (0.8, ">= 0.80"),
         (0.85, ">= 0.85"), (0.9, ">= 0.90"), (0.95, ">= 0.95"), (0.999, "all tokens agree")],
    ),
    "min_coverage": (
        "share of the less-covered name that aligns (missing tokens)",
        +1,
        [(0.4, ">= 0.40"), (0.6, ">= 0.60"), (0.75, ">= 0.75"), (0.9, ">= 0.90"),
         (0.999, "complete")],
    ),
    "joined_similarity": (
        "similarity of the sorted names written as one string",
        +1,
        [(0.7, ">= 0.70"), (0.85, ">= 0.85"), (0.95, ">= 0.95")],
    ),
    "slip_edits": (
        "letters changed in the worst word aligned only as a misspelling",
        -1,
        [(1.0, "1"), (2.0, "2"), (3.0, "3 or more")],
    ),
    "unmatched_tokens": (
        "tokens left over on both names (conflicting name parts)",
        -1,
        [(1.0, "1"), (2.0, "2 or more")],
    ),
    "extra_tokens": (
        "tokens left over on the longer name (extra middle names, words)",
        -1,
        [(1.0, "1"), (2.0, "2"), (3.0, "3 or more")],
    ),
    "numbers_conflict": (
        "numbers in the names differ",
        -1,
        [(1.0, "another number of a series"), (2.0, "unrelated numbers")],
    ),
    "number_one_side": (
        "only one name carries a number (Solutions / Solutions II)", -1, [(1.0, "yes")]
    ),
    "acronym": (
        "one name is or carries the acronym of the other (PLA / People's Liberation Army)", -1,
        [(1.0, "beside the name"), (2.0, "in place of the name")],
    ),
    "legal_form_conflict": ("different legal forms (AG vs GmbH)", -1, [(1.0, "yes")]),
    "legal_form_differs": (
        "legal forms of one class written differently (Inc vs LLC)", -1, [(1.0, "yes")]
    ),
    "short_name": ("a one-token name", 0, [(1.0, "yes")]),
    "org_extra_tokens": (
        "words only one organisation name has (Deutsche Bank vs Deutsche Bank Trust)",
        -1,
        [(1.0, "1"), (2.0, "2 or more")],
    ),
    "patronymic_conflict": (
        "the names disagree on whose son or daughter (X bin Y vs Y bin X)", -1, [(1.0, "yes")]
    ),
    "syllabic_mismatch": (
        "Chinese/Japanese/Korean originals differ though their romanisations agree",
        -1,
        [(1.0, "yes")],
    ),
    "initials_only": ("a person's name given only as initials", -1, [(1.0, "yes")]),
    "distinct_names": (
        "a person-name token aligned to another real name a letter or two away (Rahimi/Rahiqi)",
        -1,
        [(1.0, "yes")],
    ),
}
# Evidence too rare in the labelled data to learn but clear to a person who knows names, set by
# hand and held fixed in the fit: "X bin Y" and "Y bin X" are father and son; two CJK names whose
# characters differ are different names even when their romanisations coincide; a person named
# only by initials ("N.N.") cannot be told from anyone with those initials.
FIXED: dict[str, float | tuple[float | None, ...]] = {
    # -3.0 left "Salman bin Muhammad" / "Muhammad bin Salman" at 0.62: every word agrees, so
    # only this says they are two people.
    "patronymic_conflict": -4.0,
    "syllabic_mismatch": -4.5,
    "initials_only": -2.5,
    # Two companies whose names differ only by an incompatible legal form (a GmbH and an AG)
    # are two companies: strong counter-evidence, which the pairs rarely show. Two numbers of
    # one series (Fund III, Fund IV) are two entities too, yet of one family: the penalty takes
    # an otherwise identical name from "match" (0.7) down to "review", where the labelled pairs
    # (which call such pairs matches) still see it above the pair threshold (0.5).
    "legal_form_conflict": -4.0,
    # Inc / LLC, Ltd / GmbH: one class, another form. The pairs hold few and mostly say
    # "same company"; yet a namesake under another form is common enough on ordinary
    # queries ("Taran Inc" / "Atran LLC") to keep a one-word name out of `match`.
    "legal_form_differs": -0.7,
    # -2.8 left an identical name with another series number at 0.71 after a refit (the
    # words around the number agreeing in full): -3.2 holds it near 0.6.
    "numbers_conflict": (-3.2, -2.0),
    # Bowne Global Solutions / Bowne Global Solutions II: the numbered name is another member
    # of the series the other heads; all but the number agreeing must not reach "match" (0.7)
    # and rarely the pair threshold. The pairs hold few such (69 of 73 say "different").
    "number_one_side": -3.0,
    # An acronym aligns with the words it stands for (features.with_acronym): beside the name
    # it is no extra word; in place of the name (PLA / People's Liberation Army) it is the only
    # evidence, and the pair stays at "review" (about 0.6), never "match" on the letters alone.
    # Beside the name a trifle below nothing: the name written without it, when listed too,
    # is the one a query names (SHAHID BAGHERI INDUSTRIAL GROUP, not ... (SBIG)).
    "acronym": (-0.05, -0.55),
    # A third changed letter in one word, both names in Latin script, is another name more
    # often than a typist's slip (Monteiro / Montenegro, Pezeshfar / Pezeshkian: 0 of 6 such
    # labelled person pairs of the dev file match); the first two steps are learnt.
    "slip_edits": (None, None, -2.5),
    # Rahimi / Rahiqi: both real names; a name alone must not say "match".
    "distinct_names": -3.0,
}
FOLDS = 5
NEUTRAL = {"name_dice": "< 0.40", "min_coverage": "< 0.40", "joined_similarity": "< 0.70",
           "slip_edits": "none", "unmatched_tokens": "none",
           "extra_tokens": "none", "numbers_conflict": "no", "number_one_side": "no",
           "acronym": "no", "legal_form_conflict": "no",
           "legal_form_differs": "no",
           "short_name": "no", "org_extra_tokens": "none", "patronymic_conflict": "no",
           "syllabic_mismatch": "no", "initials_only": "no",
           "distinct_names": "no"}


def load_pairs(path: Path) -> list[tuple[str, str, str, bool, str]]:
    """(schema, name1, name2, is_match, category): the dev pairs' case group, else the
    variant's category."""
    with path.open(encoding="utf-8") as fh:
        return [
            (row["schema"], row["name1"], row["name2"],
             row["is_match"].strip().lower() in {"true", "1", "yes"},
             row.get("case_group") or row.get("category") or "")
            for row in csv.DictReader(fh)
        ]


def thermometer(values: dict[str, float]) -> list[float]:
    return [
        1.0 if values[feature] >= lo else 0.0
        for feature, (_, _, steps) in STRUCTURE.items()
        for lo, _ in steps
    ]


def fit(X: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float) -> tuple[float, np.ndarray]:
    bounds: list[tuple[float | None, float | None]] = [(None, None)]
    for feature, (_, sign, steps) in STRUCTURE.items():
        bound = {1: (0.0, None), -1: (None, 0.0), 0: (None, None)}[sign]
        if feature in FIXED:
            fixed = FIXED[feature]
            # One weight for every step, or one per step (the steps add up); None: learnt.
            per_step = fixed if isinstance(fixed, tuple) else (fixed,) * len(steps)
            bounds.extend(bound if w is None else (w, w) for w in per_step)
            continue
        bounds.extend([bound] * len(steps))
    Xb = np.hstack([np.ones((len(X), 1)), X])
    t = y.astype(float)

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        z = Xb @ beta
        p = 1.0 / (1.0 + np.exp(-z))
        eps = 1e-12
        ll = -(w * (t * np.log(p + eps) + (1 - t) * np.log(1 - p + eps))).sum() / w.sum()
        grad = Xb.T @ (w * (p - t)) / w.sum()
        ll += l2 * (beta[1:] ** 2).sum()
        grad[1:] += 2 * l2 * beta[1:]
        return ll, grad

    start = np.array([lo if lo is not None and lo == hi else 0.0 for lo, hi in bounds])
    res = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
    return float(res.x[0]), res.x[1:]


def predict(X: np.ndarray, b0: float, beta: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(b0 + X @ beta)))


def f1_at(proba: np.ndarray, y: np.ndarray, th: float = 0.5) -> tuple[float, float, float]:
    pred = proba >= th
    tp, fp, fn = (pred & y).sum(), (pred & ~y).sum(), (~pred & y).sum()
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return float(p), float(r), float(2 * p * r / max(p + r, 1e-9))


def entity_groups(pairs: list[tuple[str, str]]) -> list[int]:
    """Connected components of names: pairs that share a name (the same listed entity seen
    twice) land in one group, so a fold never holds an entity the fit saw."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a.strip().lower())] = find(b.strip().lower())
    roots: dict[str, int] = {}
    return [roots.setdefault(find(a.strip().lower()), len(roots)) for a, _ in pairs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    dev = REPO.parent / "shared" / "data" / "bench" / "name_pairs_dev.csv"
    parser.add_argument("--dev", type=Path, default=dev)
    parser.add_argument("--variants", type=Path, action="append", default=[])
    parser.add_argument("--dev-weight", type=float, default=3.0)
    # 0.001 held out best on the grouped folds (dev 0.922) but moved scores that screening,
    # media and the entity bench read against fixed thresholds; 0.002 keeps them (dev 0.919).
    parser.add_argument("--l2", type=float, default=0.002)
    parser.add_argument("--errors", type=Path,
                        help="write the held-out errors (pair, category, score) to this CSV")
    parser.add_argument("--no-write", action="store_true",
                        help="report only; leave name_model.json as it is")
    args = parser.parse_args()
    sources = [(args.dev, args.dev_weight, "dev")] + [(v, 1.0, "variants") for v in args.variants]
    rows: list[tuple[str, str, str, bool, float, str]] = []
    categories: list[str] = []
    for path, weight, label in sources:
        for schema, a, b, is_match, category in load_pairs(path):
            rows.append((schema, a, b, is_match, weight, label))
            categories.append(category)
    # Grouped folds: every entity (connected component of names) in exactly one fold.
    groups = entity_groups([(r[1], r[2]) for r in rows])
    fold_of = [int(hashlib.sha1(str(g).encode()).hexdigest(), 16) % FOLDS for g in groups]
    X, y, w, source, folds = [], [], [], [], []
    kept: list[tuple[str, str, str, str]] = []
    pool: dict[int, list[tuple[str, str]]] = {}
    for (schema, a, b, is_match, weight, label), fold, category in zip(
        rows, fold_of, categories, strict=True
    ):
        pool.setdefault(fold, []).append((schema, a))
        cmp = compare_forms(name_form(a, schema), name_form(b, schema), corpus_weight)
        # Nicknames and cross-list names with no word in common are for the entity matcher
        # (identifiers, dates); teaching the name model they match raises every false hit.
        if label != "dev" and is_match and cmp.values["name_dice"] == 0.0:
            continue
        X.append(thermometer(cmp.values))
        y.append(is_match)
        w.append(weight)
        source.append(label)
        folds.append(fold)
        kept.append((schema, a, b, category))
    # Random re-pairings within a fold: easy negatives, so "nothing in common" is learnt as
    # strongly negative, without carrying a name across folds.
    rng = random.Random(13)
    for _ in range(len(rows) // 3):
        fold = rng.randrange(FOLDS)
        (s1, a), (s2, b) = rng.choice(pool[fold]), rng.choice(pool[fold])
        if s1 != s2 or a == b:
            continue
        cmp = compare_forms(name_form(a, s1), name_form(b, s1), corpus_weight)
        X.append(thermometer(cmp.values))
        y.append(False)
        w.append(1.0)
        source.append("random")
        folds.append(fold)
    Xa, ya, wa = np.array(X), np.array(y), np.array(w)
    ga, fa = np.array(source), np.array(folds)
    held = np.zeros(len(ya))
    fit_f1: dict[str, list[float]] = {"dev": [], "variants": []}
    for k in range(FOLDS):
        train = fa != k
        b0, beta = fit(Xa[train], ya[train], wa[train], args.l2)
        held[~train] = predict(Xa[~train], b0, beta)
        in_sample = predict(Xa[train], b0, beta)
        for name in fit_f1:
            mask = ga[train] == name
            if mask.any():
                fit_f1[name].append(f1_at(in_sample[mask], ya[train][mask])[2])
    print(f"grouped {FOLDS}-fold cross-validation ({len(set(groups))} entity groups), "
          "F1 at 0.5:")
    for name in fit_f1:
        mask = ga == name
        if not mask.any():
            continue
        p, r, f1 = f1_at(held[mask], ya[mask])
        fitted = float(np.mean(fit_f1[name]))
        print(f"  {name:9s} fit-set F1 {fitted:.3f}  held-out F1 {f1:.3f} "
              f"(P {p:.3f} R {r:.3f})  gap {fitted - f1:+.3f}")
    if args.errors:
        with args.errors.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(["source", "error", "schema", "name1", "name2", "category", "held_out"])
            for i, (schema, a, b, category) in enumerate(kept):
                if (held[i] >= 0.5) != ya[i]:
                    out.writerow([ga[i], "FP" if held[i] >= 0.5 else "FN", schema, a, b,
                                  category, round(float(held[i]), 3)])
    if args.no_write:
        return
    b0, beta = fit(Xa, ya, wa, args.l2)
    steps = iter(beta)
    comparisons = []
    for feature, (desc, _, thresholds) in STRUCTURE.items():
        cumulative, levels = 0.0, []
        for lo, label in thresholds:
            cumulative += float(next(steps))
            levels.append(Level(lo, round(cumulative, 4), label))
        levels.reverse()  # tried top-down
        levels.append(Level(-1.0, 0.0, NEUTRAL[feature]))
        comparisons.append(Comparison(feature, desc, tuple(levels)))
    model = ScoringModel("tradescreen-name-v2", round(b0, 4), tuple(comparisons))
    OUT.write_text(json.dumps(model.to_dict(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)} from {len(ya)} pairs")


if __name__ == "__main__":
    main()
