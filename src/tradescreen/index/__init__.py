"""Candidate index built once per active snapshot set."""
