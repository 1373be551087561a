"""Speaks every caller line with the packaged Piper voice and writes what the packaged Whisper
hears: the corpus of recognizer output that tests/unit/test_speech_corpus.py reads.

    uv run python -m bench.speech.make_corpus     # ~1 min on 2 cores; rewrites the file

The voice renders without its random noise and Whisper decodes greedily, yet a few borderline
words still come out differently between runs (bench/README.md#real-speech-2026-12-03): the file
is one run, kept, and the unit tests name the lines it lost.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.speech.lines import LINES
from testkit.voices import CALLER_VOICE, RECOGNIZER, caller_voice, hear, speak

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "unit" / "data" / "speech_corpus.json"


def main() -> None:
    voice = caller_voice()
    entries = []
    for line in LINES:
        heard = hear(speak(line.said, sample_rate=16000, voice=voice))
        entries.append({**line._asdict(), "heard": heard})
        print(f"{line.said!r:60} -> {heard!r}")
    corpus = {"voice": CALLER_VOICE, "recognizer": RECOGNIZER, "lines": entries}
    CORPUS.write_text(json.dumps(corpus, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(entries)} lines to {CORPUS}")


if __name__ == "__main__":
    main()
