"""The turn-taking benchmark (`python -m bench.turns offline | live`): cut-offs and delays per
kind of answer on the labelled corpus of tests/fixtures/audio/turns/."""
