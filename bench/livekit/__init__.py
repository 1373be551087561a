"""Benchmarks of what the API asks of the LiveKit server."""
