"""Real speech: the recognizer's word accuracy, value accuracy end to end, and its CPU cost.

    uv run python -m bench.speech accuracy          # over the committed corpus (a second)
    uv run python -m bench.speech accuracy --live   # speak and hear every line again (~2 min)
    uv run python -m bench.speech cpu               # CPU seconds per second of speech

`accuracy` compares what Whisper tiny.en wrote for the Piper voice with what was said, word by
word, then reads each value (phone, date, time, party size) as the booking tools do: right,
asked for again, or WRONG. `cpu` times recognizing and synthesizing the corpus's lines in this
process, one thread, as one call's job process would: cores per call follow from how much of a
call is speech. Calls over WebRTC with local speech: `python -m bench.voice --models local`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from bench.common import machine, table
from bench.speech.accuracy import value_outcomes, word_accuracy
from bench.speech.lines import LINES
from bench.speech.make_corpus import CORPUS
from core.restaurant import load_restaurant
from core.settings import PROJECT_ROOT
from testkit.voices import caller_voice, hear, recognizer, speak

# A Tuesday, 10:00 in Singapore: the corpus's dates are read against it.
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def accuracy(live: bool) -> None:
    if live:
        voice = caller_voice()
        lines = [
            {**line._asdict(), "heard": hear(speak(line.said, sample_rate=16000, voice=voice))}
            for line in LINES
        ]
    else:
        lines = json.loads(CORPUS.read_text())["lines"]
    score, total = word_accuracy(lines)
    print(f"word accuracy: {score:.1%} of {total} words in {len(lines)} lines")
    restaurant = load_restaurant(PROJECT_ROOT / "restaurant.toml")
    outcomes = value_outcomes(restaurant, NOW, lines)
    rows = [
        [kind, str(sum(c.values())), str(c["right"]), str(c["asked again"]), str(c["WRONG"])]
        for kind, c in outcomes.items()
    ]
    right = sum(c["right"] for c in outcomes.values())
    count = sum(sum(c.values()) for c in outcomes.values())
    print(table(["value", "lines", "right", "asked again", "WRONG"], rows))
    print(f"values read right: {right}/{count} ({right / count:.0%})")


def cpu() -> None:
    voice = caller_voice()
    recognizer()  # loaded before the clock starts
    speech = tts_cpu = stt_cpu = stt_wall = 0.0
    slowest = 0.0
    for line in LINES:
        started = time.process_time()
        frame = speak(line.said, sample_rate=16000, voice=voice)
        tts_cpu += time.process_time() - started
        speech += frame.duration
        started, wall = time.process_time(), time.perf_counter()
        hear(frame)
        stt_cpu += time.process_time() - started
        stt_wall += time.perf_counter() - wall
        slowest = max(slowest, time.perf_counter() - wall)
    print(f"{len(LINES)} lines, {speech:.1f} s of speech")
    print(
        table(
            ["", "CPU s per s of speech", "wall s per s of speech"],
            [
                [
                    "Whisper tiny.en int8, 1 thread",
                    f"{stt_cpu / speech:.2f}",
                    f"{stt_wall / speech:.2f}",
                ],
                ["Piper en_US-joe-medium", f"{tts_cpu / speech:.2f}", "-"],
            ],
        )
    )
    print(f"slowest line heard in {slowest:.2f} s (after its end: the delay it adds to a reply)")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.speech", description=__doc__)
    parser.add_argument("what", choices=["accuracy", "cpu"])
    parser.add_argument("--live", action="store_true", help="speak and hear the lines again")
    args = parser.parse_args(argv)
    print("\n".join(machine()))
    print(f"command: uv run python -m bench.speech {' '.join(sys.argv[1:])}".rstrip())
    accuracy(args.live) if args.what == "accuracy" else cpu()


if __name__ == "__main__":
    main()
