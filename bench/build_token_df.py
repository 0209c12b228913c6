"""Rebuild src/tradescreen/match/data/token_df.json: how many listed names each token is in.

Every name (primary, aliases, original-script forms) of every official list in the shared data is
normalised exactly as the matcher does (`name_form` with the entity's schema) and each token is
counted once per name. Only tokens on at least 3 names are kept: rarer tokens get the top weight
anyway, and the file stays small.

    python bench/build_token_df.py
"""

from __future__ import annotations

import json
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


def main() -> None:
    data = shared_data_dir()
    token_lists = []
    for rel_path in LISTS:
        read = sources.read(Path(data / rel_path))
        for entity in read.entities:
            for name in entity.names:
                token_lists.append(name_form(name.value, entity.schema).tokens)
        print(f"{rel_path}: {len(read.entities)} entities")
    table = document_frequencies(token_lists)
    OUT.write_text(json.dumps(table, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"{table['names']} names, {len(table['df'])} tokens kept -> {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
