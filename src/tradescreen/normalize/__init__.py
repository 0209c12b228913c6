"""Pure name normalisation: folding, transliteration, legal forms, honorifics, tokens."""
