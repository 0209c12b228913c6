"""Cross-list consolidation: the listings of one party on several lists become one listed party.

`profile` reduces a list entry to the facts that can show identity, `link` finds pairs of
entries with evidence and joins them into clusters, `parties` is the read side the screener uses.
"""
