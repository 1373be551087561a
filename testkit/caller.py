"""A caller built on the livekit Python SDK: speaks WAV files, hears and reads the agent."""

from __future__ import annotations

import asyncio
import json
import time
import wave
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import httpx
from livekit import rtc

from testkit.standins import AUDIO_FIXTURES

FRAME_MS = 20
TRANSCRIPTION_TOPIC = "lk.transcription"
NOTICE_TOPIC = "restaurant.reservation"
STATUS_TOPIC = "restaurant.status"


@dataclass
class Line:
    speaker: str
    text: str
    final: bool


@dataclass
class Caller:
    """One caller in one room, recording everything that reaches them."""

    identity: str = ""
    room: rtc.Room = field(default_factory=rtc.Room)
    agent_frames: int = 0
    agent_voiced_frames: int = 0
    # When each of the agent's non-silent audio frames arrived (time.monotonic()).
    agent_voiced_at: list[float] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    notices: list[dict[str, object]] = field(default_factory=list)
    # What the API told this caller about the call itself (no agent can answer, ...).
    statuses: list[dict[str, object]] = field(default_factory=list)
    agent_states: list[str] = field(default_factory=list)
    last_voiced_frame_sent_at: float = 0.0
    _source: rtc.AudioSource | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def join(self, api_base: str) -> None:
        """Get a token from our API, join, and publish a microphone track."""
        async with httpx.AsyncClient() as http:
            answer = (await http.post(f"{api_base}/api/token", json={})).json()
        await self.connect(answer["server_url"], answer["participant_token"])

    async def connect(self, url: str, token: str) -> None:
        """Join with a token already in hand, and publish a microphone track."""
        self.room.on("track_subscribed", self._on_track)
        self.room.on("data_received", self._on_data)
        self.room.on("participant_attributes_changed", self._on_attributes)
        self.room.register_text_stream_handler(TRANSCRIPTION_TOPIC, self._on_text)
        await self.room.connect(url, token)
        self.identity = self.room.local_participant.identity
        # A short queue, so "sent" means sent (the default queues a second of audio).
        self._source = rtc.AudioSource(16000, 1, queue_size_ms=100)
        track = rtc.LocalAudioTrack.create_audio_track("microphone", self._source)
        options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
        await self.room.local_participant.publish_track(track, options)

    def agent(self) -> rtc.RemoteParticipant | None:
        for participant in self.room.remote_participants.values():
            if participant.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT:
                return participant
        return None

    async def say(self, wav_name: str, trailing_silence: float = 0.0) -> None:
        """Send a WAV file in real time (the source paces it), then optional silence."""
        assert self._source is not None
        with wave.open(str(AUDIO_FIXTURES / wav_name)) as wav:
            assert (wav.getframerate(), wav.getnchannels()) == (16000, 1)
            pcm = wav.readframes(wav.getnframes())
        await self.send(pcm, trailing_silence)

    async def send(self, pcm: bytes, trailing_silence: float = 0.0) -> None:
        """Send 16 kHz mono s16 audio in real time (the source paces it), then silence."""
        assert self._source is not None
        step = 16000 * FRAME_MS // 1000 * 2
        for start in range(0, len(pcm), step):
            chunk = pcm[start : start + step].ljust(step, b"\0")
            await self._source.capture_frame(rtc.AudioFrame(chunk, 16000, 1, step // 2))
            if any(chunk):
                self.last_voiced_frame_sent_at = time.monotonic()
        await self.silence(trailing_silence)

    async def silence(self, seconds: float) -> None:
        assert self._source is not None
        step = 16000 * FRAME_MS // 1000
        for _ in range(int(seconds * 1000 / FRAME_MS)):
            await self._source.capture_frame(rtc.AudioFrame(bytes(step * 2), 16000, 1, step))

    async def leave(self) -> None:
        await self.room.disconnect()
        for task in self._tasks:
            task.cancel()

    def said_by(self, speaker: str) -> list[str]:
        return [line.text for line in self.lines if line.speaker == speaker and line.final]

    def _on_track(
        self,
        track: rtc.Track,
        publication: rtc.RemoteTrackPublication,
        participant: rtc.RemoteParticipant,
    ) -> None:
        if track.kind == rtc.TrackKind.KIND_AUDIO:
            self._spawn(self._listen(rtc.AudioStream(track, sample_rate=24000, num_channels=1)))

    async def _listen(self, stream: rtc.AudioStream) -> None:
        async for event in stream:
            self.agent_frames += 1
            if any(event.frame.data):
                self.agent_voiced_frames += 1
                self.agent_voiced_at.append(time.monotonic())

    def first_agent_audio_after(self, moment: float) -> float | None:
        return next((t for t in self.agent_voiced_at if t > moment), None)

    def _on_data(self, packet: rtc.DataPacket) -> None:
        if packet.topic == NOTICE_TOPIC:
            self.notices.append(json.loads(packet.data))
        if packet.topic == STATUS_TOPIC:
            self.statuses.append(json.loads(packet.data))

    def _on_attributes(self, changed: dict[str, str], participant: rtc.Participant) -> None:
        if "lk.agent.state" in changed:
            self.agent_states.append(changed["lk.agent.state"])

    def _on_text(self, reader: rtc.TextStreamReader, participant_identity: str) -> None:
        async def read() -> None:
            try:
                text = await reader.read_all()
            except rtc.data_stream.StreamError:
                return  # the agent left mid-line (the fault tests kill agents)
            attributes = reader.info.attributes or {}
            speaker = "caller" if participant_identity == self.identity else "agent"
            final = attributes.get("lk.transcription_final") == "true"
            self.lines.append(Line(speaker, text, final))

        self._spawn(read())

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
