"""Benchmarks, grouped by what they measure: database/ (making and looking up reservations),
voice/ (the voice pipeline's delay and calls per worker) and turns/ (turn-taking on labelled
answers); what they share is in common.py. How to run them, and every figure: bench/README.md.

They import the product and testkit/ (the stand-in models and the real processes they share with
the tests), never tests/ (tests/unit/test_layers.py checks)."""
