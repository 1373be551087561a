"""How long the voice pipeline itself takes to answer, and how many calls one worker holds.

    uv run python -m bench.voice [--calls 1,2,4,6,8,12,16] [--turns 8]
    uv run python -m bench.voice --vad-silence 0.3 --calls 1      # when endpointing bites
    uv run python -m bench.voice --no-admission --stagger 4 --calls 1,8,10,12  # past the limit

Starts its own embedded PostgreSQL, livekit-server, the API and ONE voice worker (`start`
mode, the production defaults, WORKER_LOAD_THRESHOLD included) with the zero-time stand-in
models of `bench.voice_models`.
Then, for each concurrency level N, N callers (livekit Python SDK, real WebRTC, each in its
own room, so the worker runs one job process per call) wait for the greeting and take turns:
a pause, `confirm.wav`, silence. For every turn it measures, on the caller's clock,

    delay = first voiced audio frame of the agent's reply received
            - the moment the end of the caller's last voiced frame left its microphone source

and reports it minus the VAD silence (the pipeline's overhead as the issue defines it) and
minus every configured wait (Silero's decision lag for this audio, measured offline on the
same fixture, plus any extra endpointing delay), which is what the pipeline adds by itself.
Before the worker starts, one caller speaks to another through the same livekit-server to
measure the one-way WebRTC audio latency, for the transport's share of that remainder.
Memory is the worker's process tree (the worker, its forkserver, idle and busy job processes)
read from /proc: with N calls active minus idle, per call. Linux only.

The microphone sends audio all the time, as a phone does (silence between utterances), through
an AudioSource with a 20 ms queue: with the SDK's default 1000 ms queue `capture_frame`
returns up to a second before the frame actually leaves, which would add that second to every
measured delay (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import numpy as np
from livekit import api, rtc
from livekit.agents import vad as agents_vad
from livekit.agents.voice.turn import _ENDPOINTING_DEFAULTS
from livekit.plugins import silero

from bench.common import machine, percentile, table
from core.migrations import apply_migrations
from core.settings import Settings
from tests.conftest import new_server_url
from tests.e2e.caller import AUDIO, FRAME_MS, TRANSCRIPTION_TOPIC, Caller
from tests.e2e.harness import (
    LIVEKIT_KEY,
    LIVEKIT_SECRET,
    LiveKitServer,
    Process,
    find_livekit_server,
    service_env,
    start_api,
    start_worker,
)

MODELS = "bench.voice_models:short_replies"
RATE = 16000
STEP = RATE * FRAME_MS // 1000  # samples per 20 ms microphone frame
WORKER_INPUT_RATE = 24000  # what livekit-agents' RoomIO resamples the caller's audio to
SILERO_WINDOW = 512 / 16000  # Silero decides once per 32 ms window
QUIET = 0.5  # no agent audio for this long: the agent has finished speaking
KEYS = ("rss_mb", "pss_mb", "uss_mb")
VOICED_LEVEL = 64  # a frame whose peak reaches this (-54 dBFS) has sound in it


# --- the caller -------------------------------------------------------------------------------


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
    with wave.open(str(AUDIO / name)) as wav:
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
    vad_decision: float  # Silero's END_OF_SPEECH after the last voiced frame, in audio time
    endpointing_min_delay: float  # livekit-agents' endpointing min_delay
    endpointing_extra: float  # what min_delay adds after END_OF_SPEECH

    @property
    def total(self) -> float:
        return self.vad_decision + self.endpointing_extra


async def configured_waits(frames: list[rtc.AudioFrame], vad_silence: float) -> Waits:
    """Run the worker's Silero VAD on the utterance, as the worker receives it.

    Same model and options as `agent.main.prewarm`, fed in 10 ms frames at 24 kHz as RoomIO
    delivers it, then silence. Silero ends the speech after ceil(min_silence / 32 ms) windows
    below its deactivation threshold; its smoothed probability stays above that threshold for a
    few windows after the sound stops, which adds to the wait.

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
    stream = silero.VAD.load(min_silence_duration=vad_silence).stream()
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
        raise RuntimeError("Silero never ended the utterance's speech")
    min_delay = float(_ENDPOINTING_DEFAULTS["min_delay"])
    return Waits(
        vad_silence=vad_silence,
        vad_decision=ended_at - speech_end,
        endpointing_min_delay=min_delay,
        endpointing_extra=max(0.0, min_delay - silence_duration),
    )


# --- processes, from /proc ------------------------------------------------------------------------


def tree(pid: int) -> dict[int, int]:
    """`pid` and every process under it, with its depth: the worker is 0, its forkserver 1,
    the job processes the forkserver forks (idle ones and one per call) 2."""
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(proc.name))
    found: dict[int, int] = {}
    todo = [(pid, 0)]
    while todo:
        current, depth = todo.pop()
        found[current] = depth
        todo.extend((child, depth + 1) for child in children.get(current, []))
    return found


def descendants(pid: int) -> list[int]:
    return list(tree(pid))


@dataclass(frozen=True)
class Footprint:
    rss_mb: float
    pss_mb: float  # shared pages divided among the processes that share them
    uss_mb: float  # pages no other process shares


@dataclass(frozen=True)
class Memory:
    """The worker's process tree: totals, and each job process (depth 2) on its own."""

    processes: int
    rss_mb: float
    pss_mb: float
    uss_mb: float
    jobs: dict[int, Footprint] = field(default_factory=dict)


def footprint(pid: int) -> Footprint | None:
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return None  # ended meanwhile
    kb = {"Rss": 0, "Pss": 0, "Private_Clean": 0, "Private_Dirty": 0}
    for line in lines:
        key, _, value = line.partition(":")
        if key in kb:
            kb[key] += int(value.split()[0])
    return Footprint(
        kb["Rss"] / 1024, kb["Pss"] / 1024, (kb["Private_Clean"] + kb["Private_Dirty"]) / 1024
    )


def memory(pid: int) -> Memory:
    found = {each: (depth, footprint(each)) for each, depth in tree(pid).items()}
    measured = [f for _, f in found.values() if f is not None]
    return Memory(
        processes=len(measured),
        rss_mb=sum(f.rss_mb for f in measured),
        pss_mb=sum(f.pss_mb for f in measured),
        uss_mb=sum(f.uss_mb for f in measured),
        jobs={each: f for each, (depth, f) in found.items() if depth >= 2 and f is not None},
    )


def cpu_seconds(pids: Sequence[int]) -> dict[int, float]:
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            found[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return found


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU ticks of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:8]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


class CpuWindow:
    """CPU used between `start()` and `stop()`, in cores: per group of processes, and the
    whole machine (whatever else runs on it included)."""

    def __init__(self, groups: dict[str, Callable[[], list[int]]]) -> None:
        self.groups = groups
        self.used: dict[str, float] = {}
        self.per_process: dict[str, dict[int, float]] = {}
        self.machine = 0.0

    def _read(self) -> dict[str, dict[int, float]]:
        return {name: cpu_seconds(pids()) for name, pids in self.groups.items()}

    def start(self) -> None:
        self._began, self._at, self._machine = self._read(), time.monotonic(), machine_busy()

    def stop(self) -> None:
        now, ended, (busy, total) = self._read(), time.monotonic(), machine_busy()
        elapsed = max(ended - self._at, 1e-9)
        for name, times in now.items():
            before = self._began[name]
            # A process that started meanwhile counts from zero; one that ended is lost.
            cores = {pid: (t - before.get(pid, 0.0)) / elapsed for pid, t in times.items()}
            self.per_process[name] = cores
            self.used[name] = sum(cores.values())
        share = (busy - self._machine[0]) / max(total - self._machine[1], 1)
        self.machine = share * (os.cpu_count() or 1)

    @property
    def others(self) -> float:
        """What the rest of the machine used meanwhile (other people's work, the kernel)."""
        return max(self.machine - sum(self.used.values()), 0.0)


# --- one concurrency level ----------------------------------------------------------------------


@dataclass
class CallResult:
    room: str = ""
    joined: bool = False
    delays: list[float] = field(default_factory=list)  # seconds, one per answered turn
    queued: list[float] = field(default_factory=list)  # source queue at the last voiced frame
    missed_turns: int = 0
    error: str = ""


@dataclass
class Level:
    calls: int
    results: list[CallResult]
    idle: Memory
    active: list[Memory]
    cpu: CpuWindow
    loop_lag: list[float]
    worker_turns: list[dict[str, object]]
    seconds: float
    refused: int  # job requests livekit-server could not place: the worker said it was full

    @property
    def delays(self) -> list[float]:
        return [d for r in self.results for d in r.delays]

    @property
    def joined_calls(self) -> int:
        return sum(1 for r in self.results if r.joined)

    @property
    def failed_calls(self) -> int:
        return sum(1 for r in self.results if not r.joined or r.error)

    @property
    def missed_turns(self) -> int:
        return sum(r.missed_turns for r in self.results)

    @property
    def active_memory(self) -> Memory:
        """The median of the samples taken while every call was in progress."""
        if not self.active:
            return self.idle
        return Memory(
            processes=round(statistics.median(m.processes for m in self.active)),
            rss_mb=statistics.median(m.rss_mb for m in self.active),
            pss_mb=statistics.median(m.pss_mb for m in self.active),
            uss_mb=statistics.median(m.uss_mb for m in self.active),
        )

    def call_footprint(self) -> Footprint | None:
        """The median job process serving a call: busy (> 0.03 cores) through the window."""
        cores = self.cpu.per_process.get("worker", {})
        busy: dict[int, list[Footprint]] = {}
        for sample in self.active:
            for pid, each in sample.jobs.items():
                if cores.get(pid, 0.0) > 0.03:
                    busy.setdefault(pid, []).append(each)
        if not busy:
            return None
        medians = [
            Footprint(*(statistics.median(getattr(f, k) for f in samples) for k in KEYS))
            for samples in busy.values()
        ]
        return Footprint(*(statistics.median(getattr(f, k) for f in medians) for k in KEYS))

    def worker_metric(self, key: str) -> list[float]:
        """A per-turn latency the worker logged itself (agent/metrics.py), for these calls."""
        return [float(v) for r in self.worker_turns if isinstance(v := r.get(key), int | float)]


class Gate:
    """Opens once every call of a level has been greeted or has failed."""

    def __init__(self, calls: int) -> None:
        self.waiting = calls
        self.open = asyncio.Event()

    def arrive(self) -> None:
        self.waiting -= 1
        if self.waiting <= 0:
            self.open.set()


async def one_call(
    api_base: str,
    utterance: list[rtc.AudioFrame],
    turns: int,
    queue_ms: int,
    greeted: Gate,
    rng: random.Random,
) -> CallResult:
    result = CallResult()
    caller = BenchCaller(queue_ms=queue_ms)
    arrived = False
    try:
        await caller.join(api_base)
        result.room = caller.room.name
        await until(lambda: caller.agent() is not None, "the agent to join", 30)
        result.joined = True
        await until(lambda: caller.agent_voiced_frames > 0, "the greeting", 30)
        await until(lambda: quiet(caller), "the greeting to end", 30)
        arrived = True
        greeted.arrive()
        await greeted.open.wait()
        for _ in range(turns):
            # A pause of silence between turns keeps the calls out of step with each other.
            await asyncio.sleep(rng.uniform(0.5, 1.5))
            spoken = await caller.speak(utterance)
            sent = spoken.last_voiced_end
            try:
                await until(heard_after(caller, sent), "the reply", 10)
            except TimeoutError:
                result.missed_turns += 1
                continue
            first = caller.first_agent_audio_after(sent)
            assert first is not None
            result.delays.append(first - sent)
            result.queued.append(spoken.queued)
            await until(lambda: quiet(caller), "the reply to end", 15)
    except Exception as error:  # a failed call is a result, not the end of the benchmark
        result.error = f"{type(error).__name__}: {error}"
    finally:
        if not arrived:
            greeted.arrive()  # the other calls must not wait for this one
        with contextlib.suppress(Exception):
            await caller.leave()
    return result


async def sample_memory(pid: int, into: list[Memory], stop: asyncio.Event) -> None:
    while not stop.is_set():
        into.append(await asyncio.to_thread(memory, pid))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=2.0)


async def measure_loop_lag(into: list[float], stop: asyncio.Event) -> None:
    """How late this process's event loop wakes up: the callers' timestamps are only as good."""
    while not stop.is_set():
        before = time.monotonic()
        await asyncio.sleep(0.01)
        into.append(time.monotonic() - before - 0.01)


def pid_of(process: Process) -> int:
    assert process.process is not None
    return process.process.pid


async def settle(worker: Process, processes: int, timeout: float = 60) -> None:
    """Wait until the worker's process tree is back to `processes` (the calls' jobs exited)."""
    deadline = time.monotonic() + timeout
    while memory(pid_of(worker)).processes > processes and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    await asyncio.sleep(3.0)  # let the CPU load the worker reports (a 2.5 s average) fall again


def refusals(livekit: Process) -> int:
    return livekit.output().count("failed to send job request")


async def quiet_machine(limit: float, patience: float) -> float:
    """Wait (up to `patience` s) until the machine's other work uses below `limit` cores over
    5 s: other people's tests on the same 2 cores would be measured as the worker's slowness."""
    deadline = time.monotonic() + patience
    while True:
        before = machine_busy()
        await asyncio.sleep(5)
        after = machine_busy()
        busy = (after[0] - before[0]) / max(after[1] - before[1], 1) * (os.cpu_count() or 1)
        if busy < limit or time.monotonic() > deadline:
            return busy
        print(f"machine busy ({busy:.2f} cores used by others), waiting", file=sys.stderr)


async def run_level(
    calls: int,
    *,
    api_base: str,
    worker: Process,
    livekit: Process,
    groups: dict[str, Callable[[], list[int]]],
    utterance: list[rtc.AudioFrame],
    args: argparse.Namespace,
) -> Level:
    if args.patience > 0:
        await quiet_machine(0.15, args.patience)
    idle = await asyncio.to_thread(memory, pid_of(worker))
    refused = refusals(livekit)
    greeted = Gate(calls)
    began = time.monotonic()
    tasks = []
    for index in range(calls):
        rng = random.Random(args.seed * 1000 + index)
        call = one_call(api_base, utterance, args.turns, args.queue_ms, greeted, rng)
        tasks.append(asyncio.create_task(call))
        # The worker refuses jobs while its CPU load is high: starting a job process is not free.
        await asyncio.sleep(args.stagger)
    # Measure from when every call has been greeted (or has failed).
    await greeted.open.wait()
    cpu = CpuWindow(groups)
    cpu.start()
    active: list[Memory] = []
    lag: list[float] = []
    stop = asyncio.Event()
    samplers = [
        asyncio.create_task(sample_memory(pid_of(worker), active, stop)),
        asyncio.create_task(measure_loop_lag(lag, stop)),
    ]
    results = list(await asyncio.gather(*tasks))
    cpu.stop()
    stop.set()
    await asyncio.gather(*samplers)
    rooms = {r.room for r in results}
    worker_turns = [
        record
        for record in worker.records()
        if record.get("message") == "turn" and record.get("session") in rooms
    ]
    return Level(
        calls=calls,
        results=results,
        idle=idle,
        active=active,
        cpu=cpu,
        loop_lag=lag,
        worker_turns=worker_turns,
        seconds=time.monotonic() - began,
        refused=refusals(livekit) - refused,
    )


# --- the report -----------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def spread(samples: Sequence[float]) -> str:
    """p50 / p95 / max in milliseconds."""
    if not samples:
        return "-"
    return " / ".join(
        ms(v) for v in (percentile(samples, 50), percentile(samples, 95), max(samples))
    )


def p50(samples: Sequence[float]) -> str:
    return ms(percentile(samples, 50)) if samples else "-"


def latency_table(levels: Sequence[Level], waits: Waits, transport: float) -> str:
    header = [
        "calls",
        "turns",
        "refused / failed calls / missed turns",
        "delay p50/p95/max",
        "minus VAD silence p50/p95/max",
        "minus all waits p50/p95/max",
        "minus waits and transport p50",
        "worker e2e_latency p50",
    ]
    rows = []
    for level in levels:
        delays = level.delays
        rows.append(
            [
                str(level.calls),
                str(len(delays)),
                f"{level.refused} / {level.failed_calls} / {level.missed_turns}",
                spread(delays),
                spread([d - waits.vad_silence for d in delays]),
                spread([d - waits.total for d in delays]),
                p50([d - waits.total - transport for d in delays]),
                p50(level.worker_metric("e2e_latency")),
            ]
        )
    return table(header, rows)


def resource_table(levels: Sequence[Level]) -> str:
    header = [
        "calls",
        "worker processes",
        "worker RSS MB",
        "(active - idle) / call: RSS / PSS / USS MB",
        "one call's job process: RSS / PSS / USS MB",
        "worker cores / call",
        "CPU cores: worker / livekit / callers / others",
        "callers' loop lag p95 ms",
    ]
    rows = []
    for level in levels:
        active, idle, used = level.active_memory, level.idle, level.cpu.used
        n = max(level.joined_calls, 1)  # calls with a job process of their own
        one = level.call_footprint()
        rows.append(
            [
                str(level.calls) + (f" ({n} joined)" if n != level.calls else ""),
                f"{idle.processes} -> {active.processes}",
                f"{idle.rss_mb:.0f} -> {active.rss_mb:.0f}",
                f"{(active.rss_mb - idle.rss_mb) / n:.0f} / {(active.pss_mb - idle.pss_mb) / n:.0f}"
                f" / {(active.uss_mb - idle.uss_mb) / n:.0f}",
                f"{one.rss_mb:.0f} / {one.pss_mb:.0f} / {one.uss_mb:.0f}" if one else "-",
                f"{used['worker'] / n:.3f}",
                f"{used['worker']:.2f} / {used['livekit']:.2f} / {used['callers']:.2f} / "
                f"{level.cpu.others:.2f}",
                ms(percentile(level.loop_lag, 95)) if level.loop_lag else "-",
            ]
        )
    return table(header, rows)


def verdict(levels: Sequence[Level], waits: Waits) -> list[str]:
    if not levels or not levels[0].delays:
        return ["no baseline: the first level measured nothing"]
    lines = []
    for name, subtract in (
        ("minus VAD silence", waits.vad_silence),
        ("minus all waits", waits.total),
    ):
        base = percentile([d - subtract for d in levels[0].delays], 50)
        sustained, stopped = levels[0].calls, ""
        for level in levels[1:]:
            if level.failed_calls or not level.delays:
                stopped = (
                    f"; at {level.calls} calls {level.failed_calls} failed ({level.refused} "
                    f"refused by the worker), the {level.joined_calls} it took had p50 "
                    f"{p50([d - subtract for d in level.delays])} ms"
                )
                break
            p = percentile([d - subtract for d in level.delays], 50)
            if p >= 2 * base:
                stopped = f"; doubled at {level.calls} calls (p50 {ms(p)} ms)"
                break
            sustained = level.calls
        lines.append(
            f"overhead {name}: {ms(base)} ms p50 with {levels[0].calls} call(s); below double "
            f"up to {sustained} concurrent calls{stopped or '; never doubled'}"
        )
    return lines


def describe_waits(waits: Waits, utterance: str) -> list[str]:
    windows = math.ceil(waits.vad_silence / SILERO_WINDOW - 1e-9)
    return [
        f"VAD min silence (VAD_MIN_SILENCE_SECONDS): {ms(waits.vad_silence)} ms; Silero counts it "
        f"in 32 ms windows: {windows} windows = {ms(windows * SILERO_WINDOW)} ms",
        f"Silero END_OF_SPEECH after the last voiced frame of {utterance} (offline, same model "
        f"and options, 24 kHz): {ms(waits.vad_decision)} ms",
        f"endpointing min_delay (livekit-agents default, turn_detection='vad'): "
        f"{ms(waits.endpointing_min_delay)} ms from the VAD's back-dated end of speech: "
        f"{ms(waits.endpointing_extra)} ms after END_OF_SPEECH",
        f"all configured waits: {ms(waits.total)} ms",
    ]


# --- the whole run --------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> None:
    binary = find_livekit_server()
    if binary is None:
        sys.exit("livekit-server is not installed: run scripts/setup-livekit")
    utterance = wav_frames(args.utterance)
    waits = await configured_waits(utterance, args.vad_silence)
    database = new_server_url()
    await apply_migrations(database)
    workdir = Path(tempfile.mkdtemp(prefix="receptionist-bench-voice-"))
    # livekit-server dispatches a job only to a worker whose reported CPU load is below its
    # agents.target_load (0.7 by default), whatever the worker's own threshold.
    livekit = LiveKitServer(binary, workdir, target_load=None if args.admission else 100.0)
    threshold = str(args.load_threshold) if args.admission else "inf"
    livekit.start()
    children: list[Process] = [livekit.child]
    try:
        # The transport alone, before any worker is there to join the room.
        if args.patience > 0:
            await quiet_machine(0.15, args.patience)
        inbound = await one_way_latency(livekit.url, utterance, args.loopback, continuous=True)
        outbound = await one_way_latency(livekit.url, utterance, args.loopback, continuous=False)
        env = service_env(
            database,
            livekit,
            SPEECH_MODELS_FACTORY=MODELS,
            TOKEN_RATE_LIMIT="100000/minute",  # every caller comes from 127.0.0.1
            VAD_MIN_SILENCE_SECONDS=str(args.vad_silence),
            # The harness turns it off for the tests; here it is what is measured.
            WORKER_LOAD_THRESHOLD=threshold,
            **dict(pair.split("=", 1) for pair in args.worker_env),
        )
        api_process, api_base = start_api(env, workdir)
        children.append(api_process)
        worker = start_worker(env, workdir)
        children.append(worker)
        groups: dict[str, Callable[[], list[int]]] = {
            "worker": lambda: descendants(pid_of(worker)),
            "livekit": lambda: [pid_of(livekit.child)],
            "callers": lambda: [os.getpid()],
            "api": lambda: [pid_of(api_process)],
        }
        # The job processes the worker keeps warm must be up before "idle" means anything.
        await asyncio.sleep(8)
        idle_processes = memory(pid_of(worker)).processes
        levels = await run_levels(
            args, api_base, worker, livekit.child, groups, utterance, waits, idle_processes
        )
    finally:
        for child in reversed(children):
            child.stop()
    print(f"logs: {workdir}")
    print("\n".join(describe_waits(waits, args.utterance)))
    transport = percentile(inbound, 50) + percentile(outbound, 50)
    print(
        f"one-way WebRTC audio latency, caller to caller through livekit-server, p50/p95/max ms "
        f"({args.loopback} utterances each): streaming like a caller {spread(inbound)}, "
        f"starting after a pause like the agent {spread(outbound)}; both ways "
        f"{ms(transport)} ms"
    )
    queued = [q for level in levels for r in level.results for q in r.queued]
    print(
        f"callers' AudioSource queue {args.queue_ms} ms (held {p50(queued)} ms p50 at the last "
        f"voiced frame); {args.turns} turns per call saying {args.utterance}; models {MODELS}"
    )
    print(
        f"worker: python -m agent start, WORKER_LOAD_THRESHOLD={threshold} (refuses "
        f"new calls while the machine's CPU load, a 2.5 s average, is at or above it)"
        + (f", {' '.join(args.worker_env)}" if args.worker_env else "")
        + ("" if args.admission else "; ADMISSION CONTROL OFF (livekit agents.target_load 100)")
    )
    print(f"load average at the end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    print("\nLatency, ms:\n")
    print(latency_table(levels, waits, transport))
    print("\nResources (idle -> with the calls in progress):\n")
    print(resource_table(levels))
    print()
    print("\n".join(verdict(levels, waits)))
    if args.json:
        document = {
            "waits": asdict(waits),
            "one_way_latency": {"streaming": inbound, "after_pause": outbound},
            "levels": [
                {
                    "calls": level.calls,
                    "delays": level.delays,
                    "idle": asdict(level.idle) | {"jobs": None},
                    "active": asdict(level.active_memory) | {"jobs": None},
                    "call_job_process": (
                        asdict(one) if (one := level.call_footprint()) is not None else None
                    ),
                    "cpu": level.cpu.used | {"others": level.cpu.others},
                    "worker_e2e_latency": level.worker_metric("e2e_latency"),
                    "errors": [r.error for r in level.results if r.error],
                }
                for level in levels
            ],
        }
        args.json.write_text(json.dumps(document, indent=2))


async def run_levels(
    args: argparse.Namespace,
    api_base: str,
    worker: Process,
    livekit: Process,
    groups: dict[str, Callable[[], list[int]]],
    utterance: list[rtc.AudioFrame],
    waits: Waits,
    idle_processes: int,
) -> list[Level]:
    levels: list[Level] = []
    started = time.monotonic()
    for calls in args.calls:
        if time.monotonic() - started > args.budget:
            print(f"time budget spent: skipping {calls} calls and more", file=sys.stderr)
            break
        level = await run_level(
            calls,
            api_base=api_base,
            worker=worker,
            livekit=livekit,
            groups=groups,
            utterance=utterance,
            args=args,
        )
        levels.append(level)
        overhead = [d - waits.vad_silence for d in level.delays]
        print(
            f"{calls} calls: {len(overhead)} turns, overhead minus VAD silence p50 "
            f"{p50(overhead)} ms, refused {level.refused}, failed calls {level.failed_calls}, "
            f"missed turns {level.missed_turns} ({level.seconds:.0f} s)",
            file=sys.stderr,
        )
        for result in level.results:
            if result.error:
                print(f"  {result.room or 'no room'}: {result.error}", file=sys.stderr)
        await settle(worker, idle_processes)
        base = [d - waits.vad_silence for d in levels[0].delays]
        if args.stop_at_double and len(levels) > 1 and base:
            doubled = overhead and percentile(overhead, 50) >= 2 * percentile(base, 50)
            if level.failed_calls or doubled:
                break
    return levels


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.voice",
        description="The voice pipeline's own answer delay and one worker's concurrency.",
    )
    parser.add_argument(
        "--calls",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1, 2, 4, 6, 8, 12, 16],
        help="concurrency levels, comma-separated (default 1,2,4,6,8,12,16)",
    )
    parser.add_argument("--turns", type=int, default=8, help="turns per call (default 8)")
    parser.add_argument(
        "--utterance", default="confirm.wav", help="fixture the callers say (tests/fixtures/audio)"
    )
    parser.add_argument(
        "--vad-silence",
        type=float,
        default=Settings.model_fields["vad_min_silence_seconds"].default,
        help="VAD_MIN_SILENCE_SECONDS for the worker (default: the product's)",
    )
    parser.add_argument(
        "--queue-ms", type=int, default=20, help="callers' AudioSource queue (default 20 ms)"
    )
    parser.add_argument(
        "--stagger", type=float, default=2.0, help="seconds between calls starting (default 2)"
    )
    parser.add_argument(
        "--loopback", type=int, default=10, help="caller-to-caller utterances (default 10)"
    )
    parser.add_argument(
        "--budget", type=float, default=480, help="start no new level after this many seconds"
    )
    parser.add_argument(
        "--no-stop", dest="stop_at_double", action="store_false",
        help="run every level, even after the overhead doubled or calls failed",
    )  # fmt: skip
    parser.add_argument(
        "--patience",
        type=float,
        default=120,
        help="before each level, wait up to this long for other work on the machine to stop",
    )
    parser.add_argument(
        "--load-threshold",
        type=float,
        default=Settings.model_fields["worker_load_threshold"].default,
        help="WORKER_LOAD_THRESHOLD: the worker refuses calls above this machine CPU load "
        "(default: the product's)",
    )
    parser.add_argument(
        "--no-admission",
        dest="admission",
        action="store_false",
        help="take every call whatever the CPU load: WORKER_LOAD_THRESHOLD=inf and "
        "livekit-server's agents.target_load 100",
    )
    parser.add_argument(
        "--worker-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="more environment for the API and worker, e.g. NUM_CPUS=8 (livekit-agents then "
        "computes its CPU load over 8 CPUs, so it refuses calls later)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print("\n".join(machine()))
    print(f"command: uv run python -m bench.voice {' '.join(sys.argv[1:])}".rstrip())
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
