"""Adverse media: listed parties, customers and programme terms named in news and free text."""
