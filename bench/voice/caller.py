"""The benchmark's caller: a microphone that streams like a phone, the transport's own
latency, and what the worker is configured to wait for its utterance.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import numpy as np
from livekit import api, rtc
from livekit.agents import vad as agents_vad

from agent.turns.detection import load_vad
from core.settings import Settings
from testkit.caller import FRAME_MS, TRANSCRIPTION_TOPIC, Caller
from testkit.stack import LIVEKIT_KEY, LIVEKIT_SECRET
from testkit.standins import AUDIO_FIXTURES

RATE = 16000
STEP = RATE * FRAME_MS // 1000  # samples per 20 ms microphone frame
WORKER_INPUT_RATE = 24000  # what livekit-agents' RoomIO resamples the caller's audio to
QUIET = 0.5  # no agent audio for this long: the agent has finished speaking
VOICED_LEVEL = 64  # a frame whose peak reaches this (-54 dBFS) has sound in it


@dataclass(frozen=True)
class Spoken:
    """When an utterance left the microphone source (time.monotonic())."""

    first_voiced_start: float  # the first voiced frame began to leave
    last_voiced_end: float  # the end of the last voiced frame left
    queued: float  # what the source still held when capture_frame returned for the last one


@dataclass
class BenchCaller(Caller):
    """A caller whose microphone streams without pause through a small queue.

    `speak()` reports when the end of the utterance's last voiced frame left the source: when
    `capture_frame` returned for it plus what the source still held (`queued_duration`, about
    one queue length). The agent's audio is checked for sound with numpy rather than `any()`,
    to keep the bench process light with many calls in it.
    """

    queue_ms: int = 20
    # False: send nothing between utterances, as the agent does between replies.
    continuous: bool = True
    _utterances: asyncio.Queue[tuple[list[rtc.AudioFrame], asyncio.Future[Spoken]]] = field(
        default_factory=asyncio.Queue
    )
    _microphone: asyncio.Task[None] | None = None

    async def join(self, api_base: str) -> None:
        """A token from our API (a fresh room, so the worker is dispatched), then connect."""
        async with httpx.AsyncClient() as http:
            response = await http.post(f"{api_base}/api/token", json={}, timeout=10)
            response.raise_for_status()
            answer = response.json()
        await self.connect(answer["server_url"], answer["participant_token"])

    async def connect(self, url: str, token: str) -> None:
        self.room.on("track_subscribed", self._on_track)
        self.room.on("data_received", self._on_data)
        self.room.on("participant_attributes_changed", self._on_attributes)
        self.room.register_text_stream_handler(TRANSCRIPTION_TOPIC, self._on_text)
        await self.room.connect(url, token)
        self.identity = self.room.local_participant.identity
        self._source = rtc.AudioSource(RATE, 1, queue_size_ms=self.queue_ms)
        track = rtc.LocalAudioTrack.create_audio_track("microphone", self._source)
        options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
        await self.room.local_participant.publish_track(track, options)
        self._microphone = asyncio.create_task(self._stream())

    async def speak(self, frames: list[rtc.AudioFrame]) -> Spoken:
        """Say `frames` next, in place of silence."""
        done: asyncio.Future[Spoken] = asyncio.get_running_loop().create_future()
        await self._utterances.put((frames, done))
        return await done

    async def _stream(self) -> None:
        source = self._source
        assert source is not None
        silence = rtc.AudioFrame(bytes(STEP * 2), RATE, 1, STEP)
        frame_seconds = STEP / RATE
        while True:
            if not self.continuous:
                frames, done = await self._utterances.get()
            else:
                try:
                    frames, done = self._utterances.get_nowait()
                except asyncio.QueueEmpty:
                    await source.capture_frame(silence)
                    continue
            sounds = [i for i, frame in enumerate(frames) if voiced(frame)]
            start = end = queued = 0.0
            for i, frame in enumerate(frames):
                await source.capture_frame(frame)
                if i == sounds[0]:
                    start = time.monotonic() + source.queued_duration - frame_seconds
                if i == sounds[-1]:
                    queued = source.queued_duration
                    end = time.monotonic() + queued
            done.set_result(Spoken(start, end, queued))

    async def _listen(self, stream: rtc.AudioStream) -> None:
        async for event in stream:
            self.agent_frames += 1
            if voiced(event.frame):
                self.agent_voiced_frames += 1
                self.agent_voiced_at.append(time.monotonic())

    def _on_text(self, reader: rtc.TextStreamReader, participant_identity: str) -> None:
        # Transcripts are not measured; a stream cut short by hanging up is no error here.
        async def drain() -> None:
            with contextlib.suppress(Exception):
                await reader.read_all()

        self._spawn(drain())

    async def leave(self) -> None:
        if self._microphone is not None:
            self._microphone.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._microphone
        await super().leave()


def voiced(frame: rtc.AudioFrame) -> bool:
    """Sound, not the ±2 of noise that Opus and resampling leave in decoded silence."""
    return int(np.abs(np.frombuffer(frame.data, dtype=np.int16)).max(initial=0)) >= VOICED_LEVEL


def wav_frames(name: str) -> list[rtc.AudioFrame]:
    """A 16 kHz mono fixture as 20 ms frames, the last one padded with silence."""
    with wave.open(str(AUDIO_FIXTURES / name)) as wav:
        assert (wav.getframerate(), wav.getnchannels()) == (RATE, 1)
        pcm = wav.readframes(wav.getnframes())
    step = STEP * 2
    return [
        rtc.AudioFrame(pcm[i : i + step].ljust(step, b"\0"), RATE, 1, STEP)
        for i in range(0, len(pcm), step)
    ]


async def until(condition: Callable[[], bool], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def heard_after(caller: Caller, moment: float) -> Callable[[], bool]:
    return lambda: caller.first_agent_audio_after(moment) is not None


def quiet(caller: Caller) -> bool:
    heard = caller.agent_voiced_at
    return bool(heard) and time.monotonic() - heard[-1] > QUIET


# --- the transport alone --------------------------------------------------------------------------


async def one_way_latency(
    url: str, frames: list[rtc.AudioFrame], repeats: int, *, continuous: bool
) -> list[float]:
    """Caller to caller through livekit-server: first voiced sample sent to first voiced frame
    received, with the same SDK the worker receives and sends with. `continuous`: the speaker
    streams silence between utterances, as callers do; otherwise it sends nothing in between,
    as the agent does between replies, and the listener's jitter buffer starts afresh."""

    def token(identity: str) -> str:
        grants = api.VideoGrants(room_join=True, room=f"bench-loopback-{continuous}")
        access = api.AccessToken(LIVEKIT_KEY, LIVEKIT_SECRET).with_identity(identity)
        return access.with_grants(grants).to_jwt()

    speaker, listener = BenchCaller(continuous=continuous), BenchCaller()
    latencies = []
    try:
        await listener.connect(url, token("listener"))
        await speaker.connect(url, token("speaker"))
        await until(lambda: bool(listener.room.remote_participants), "the speaker", 15)
        await asyncio.sleep(1.0)
        for _ in range(repeats):
            spoken = await speaker.speak(frames)
            await until(heard_after(listener, spoken.first_voiced_start), "the utterance", 5)
            arrived = listener.first_agent_audio_after(spoken.first_voiced_start)
            assert arrived is not None
            latencies.append(arrived - spoken.first_voiced_start)
            await until(lambda: quiet(listener), "the utterance to end", 5)
            await asyncio.sleep(0.5)
    finally:
        await speaker.leave()
        await listener.leave()
    return latencies


# --- what the worker is configured to wait ------------------------------------------------------


@dataclass(frozen=True)
class Waits:
    """What the worker waits, by configuration, after the caller's last voiced audio."""

    vad_silence: float  # VAD_MIN_SILENCE_SECONDS
    vad_decision: float  # the VAD's END_OF_SPEECH after the last voiced frame, in audio time
    endpointing_min_delay: float  # endpointing's min_delay for these turns
    endpointing_extra: float  # what min_delay adds after END_OF_SPEECH

    @property
    def total(self) -> float:
        return self.vad_decision + self.endpointing_extra


async def configured_waits(frames: list[rtc.AudioFrame], settings: Settings) -> Waits:
    """Run the worker's VAD on the utterance, as the worker receives it.

    Same model and options as `agent.main.prewarm` (`VAD_MODEL`, `VAD_MIN_SILENCE_SECONDS`), at
    24 kHz as RoomIO delivers it (in 10 ms frames; RoomIO's are 50 ms), then silence. Silero
    (either build) ends the speech after ceil(min_silence / 32 ms) windows below its
    deactivation threshold; its probability stays above that threshold for a few windows after
    the sound stops, which adds to the wait.

    livekit-agents' endpointing (`_bounce_eou_task` in voice/audio_recognition.py) waits until
    `last_speaking_time + min_delay`, and on END_OF_SPEECH it back-dates `last_speaking_time`
    by the VAD's silence duration: min_delay only adds what exceeds that silence.
    """
    last = max(i for i, frame in enumerate(frames) if voiced(frame))
    speech_end = (last + 1) * FRAME_MS / 1000
    pcm = b"".join(bytes(frame.data) for frame in frames[: last + 1]) + bytes(RATE * 2 * 2)
    resampler = rtc.AudioResampler(RATE, WORKER_INPUT_RATE, quality=rtc.AudioResamplerQuality.HIGH)
    audio = rtc.combine_audio_frames(
        resampler.push(rtc.AudioFrame(pcm, RATE, 1, len(pcm) // 2)) + resampler.flush()
    )
    stream = load_vad(settings).stream()
    samples = np.frombuffer(audio.data, dtype=np.int16)
    step = WORKER_INPUT_RATE // 100
    for start in range(0, len(samples), step):
        chunk = samples[start : start + step]
        stream.push_frame(rtc.AudioFrame(chunk.tobytes(), WORKER_INPUT_RATE, 1, len(chunk)))
    stream.end_input()
    ended_at: float | None = None
    silence_duration = 0.0
    async for event in stream:
        if event.type == agents_vad.VADEventType.END_OF_SPEECH:
            ended_at, silence_duration = event.timestamp, event.silence_duration
            break
    await stream.aclose()
    if ended_at is None:
        raise RuntimeError("the VAD never ended the utterance's speech")
    # The stand-in's replies ask nothing, so every caller turn is free text
    # (agent/turns/endpointing.py).
    min_delay = settings.turn_default_seconds
    return Waits(
        vad_silence=settings.vad_min_silence_seconds,
        vad_decision=ended_at - speech_end,
        endpointing_min_delay=min_delay,
        endpointing_extra=max(0.0, min_delay - silence_duration),
    )
