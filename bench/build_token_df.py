"""Rebuild src/tradescreen/match/data/token_df.json (how many listed names each token is in) and
src/tradescreen/normalize/data/known_names.json (which person-name tokens are real names, with
rigour's name symbols).

Every name (primary, aliases, original-script forms) of every official list in the shared data is
normalised exactly as the matcher does (`name_form` with the entity's schema) and each token is
counted once per name. Only tokens on at least 3 names are kept: rarer tokens get the top weight
anyway, and the file stays small.

Known names: a token of a listed person's name that rigour's person-name tagger knows (it
carries NAME symbols: Wikidata given and family names in every script) or that is on at least
two listed people's names. Shipped as data because loading rigour's person tagger takes tens of
seconds, too long for every CLI run; the symbols tell a spelling of a name (Petrov / Petrova,
Yuri / Iouri share one) from another name a letter away (Rahimi / Rahiqi, Federer / Federman).

    python bench/build_token_df.py
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from common import REPO, shared_data_dir

from tradescreen import sources
from tradescreen.match.weights import document_frequencies
from tradescreen.normalize.names import name_form

LISTS = (
    "ofac/sdn_2024-05-03",
    "ofac/consolidated_nonsdn_csv",
    "un/consolidated.xml",
    "csl/consolidated.csv.gz",
    "canada/sema-lmes.xml",
    "australia/regulation8_consolidated.xlsx",
    "opensanctions/yente_fixtures/zala_entities.ftm.json",
)
OUT = REPO / "src" / "tradescreen" / "match" / "data" / "token_df.json"
KNOWN = REPO / "src" / "tradescreen" / "normalize" / "data" / "known_names.json"


def name_symbols(tokens: list[str]) -> dict[str, list[str]]:
    """Token -> rigour NAME symbol ids, for the tokens rigour's person tagger knows."""
    from rigour.names import NameTypeTag, SymbolCategory, analyze_names

    out: dict[str, list[str]] = {}
    for token in tokens:
        for name in analyze_names(NameTypeTag.PER, [token], phonetics=False, consolidate=False):
            ids = sorted({str(s.symbol.id) for s in name.spans
                          if s.symbol.category == SymbolCategory.NAME})
            if ids:
                out[token] = ids
    return out


def known_names(person_tokens: list[tuple[str, ...]]) -> dict:
    counts: Counter[str] = Counter()
    for toks in person_tokens:
        counts.update(t for t in set(toks) if len(t) >= 3 and t.isalpha())
    symbols = name_symbols(sorted(counts))
    ids = sorted({i for v in symbols.values() for i in v})
    number = {i: n for n, i in enumerate(ids)}
    names = {t: [number[i] for i in symbols.get(t, [])] for t in sorted(counts)
             if t in symbols or counts[t] >= 2}
    # Each symbol's most listed Latin spelling: a name written in Katakana or Hangul that
    # rigour tags with the symbol is read as that spelling (ウラジーミル -> vladimir).
    latin: dict[str, tuple[str, int]] = {}
    for token, found in symbols.items():
        for i in found:
            if i not in latin or counts[token] > latin[i][1]:
                latin[i] = (token, counts[token])
    return {"symbols": ids, "names": names,
            "latin": {qid: [t, c] for qid, (t, c) in sorted(latin.items())}}


def main() -> None:
    data = shared_data_dir()
    token_lists = []
    person_tokens = []
    for rel_path in LISTS:
        read = sources.read(Path(data / rel_path))
        for entity in read.entities:
            for name in entity.names:
                form = name_form(name.value, entity.schema)
                token_lists.append(form.tokens)
                if entity.schema == "Person" and not form.transliterated:
                    person_tokens.append(form.tokens)
        print(f"{rel_path}: {len(read.entities)} entities")
    table = document_frequencies(token_lists)
    OUT.write_text(json.dumps(table, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"{table['names']} names, {len(table['df'])} tokens kept -> {OUT.relative_to(REPO)}")
    known = known_names(person_tokens)
    KNOWN.write_text(json.dumps(known, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"{len(known['names'])} known person-name tokens -> {KNOWN.relative_to(REPO)}")


if __name__ == "__main__":
    main()
