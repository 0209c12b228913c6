"""Versioned snapshots of imported lists (SQLite by default)."""
