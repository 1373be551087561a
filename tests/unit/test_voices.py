"""testkit/voices.py's `stretches`: a phone's recording cut into what the agent said, line by
line, for the real-speech phone test's own recognizer."""

from __future__ import annotations

import numpy as np
from livekit import rtc

from testkit.voices import stretches

RATE = 8000


def recording(*parts: tuple[str, float]) -> rtc.AudioFrame:
    """("tone" or "quiet", seconds) in order, as one s16 mono frame at 8 kHz."""
    pieces = []
    for kind, seconds in parts:
        t = np.arange(round(seconds * RATE)) / RATE
        level = 0.3 if kind == "tone" else 0.0
        pieces.append(level * np.sin(2 * np.pi * 440 * t))
    pcm = (np.concatenate(pieces) * 32767).astype(np.int16)
    return rtc.AudioFrame(pcm.tobytes(), RATE, 1, len(pcm))


def test_a_short_pause_stays_inside_a_stretch_and_a_long_one_splits() -> None:
    frame = recording(
        ("quiet", 2.0),
        ("tone", 1.0),
        ("quiet", 0.5),
        ("tone", 0.5),
        ("quiet", 1.5),
        ("tone", 0.8),
        ("quiet", 1.0),
    )
    found = stretches(frame, gap=1.0)
    # Each keeps 0.2 s of quiet either side.
    assert [round(s.duration, 1) for s in found] == [2.4, 1.2]
    assert all(s.sample_rate == RATE for s in found)


def test_quiet_alone_has_no_stretch() -> None:
    assert stretches(recording(("quiet", 3.0))) == []
