"""The corpus through the VADs and the audio end-of-turn model offline, endpointing replayed.

Fast (about a minute) and exact about the audio, so it can sweep settings that a live run
(bench/turns/live.py, over WebRTC) then confirms. Each answer is fed to a VAD stream as the worker
receives it (24 kHz, after 0.5 s of silence; in 10 ms frames where RoomIO's are 50 ms, which moves
when the VAD decides, not what), and livekit-agents 1.8.9's endpointing (voice/audio_recognition.py)
is replayed on its events: at each END_OF_SPEECH a commit is due `delay` after the back-dated end of
speech (and never before the event), a START_OF_SPEECH before then cancels it, and the first commit
that stands ends the answer. With transcripts (pipeline mode, the zero-latency stand-in) the rules
of agent/turns/endpointing.py see the groups said by the END_OF_SPEECH; without (realtime mode) only
the kind asked for. With the audio EOT model, its prediction is made after 200 ms of silence on the
last 1.2 s of audio, and below its threshold the commit waits `max_delay` instead. Transport,
decoding and the models' own time are not in these figures: bench/turns/live.py measures them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from livekit import rtc
from livekit.agents import inference
from livekit.agents import vad as agents_vad
from livekit.local_inference import EOT, EOT_MAX_SAMPLES
from livekit.plugins import silero

from agent.turns.endpointing import TurnDelays, wait_for
from bench.turns.corpus import RATE, Utterance

WORKER_RATE = 24000  # RoomIO resamples the caller's audio to this
LEAD, TAIL = 0.5, 3.0  # seconds of silence before and after each answer
EOT_SILENCE = 0.2  # livekit asks the audio EOT model after this much silence
EOT_THRESHOLD_EN = 0.36  # v1-mini's "unlikely" threshold for English (inference/eot/languages.py)
REGION = "SG"
# The VAD dates the end of speech a little after the last sound; a word ending up to this long
# before that date counts as said.
SAID_SLACK = 0.08

Engine = Literal["native", "silero"]


@dataclass
class Heard:
    """One answer through one VAD: its events in audio seconds from the file's start."""

    ends: list[tuple[float, float]] = field(default_factory=list)  # (at, silence counted)
    starts: list[float] = field(default_factory=list)
    eot_asked: list[float] = field(default_factory=list)  # when a prediction would be made


@dataclass(frozen=True)
class Variant:
    name: str
    engine: Engine
    silence: float
    delays: TurnDelays
    expected: bool = True  # False: one fixed delay for every turn (main before issue 12)
    transcripts: bool = True  # pipeline mode; False: realtime mode
    eot: bool = False


@dataclass(frozen=True)
class Outcome:
    utterance: Utterance
    committed: float  # seconds from the file's start
    cut: bool  # committed before the answer's true end
    cut_in_pause: int | None  # which labelled pause the cut fell in


def worker_audio(utterance: Utterance) -> np.ndarray:
    """The answer with its lead and tail, resampled to 24 kHz as RoomIO delivers it."""
    pcm = bytes(int(LEAD * RATE) * 2) + utterance.pcm + bytes(int(TAIL * RATE) * 2)
    resampler = rtc.AudioResampler(RATE, WORKER_RATE, quality=rtc.AudioResamplerQuality.HIGH)
    frames = resampler.push(rtc.AudioFrame(pcm, RATE, 1, len(pcm) // 2)) + resampler.flush()
    return np.frombuffer(rtc.combine_audio_frames(frames).data, dtype=np.int16)


def load_vad(engine: Engine, silence: float) -> agents_vad.VAD:
    if engine == "silero":
        return silero.VAD.load(min_silence_duration=silence)
    return inference.VAD(min_silence_duration=silence)


async def hear(model: agents_vad.VAD, audio: np.ndarray) -> Heard:
    stream = model.stream()
    step = WORKER_RATE // 100
    for start in range(0, len(audio), step):
        chunk = audio[start : start + step]
        stream.push_frame(rtc.AudioFrame(chunk.tobytes(), WORKER_RATE, 1, len(chunk)))
    stream.end_input()
    heard, speaking, asked = Heard(), False, False
    async for event in stream:
        at = event.timestamp - LEAD
        if event.type == agents_vad.VADEventType.START_OF_SPEECH:
            heard.starts.append(at)
            speaking, asked = True, False
        elif event.type == agents_vad.VADEventType.END_OF_SPEECH:
            heard.ends.append((at, event.silence_duration))
            speaking = False
        elif speaking and not asked and event.raw_accumulated_silence >= EOT_SILENCE:
            heard.eot_asked.append(at)
            asked = True
    await stream.aclose()
    return heard


async def hear_all(
    engine: Engine, silence: float, corpus: list[Utterance], audio: dict[str, np.ndarray]
) -> tuple[dict[str, Heard], float]:
    """Every answer through one VAD; and its CPU time per second of audio."""
    model = load_vad(engine, silence)
    began = time.process_time()
    heard = {u.file: await hear(model, audio[u.file]) for u in corpus}
    seconds = sum(len(a) / WORKER_RATE for a in audio.values())
    return heard, (time.process_time() - began) / seconds


def eot_probabilities(corpus: list[Utterance], heard: dict[str, Heard]) -> dict[str, list[float]]:
    """v1-mini's P(turn ended) wherever livekit would ask it, per answer."""
    model = EOT()
    found = {}
    for u in corpus:
        samples = np.frombuffer(u.pcm, dtype=np.int16)
        found[u.file] = [
            float(
                model.predict(
                    samples[max(0, round(at * RATE) - EOT_MAX_SAMPLES) : round(at * RATE)]
                )
            )
            for at in heard[u.file].eot_asked
        ]
    return found


def replay(variant: Variant, u: Utterance, heard: Heard, eot: list[float] | None = None) -> Outcome:
    """livekit's endpointing over the VAD's events: the first commit that stands."""
    delays = variant.delays
    for at, silence in heard.ends:
        spoke_until = at - silence
        if not variant.expected:
            delay = delays.default
        else:
            # What a speech-to-text returns for the segment the VAD just ended.
            said = u.said_by(spoke_until + SAID_SLACK) if variant.transcripts else ""
            wait = wait_for(u.kind, said or None, region=REGION)
            delay = delays.of(wait.patience)
        if variant.eot and eot is not None:
            # The prediction made in this silence, if one was (a short one has none).
            asked = [p for p, t in zip(eot, heard.eot_asked, strict=True) if spoke_until <= t <= at]
            if asked and asked[-1] < EOT_THRESHOLD_EN:
                delay = max(delay, delays.patient)
        commit = max(at, spoke_until + delay)
        if any(at < start < commit for start in heard.starts):
            continue  # the caller went on: the pending end was cancelled
        cut = commit < u.end - 0.05
        # A cut belongs to the pause whose silence ended the turn (the commit itself may
        # land just after the caller resumed, before the VAD heard it).
        return Outcome(u, commit, cut, u.pause_at(spoke_until, slack=0.15) if cut else None)
    raise RuntimeError(f"{u.file}: the VAD never ended the answer")


async def run(
    corpus: list[Utterance], variants: list[Variant]
) -> tuple[dict[str, list[Outcome]], dict[str, float], dict[str, float]]:
    """Each variant's outcomes; each VAD's CPU per second of audio; EOT ms per prediction."""
    audio = {u.file: worker_audio(u) for u in corpus}
    heard_by: dict[tuple[Engine, float], dict[str, Heard]] = {}
    cpu: dict[str, float] = {}
    for variant in variants:
        key = (variant.engine, variant.silence)
        if key not in heard_by:
            heard_by[key], per_second = await hear_all(*key, corpus, audio)
            cpu[f"{variant.engine} {variant.silence}"] = per_second
    eot_cpu: dict[str, float] = {}
    eot: dict[tuple[Engine, float], dict[str, list[float]]] = {}
    for variant in variants:
        key = (variant.engine, variant.silence)
        if variant.eot and key not in eot:
            began = time.process_time()
            eot[key] = eot_probabilities(corpus, heard_by[key])
            count = max(sum(len(p) for p in eot[key].values()), 1)
            eot_cpu[f"{variant.engine} {variant.silence}"] = (time.process_time() - began) / count
    outcomes = {
        v.name: [
            replay(
                v,
                u,
                heard_by[(v.engine, v.silence)][u.file],
                eot.get((v.engine, v.silence), {}).get(u.file),
            )
            for u in corpus
        ]
        for v in variants
    }
    return outcomes, cpu, eot_cpu


def eot_separation(corpus: list[Utterance]) -> tuple[float, list[float], list[float]]:
    """v1-mini on the labels themselves, 200 ms into each pause and after each true end:
    the AUC of P(turn ended) between real ends and mid-answer pauses."""
    model = EOT()
    pauses: list[float] = []
    ends: list[float] = []
    for u in corpus:
        samples = np.frombuffer(u.pcm + bytes(RATE * 2), dtype=np.int16)
        pauses.extend(p_ended(model, samples, start + EOT_SILENCE) for start, _ in u.pauses)
        ends.append(p_ended(model, samples, u.end + EOT_SILENCE))
    pairs = [(e > q) + 0.5 * (e == q) for e in ends for q in pauses]
    return sum(pairs) / max(len(pairs), 1), pauses, ends


def p_ended(model: EOT, samples: np.ndarray, at: float) -> float:
    """P(turn ended) from the last 1.2 s of 16 kHz audio before `at`."""
    i = round(at * RATE)
    return float(model.predict(samples[max(0, i - EOT_MAX_SAMPLES) : i]))
