"""How long the voice pipeline itself takes to answer, and how many calls one worker holds.

    uv run python -m bench.voice [--calls 1,2,4,6,8,12,16] [--turns 8]
    uv run python -m bench.voice --vad-silence 0.3 --calls 1      # when endpointing bites
    uv run python -m bench.voice --models local --calls 1,2 --turns 6   # local speech
    uv run python -m bench.voice --no-admission --stagger 4 --calls 1,8,10,12  # past the limit

Starts its own embedded PostgreSQL, livekit-server, the API and ONE voice worker (`start`
mode, the production defaults, WORKER_LOAD_THRESHOLD included) with the zero-time stand-in
models of `bench.voice.models`.
Then, for each concurrency level N, N callers (livekit Python SDK, real WebRTC, each in its
own room, so the worker runs one job process per call) wait for the greeting and take turns:
a pause, `confirm.wav`, silence. For every turn it measures, on the caller's clock,

    delay = first voiced audio frame of the agent's reply received
            - the moment the end of the caller's last voiced frame left its microphone source

and reports it minus the VAD silence (the pipeline's overhead as the issue defines it) and
minus every configured wait (the VAD's decision lag for this audio, measured offline on the
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
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from livekit import rtc

from bench.common import machine, percentile, whole_ms
from bench.voice.caller import Waits, configured_waits, one_way_latency, wav_frames
from bench.voice.levels import Level, pid_of, quiet_machine, run_level, settle
from bench.voice.procs import descendants, memory
from bench.voice.report import (
    describe_waits,
    latency_table,
    p50,
    resource_table,
    spread,
    verdict,
)
from core.db.migrations import apply_migrations
from core.settings import Settings
from testkit.postgres import new_server_url
from testkit.stack import (
    LiveKitServer,
    Process,
    find_livekit_server,
    service_env,
    start_api,
    start_worker,
)

MODELS = {
    "standins": ("bench.voice.models:short_replies", {}),
    # Local speech (agent/local_speech.py): what it adds to the delay and costs in CPU.
    "local": (
        "bench.voice.models:local_replies",
        {"SPEECH_MODE": "pipeline", "STT_PROVIDER": "local", "TTS_PROVIDER": "local"},
    ),
}


async def run(args: argparse.Namespace) -> None:
    binary = find_livekit_server()
    if binary is None:
        sys.exit("livekit-server is not installed: run scripts/setup-livekit")
    utterance = wav_frames(args.utterance)
    waits = await configured_waits(utterance, Settings(vad_min_silence_seconds=args.vad_silence))
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
            livekit.url,
            models=MODELS[args.models][0],
            **MODELS[args.models][1],
            TOKEN_RATE_LIMIT="100000/minute",  # every caller comes from 127.0.0.1
            MAX_CONCURRENT_CALLS="10000",  # the worker's limit is measured, not the API's cap
            VAD_MIN_SILENCE_SECONDS=str(args.vad_silence),
            # The tests' stacks turn it off; here it is what is measured.
            WORKER_LOAD_THRESHOLD=threshold,
            **dict(pair.split("=", 1) for pair in args.worker_env),
        )
        api_process, api_base = start_api(env, workdir, livekit.api_ports[0])
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
        f"{whole_ms(transport)} ms"
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
    parser.add_argument(
        "--models",
        choices=sorted(MODELS),
        default="standins",
        help="standins: zero-time models (default); local: the local Whisper and Piper",
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
