"""Real speech: the caller lines' corpus, word and value accuracy, and CPU per call (README)."""
