"""Fit the level weights of the name scoring model and write src/tradescreen/match/name_model.json.

Levels (the buckets) are chosen by hand below — they are the model's structure; only their
weights are learned, by L2-regularised logistic regression on level indicators, from the labelled
dev pairs in ../shared/data/bench/ and the variants generated from the real lists
(bench/variants.py). Run: python bench/fit_name_model.py [--variants bench/out/variants.csv]
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict

from tradescreen.match.features import compare_forms
from tradescreen.match.model import Comparison, Level, ScoringModel
from tradescreen.match.weights import corpus_weight
from tradescreen.normalize.names import name_form

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "src" / "tradescreen" / "match" / "name_model.json"

# feature -> (description, [(min, label), ...]) tried top-down; the last level is the catch-all.
STRUCTURE: dict[str, tuple[str, list[tuple[float, str]]]] = {
    "name_dice": (
        "weighted share of both names' tokens that align",
        [(0.999, "all tokens agree"), (0.95, ">= 0.95"), (0.9, ">= 0.90"), (0.85, ">= 0.85"),
         (0.8, ">= 0.80"), (0.7, ">= 0.70"), (0.6, ">= 0.60"), (0.4, ">= 0.40"),
         (-1.0, "< 0.40")],
    ),
    "min_coverage": (
        "share of the less-covered name that aligns (missing tokens)",
        [(0.999, "complete"), (0.9, ">= 0.90"), (0.75, ">= 0.75"), (0.6, ">= 0.60"),
         (0.4, ">= 0.40"), (-1.0, "< 0.40")],
    ),
    "weakest_token": (
        "similarity of the weakest aligned token pair",
        [(0.999, "all exact"), (0.85, "transliteration / one slip"), (0.7, "typo"),
         (0.5, "distant"), (-1.0, "nothing aligned")],
    ),
    "fuzzy_tokens": (
        "aligned token pairs that are not identical",
        [(3.0, "3 or more"), (2.0, "2"), (1.0, "1"), (-1.0, "none")],
    ),
    "unmatched_tokens": (
        "tokens left over on both names (conflicting name parts)",
        [(2.0, "2 or more"), (1.0, "1"), (-1.0, "none")],
    ),
    "extra_tokens": (
        "tokens left over on the longer name (extra middle names, words)",
        [(3.0, "3 or more"), (2.0, "2"), (1.0, "1"), (-1.0, "none")],
    ),
    "joined_similarity": (
        "similarity of the sorted names written as one string",
        [(0.95, ">= 0.95"), (0.85, ">= 0.85"), (0.7, ">= 0.70"), (-1.0, "< 0.70")],
    ),
    "numbers_conflict": ("numbers in the names differ", [(1.0, "yes"), (-1.0, "no")]),
    "legal_form_conflict": (
        "different legal forms (AG vs GmbH)", [(1.0, "yes"), (-1.0, "no")]
    ),
    "short_name": ("a one-token name", [(1.0, "yes"), (-1.0, "no")]),
}


def load_pairs(path: Path) -> list[tuple[str, str, str, bool, str]]:
    with path.open(encoding="utf-8") as fh:
        return [
            (row["schema"], row["name1"], row["name2"],
             row["is_match"].strip().lower() in {"true", "1", "yes"}, row.get("category") or "")
            for row in csv.DictReader(fh)
        ]


def indicators(values: dict[str, float]) -> list[float]:
    vec: list[float] = []
    for feature, (_, levels) in STRUCTURE.items():
        v = values[feature]
        hit = next(i for i, (lo, _) in enumerate(levels) if v >= lo or i == len(levels) - 1)
        # The last level is the reference (weight 0), so neutral evidence explains as 0.
        vec.extend(1.0 if i == hit else 0.0 for i in range(len(levels) - 1))
    return vec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    dev = REPO.parent / "shared" / "data" / "bench" / "name_pairs_dev.csv"
    parser.add_argument("--dev", type=Path, default=dev)
    parser.add_argument("--variants", type=Path, action="append", default=[])
    parser.add_argument("--dev-weight", type=float, default=3.0)
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    args = parser.parse_args()
    X, y, w, is_dev = [], [], [], []
    sources = [(args.dev, args.dev_weight)] + [(v, 1.0) for v in args.variants]
    for path, weight in sources:
        for schema, a, b, label, _category in load_pairs(path):
            cmp = compare_forms(name_form(a, schema), name_form(b, schema), corpus_weight)
            # Nicknames and cross-list names with no word in common are for the entity matcher
            # (identifiers, dates); teaching the name model they match raises every false hit.
            if path != args.dev and label and cmp.values["name_dice"] == 0.0:
                continue
            X.append(indicators(cmp.values))
            y.append(label)
            w.append(weight)
            is_dev.append(path == args.dev)
    Xa, ya, wa, deva = np.array(X), np.array(y), np.array(w), np.array(is_dev)
    clf = LogisticRegression(C=args.c, max_iter=5000)
    proba = cross_val_predict(
        clf, Xa, ya, cv=5, method="predict_proba", params={"sample_weight": wa}
    )[:, 1]
    for name, mask in (("dev", deva), ("variants", ~deva)):
        if not mask.any():
            continue
        for th in (0.5, 0.6, 0.7):
            pred = proba[mask] >= th
            yy = ya[mask]
            tp, fp, fn = (pred & yy).sum(), (pred & ~yy).sum(), (~pred & yy).sum()
            p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
            print(f"cv {name} @{th}: precision {p:.3f} recall {r:.3f} "
                  f"F1 {2 * p * r / max(p + r, 1e-9):.3f}")
    clf.fit(Xa, ya, sample_weight=wa)
    coefs = iter(clf.coef_[0])
    comparisons = []
    for feature, (desc, levels) in STRUCTURE.items():
        weights = [round(float(next(coefs)), 4) for _ in levels[:-1]] + [0.0]
        comparisons.append(
            Comparison(
                feature,
                desc,
                tuple(Level(lo, w, label) for (lo, label), w in zip(levels, weights, strict=True)),
            )
        )
    model = ScoringModel("tradescreen-name-v1", round(float(clf.intercept_[0]), 4),
                         tuple(comparisons))
    OUT.write_text(json.dumps(model.to_dict(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)} from {len(y)} pairs")


if __name__ == "__main__":
    main()
