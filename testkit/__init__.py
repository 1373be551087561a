"""Test and benchmark support: what tests/ and bench/ both use.

Never imported by the product (agent/, api/, core/, ops/; tests/unit/test_layers.py checks)
and not shipped: the wheel packages only the product. It imports nothing from tests/ or bench/,
so a benchmark runs without the test suite.

- `scripted_llm`: a scripted, offline chat model (livekit-agents' `llm.LLM`);
- `standins`: offline speech stand-ins (a scripted STT and a tone TTS) and the audio fixtures;
- `stack`: real processes on loopback: livekit-server, the API and a voice worker;
- `caller`: a WebRTC caller built on the livekit Python SDK;
- `postgres`: a throwaway embedded PostgreSQL.
"""
