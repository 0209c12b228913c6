"""Screening of parties (and later whole transactions)."""
