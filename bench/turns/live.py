"""bench.turns live: the corpus spoken over real WebRTC to the real worker, variant by variant.

Its own embedded PostgreSQL, livekit-server (the project's livekit.yaml on free ports) and API,
then for each variant ONE worker (`python -m agent start`, admission control off so that a
busy machine changes the figures rather than refusing calls) with `bench.turns.models`'s
stand-ins and the variant's settings, started, measured and stopped back to back. Each caller
(livekit Python SDK, a microphone streaming silence between answers through a 20 ms queue)
waits for a question, says the answer it asks for, and waits for the next question:

- a **cut-off** is a caller turn the worker committed before the answer's last words: the
  worker logs how many words each committed turn had ("turn taken"), and the oracle
  speech-to-text gives exactly the words said by the end of each VAD segment; the cut was in a
  labelled pause when that turn ended after a whole group;
- the **delay** runs from the end of the answer's last voiced frame leaving the caller's
  microphone source to the first voiced frame of the next question arriving (answers that
  were cut are left out).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.turns.corpus import Utterance, load
from bench.turns.models import FILES_ENV, TOPIC
from bench.voice.caller import BenchCaller, heard_after, one_way_latency, quiet, until
from bench.voice.levels import Gate, pid_of, quiet_machine, settle
from bench.voice.procs import CpuWindow, descendants, memory
from core.db.migrations import apply_migrations
from testkit.postgres import new_server_url
from testkit.stack import (
    LiveKitServer,
    Process,
    find_livekit_server,
    service_env,
    start_api,
    start_worker,
)

MODELS = "bench.turns.models:corpus_call"
# Every variant's worker settings on top of the product's defaults.
VARIANTS: dict[str, dict[str, str]] = {
    # main before issue 12: the Silero plugin at 0.55 s, livekit's fixed 0.5 s for every turn.
    "main": {
        "VAD_MODEL": "silero",
        "VAD_MIN_SILENCE_SECONDS": "0.55",
        **{f"TURN_{k}_SECONDS": "0.5" for k in ("QUICK", "DEFAULT", "PATIENT", "HOLD")},
    },
    "expected": {},  # the defaults: expected-answer endpointing, native VAD
    "expected-silero": {"VAD_MODEL": "silero"},
    "expected-0.2": {"VAD_MIN_SILENCE_SECONDS": "0.2", "TURN_QUICK_SECONDS": "0.2"},
    "audio-eot": {"TURN_DETECTOR": "audio-eot"},
}


@dataclass
class Answer:
    utterance: Utterance
    delay: float | None = None  # to the first audio of the reply; None: no reply in time
    turns: list[dict[str, object]] = field(default_factory=list)  # the worker's, for it

    @property
    def words(self) -> int:
        return len(self.utterance.transcript.split())

    @property
    def cut(self) -> bool:
        """The worker committed a turn before the answer's last words."""
        return bool(self.turns) and int(str(self.turns[0]["words"])) < self.words

    @property
    def cut_in_pause(self) -> bool:
        """...and that turn ended after a whole group, where a labelled pause begins."""
        ends, said = [], 0
        for group in self.utterance.groups[:-1]:
            said += len(group.text.split())
            ends.append(said)
        return self.cut and int(str(self.turns[0]["words"])) in ends


@dataclass
class CallResult:
    room: str = ""
    answers: list[Answer] = field(default_factory=list)
    error: str = ""


@dataclass
class Level:
    variant: str
    calls: int
    results: list[CallResult]
    cpu: CpuWindow
    seconds: float

    @property
    def answers(self) -> list[Answer]:
        return [a for r in self.results for a in r.answers]


async def one_call(
    api_base: str, order: list[Utterance], greeted: Gate, rng: random.Random
) -> CallResult:
    result = CallResult()
    caller = BenchCaller(queue_ms=20)
    arrived = False
    try:
        await caller.join(api_base)
        result.room = caller.room.name
        await until(lambda: caller.agent_voiced_frames > 0, "the first question", 30)
        await until(lambda: quiet(caller), "the first question to end", 30)
        arrived = True
        greeted.arrive()
        await greeted.open.wait()
        for utterance in order:
            await asyncio.sleep(rng.uniform(0.2, 0.6))  # keeps the calls out of step
            # The oracle speech-to-text needs to know what is said, and from when.
            schedule = {"file": utterance.file, "start": time.time() + 0.02}
            await caller.room.local_participant.publish_data(
                json.dumps(schedule), reliable=True, topic=TOPIC
            )
            spoken = await caller.speak(utterance.frames())
            answer = Answer(utterance)
            result.answers.append(answer)
            sent = spoken.last_voiced_end
            with contextlib.suppress(TimeoutError):
                await until(heard_after(caller, sent), "the next question", 10)
                first = caller.first_agent_audio_after(sent)
                answer.delay = None if first is None else first - sent
                await until(lambda: quiet(caller), "the next question to end", 15)
    except Exception as error:  # a failed call is a result, not the end of the benchmark
        result.error = f"{type(error).__name__}: {error}"
    finally:
        if not arrived:
            greeted.arrive()
        with contextlib.suppress(Exception):
            await caller.leave()
    return result


def attach_turns(results: Sequence[CallResult], worker: Process) -> None:
    """Give each answer the turns the worker committed for it, in order: the oracle transcribes
    exactly what was said, so an answer's turns are the next ones whose words add up to it."""
    records = [r for r in worker.records() if r.get("message") == "turn taken"]
    for result in results:
        mine = iter([r for r in records if r.get("session") == result.room])
        for answer in result.answers:
            heard = 0
            while heard < answer.words and (turn := next(mine, None)) is not None:
                answer.turns.append(turn)
                heard += int(str(turn["words"]))


async def run_level(
    variant: str,
    calls: int,
    api_base: str,
    worker: Process,
    order: list[Utterance],
    args: argparse.Namespace,
) -> Level:
    if args.patience > 0:
        await quiet_machine(0.15, args.patience)
    groups: dict[str, Callable[[], list[int]]] = {"worker": lambda: descendants(pid_of(worker))}
    greeted = Gate(calls)
    began = time.monotonic()
    tasks = []
    for index in range(calls):
        rng = random.Random(args.seed * 1000 + index)
        tasks.append(asyncio.create_task(one_call(api_base, order, greeted, rng)))
        await asyncio.sleep(args.stagger)
    await greeted.open.wait()
    cpu = CpuWindow(groups)
    cpu.start()
    results = list(await asyncio.gather(*tasks))
    cpu.stop()
    await asyncio.sleep(1.0)  # the last turns' log lines
    attach_turns(results, worker)
    return Level(variant, calls, results, cpu, time.monotonic() - began)


async def live(args: argparse.Namespace) -> None:
    from bench.turns.report import report

    binary = find_livekit_server()
    if binary is None:
        raise SystemExit("livekit-server is not installed: run scripts/setup-livekit")
    order = [u for u in load() if not args.files or u.file in args.files]
    database = new_server_url()
    await apply_migrations(database)
    workdir = Path(tempfile.mkdtemp(prefix="receptionist-bench-turns-"))
    livekit = LiveKitServer(binary, workdir, target_load=100.0)
    livekit.start()
    children: list[Process] = [livekit.child]
    levels: list[Level] = []
    try:
        if args.patience > 0:
            await quiet_machine(0.15, args.patience)
        probe = order[0].frames()
        inbound = await one_way_latency(livekit.url, probe, 10, continuous=True)
        outbound = await one_way_latency(livekit.url, probe, 10, continuous=False)
        base = dict(
            TOKEN_RATE_LIMIT="100000/minute",
            MAX_CONCURRENT_CALLS="10000",
            WORKER_LOAD_THRESHOLD="inf",
            **{FILES_ENV: ",".join(u.file for u in order)},
        )
        api, api_base = start_api(
            service_env(database, livekit.url, models=MODELS, **base), workdir, livekit.api_ports[0]
        )
        children.append(api)
        for variant in args.variants:
            env = service_env(database, livekit.url, models=MODELS, **base, **VARIANTS[variant])
            (workdir / variant).mkdir()
            worker = start_worker(env, workdir / variant)
            try:
                await asyncio.sleep(8)  # the warm job processes, before "idle" means anything
                idle = memory(pid_of(worker)).processes
                for calls in args.calls:
                    level = await run_level(variant, calls, api_base, worker, order, args)
                    levels.append(level)
                    await settle(worker, idle)
            finally:
                worker.stop()
    finally:
        for child in reversed(children):
            child.stop()
    print(f"logs: {workdir}")
    report(levels, order, inbound, outbound, args)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    def names(text: str) -> list[str]:
        found = text.split(",")
        if unknown := set(found) - set(VARIANTS):
            raise argparse.ArgumentTypeError(
                f"unknown variants {sorted(unknown)}; know {list(VARIANTS)}"
            )
        return found

    parser.add_argument(
        "--variants", type=names, default=["main", "expected"],
        help=f"worker settings to compare, back to back, from {', '.join(VARIANTS)}",
    )  # fmt: skip
    parser.add_argument(
        "--calls", type=lambda t: [int(n) for n in t.split(",")], default=[1, 4],
        help="concurrent calls per level, comma-separated (default 1,4)",
    )  # fmt: skip
    parser.add_argument(
        "--files", type=lambda t: set(t.split(",")), default=None,
        help="only these corpus files (default: all 63 answers)",
    )  # fmt: skip
    parser.add_argument("--stagger", type=float, default=2.0, help="seconds between calls starting")
    parser.add_argument(
        "--patience", type=float, default=60,
        help="before each level, wait up to this long for other work on the machine to stop",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the measurements here")
