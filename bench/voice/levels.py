"""One concurrency level: N callers at once, each taking turns with the agent."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from livekit import rtc

from bench.voice.caller import BenchCaller, heard_after, quiet, until
from bench.voice.procs import CpuWindow, Footprint, Memory, machine_busy, memory
from testkit.stack import Process

KEYS = ("rss_mb", "pss_mb", "uss_mb")


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
        """A per-turn latency the worker logged itself (agent/hooks/metrics.py), for these calls."""
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
