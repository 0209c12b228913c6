"""tradescreen: restricted-party and export-control screening."""

__version__ = "0.1.0"
