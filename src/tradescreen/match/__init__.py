"""Explainable scoring of a query against listed names and entities."""
