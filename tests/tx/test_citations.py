"""Citations point to official texts wherever one is known; anything else says it is secondary."""

from __future__ import annotations

import pytest

from tradescreen.controls.official import is_official, official_texts
from tradescreen.controls.reference import Citation
from tradescreen.screen.policy import load_policy
from tradescreen.screen.tx import list_citation
from tradescreen.sources.fetch import TARGETS


def _every_citation(ref) -> list[tuple[str, Citation]]:
    out = [(f"chpl {c.hs6}", c.citation) for c in ref.chpl.values()]
    out += [(f"chpl tier {t}", ref.chpl_tier_citation(t)) for t in ("1", "2", "3.A", "4.B")]
    out += [(f"uav {i.id}", i.citation) for i in ref.uav_items.values()]
    out += [("uav guidance", ref.uav_guidance())]
    out += [(f"flag {f.id}", f.citation) for f in ref.flags.values()]
    out += [(f"jurisdiction {j.code}", j.citation) for j in ref.jurisdictions.values()]
    out += [(f"transshipment {j.code}", j.citation) for j in ref.transshipment.values()]
    out += [(f"port {p.id}", p.citation) for p in ref.ports]
    out += [(f"entity {e.id}", e.citation) for e in ref.entities]
    out += [(f"policy {k}", c) for k, c in load_policy().fallback_citations.items()]
    return [(what, c) for what, c in out if c is not None]


def test_every_cited_url_is_official_or_marked_secondary(txs):
    cited = _every_citation(txs.reference)
    assert len(cited) > 150
    for what, citation in cited:
        if citation.url:
            assert is_official(citation.url) or citation.secondary, (what, citation)
        # A reproduction replaced by the official text keeps its address as `via`.
        if citation.via:
            assert is_official(citation.url) and not citation.secondary, (what, citation)
    # Where the package knows the official text, a reproduction is never what is cited.
    known = set(official_texts())
    assert not [(w, c.id) for w, c in cited if c.secondary and c.id in known]
    # The red flags the transaction rules raise most: official texts, not law-firm blogs.
    flags = txs.reference.flags
    for flag in ("RF-BIS-02", "RF-BIS-10", "RF-FB23G-01", "RF-FB23G-02", "RF-UAV-01",
                 "RF-KYC-01"):
        assert is_official(flags[flag].citation.url), flags[flag].citation
    uav = flags["RF-UAV-01"].citation
    assert uav.url == "https://bis.gov/node/7008" and "usip.org" in (uav.via or "")


def test_list_citations_are_the_official_downloads():
    from tradescreen.index.records import Record

    for source in TARGETS:
        record = Record(source=source, source_id="1", snapshot="s", schema="Person",
                        caption="X", names=(("X", "name", "strong"),), birth_dates=(),
                        countries=(), identifiers=(), programs=(), listed_on=None,
                        content_hash="")
        citation = list_citation(record)
        assert is_official(citation.url), (source, citation.url)


@pytest.mark.parametrize(("url", "official"), [
    ("https://www.bis.gov/articles/red-flag-indicators", True),
    ("https://ofac.treasury.gov/sanctions-programs-and-country-information", True),
    ("https://eur-lex.europa.eu/eli/dec/2024/2894/oj", True),
    ("https://www.legislation.gov.uk/uksi/2023/1314/schedule/4", True),
    ("https://scsanctions.un.org/resources/xml/en/consolidated.xml", True),
    ("https://www.mondaq.com/unitedstates/x", False),
    ("https://complianceconcourse.willkie.com/articles/x", False),
    ("https://bis.gov.example.com/fake", False),
    ("https://notbis.gov/x", False),
    (None, False),
])
def test_official_hosts(url, official):
    assert is_official(url) is official


def test_reasons_say_whether_their_citation_is_secondary(txs):
    import json

    from tradescreen.screen.tx_model import parse_transaction

    from .helpers import EXAMPLES

    raw = json.loads((EXAMPLES / "block_shahed_chain_uae_caspian.json").read_text())
    reasons = txs.screen(parse_transaction(raw)).to_dict()["reasons"]
    assert all("secondary" in r["citation"] for r in reasons if r["citation"])
    assert any(r["citation"]["secondary"] is False for r in reasons if r["citation"])
