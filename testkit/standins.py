"""Offline stand-ins for the speech models: a scripted STT and a tone-speaking TTS.

Both implement livekit-agents' own interfaces and are *non-streaming*, so ``AgentSession``
wraps them the way it wraps any such model: :class:`ScriptedSTT` in ``stt.StreamAdapter``,
which runs its own Silero VAD stream over the caller's audio and calls ``recognize()`` once
for every speech segment the VAD ends (``END_OF_SPEECH``); :class:`ToneTTS` in
``tts.StreamAdapter``, which splits the reply into sentences and synthesizes each one.
A transcript therefore only ever follows real audio that the real VAD judged to be speech.
"""

from __future__ import annotations

import logging
import math
import wave
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from livekit import rtc
from livekit.agents import LanguageCode, stt, tts, utils
from livekit.agents.types import (
    DEFAULT_API_CONNECT_OPTIONS,
    NOT_GIVEN,
    APIConnectOptions,
    NotGivenOr,
)
from livekit.agents.utils import is_given

logger = logging.getLogger("testkit.standins")

# The fixtures stay with the tests that made them; the benchmarks read them from there too.
AUDIO_FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "audio"
"""``booking.wav``, ``confirm.wav``, ``silence.wav``: 16 kHz mono s16 (see its README)."""


@dataclass(frozen=True)
class Recognition:
    """One ``recognize()`` call: the audio segment the VAD ended and what was answered."""

    audio_seconds: float
    sample_rate: int
    text: str


class ScriptedSTT(stt.STT[None]):
    """Answers each recognized segment with the next transcript of ``transcripts``.

    Every call consumes one transcript, whatever the audio's length: the VAD decides what a
    segment is, and a spurious segment shows up in :attr:`calls`, not as a shifted script.
    Once the script is used up the answer is an empty transcript, which ``StreamAdapter``
    drops, so an unexpected segment never becomes a user turn (it is still recorded).
    """

    def __init__(self, transcripts: Iterable[str] = (), *, language: str = "en") -> None:
        super().__init__(capabilities=stt.STTCapabilities(streaming=False, interim_results=False))
        self._script = deque(transcripts)
        self._language = language
        self.calls: list[Recognition] = []

    @property
    def model(self) -> str:
        return "scripted"

    @property
    def provider(self) -> str:
        return "tests"

    @property
    def remaining(self) -> list[str]:
        return list(self._script)

    def add(self, *transcripts: str) -> None:
        self._script.extend(transcripts)

    async def _recognize_impl(
        self,
        buffer: utils.AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions,
    ) -> stt.SpeechEvent:
        frame = rtc.combine_audio_frames(buffer) if isinstance(buffer, list) else buffer
        text = self._script.popleft() if self._script else ""
        call = Recognition(frame.duration, frame.sample_rate, text)
        self.calls.append(call)
        # The transcript holds names and phone numbers: log only its presence.
        fields = {"call": len(self.calls), "sample_rate": frame.sample_rate, "answered": bool(text)}
        logger.info("scripted stt recognized %.2fs of audio", frame.duration, extra=fields)
        data = stt.SpeechData(
            language=LanguageCode(language if is_given(language) else self._language),
            text=text,
            confidence=1.0 if text else 0.0,
        )
        return stt.SpeechEvent(
            type=stt.SpeechEventType.FINAL_TRANSCRIPT,
            request_id=f"scripted_stt_{len(self.calls)}",
            alternatives=[data],
        )


class ToneTTS(tts.TTS[None]):
    """Speaks every text as a soft sine tone of ``seconds_per_word`` per word, clamped."""

    def __init__(
        self,
        *,
        sample_rate: int = 24000,
        frequency: float = 330.0,
        amplitude: float = 0.2,
        seconds_per_word: float = 0.06,
        min_seconds: float = 0.3,
        max_seconds: float = 4.0,
    ) -> None:
        super().__init__(
            capabilities=tts.TTSCapabilities(streaming=False),
            sample_rate=sample_rate,
            num_channels=1,
        )
        self.frequency = frequency
        self.amplitude = amplitude
        self.seconds_per_word = seconds_per_word
        self.min_seconds = min_seconds
        self.max_seconds = max_seconds
        self.texts: list[str] = []

    @property
    def model(self) -> str:
        return "tone"

    @property
    def provider(self) -> str:
        return "tests"

    def duration_for(self, text: str) -> float:
        seconds = len(text.split()) * self.seconds_per_word
        return min(max(seconds, self.min_seconds), self.max_seconds)

    def tone(self, text: str) -> bytes:
        """``text``'s audio: s16 mono PCM with 10 ms fades so it starts and ends without clicks."""
        count = round(self.duration_for(text) * self.sample_rate)
        t = np.arange(count) / self.sample_rate
        wave_ = self.amplitude * np.sin(2 * math.pi * self.frequency * t)
        ramp = min(count // 2, self.sample_rate // 100)
        fade = np.linspace(0.0, 1.0, ramp)
        wave_[:ramp] *= fade
        wave_[count - ramp :] *= fade[::-1]
        return (wave_ * 32767).astype(np.int16).tobytes()

    def synthesize(
        self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
    ) -> tts.ChunkedStream:
        self.texts.append(text)
        return _ToneStream(tts=self, input_text=text, conn_options=conn_options)


class _ToneStream(tts.ChunkedStream):
    def __init__(self, *, tts: ToneTTS, input_text: str, conn_options: APIConnectOptions) -> None:
        super().__init__(tts=tts, input_text=input_text, conn_options=conn_options)
        self._tone_tts = tts

    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        output_emitter.initialize(
            request_id=utils.shortuuid("tone_"),
            sample_rate=self._tone_tts.sample_rate,
            num_channels=1,
            mime_type="audio/pcm",
        )
        # No flush(): ChunkedStream ends the segment after _run, marking the last audio final
        # (a flush() here would add a 10 ms silent end marker).
        output_emitter.push(self._tone_tts.tone(self.input_text))


def read_wav(path: Path | str) -> rtc.AudioFrame:
    """A 16-bit PCM WAV file as one frame."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16-bit PCM")
        return rtc.AudioFrame(
            data=wav.readframes(wav.getnframes()),
            sample_rate=wav.getframerate(),
            num_channels=wav.getnchannels(),
            samples_per_channel=wav.getnframes(),
        )


def split_frame(frame: rtc.AudioFrame, *, frame_ms: int = 10) -> list[rtc.AudioFrame]:
    """``frame`` cut into ``frame_ms`` frames (the last one may be shorter), as WebRTC sends."""
    step = frame.sample_rate * frame_ms // 1000
    pcm = np.frombuffer(frame.data, dtype=np.int16).reshape(-1, frame.num_channels)
    return [
        rtc.AudioFrame(
            data=pcm[start : start + step].tobytes(),
            sample_rate=frame.sample_rate,
            num_channels=frame.num_channels,
            samples_per_channel=len(pcm[start : start + step]),
        )
        for start in range(0, len(pcm), step)
    ]


class FixtureSTT(ScriptedSTT):
    """Answers each speech segment with the transcript of the fixture nearest its length.

    For callers whose order of lines the worker cannot know (the phone tests share one worker
    between scenarios): every fixture is a different length, and a VAD segment is its speech
    plus a fixed padding (Silero's prefix and the silence that ended it), so the length alone
    tells which one was played. A segment near none of them is answered with nothing.
    """

    def __init__(self, lines: dict[float, str], *, padding: float, tolerance: float) -> None:
        super().__init__()
        self._lines = lines
        self._padding = padding
        self._tolerance = tolerance

    async def _recognize_impl(
        self,
        buffer: utils.AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions,
    ) -> stt.SpeechEvent:
        frame = rtc.combine_audio_frames(buffer) if isinstance(buffer, list) else buffer
        speech = frame.duration - self._padding
        seconds = min(self._lines, key=lambda length: abs(length - speech))
        self._script.clear()
        if abs(seconds - speech) <= self._tolerance:
            self._script.append(self._lines[seconds])
        return await super()._recognize_impl(buffer, language=language, conn_options=conn_options)
