"""bench.turns live: the tables."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from agent.turns.endpointing import PATIENCE
from bench.common import p50_p95, percentile, table, whole_ms
from bench.turns.corpus import Utterance
from bench.turns.live import VARIANTS, Answer, Level


def worker_waits(answers: Sequence[Answer]) -> list[float]:
    """What the worker waited after the speech it heard last, for the turns it took."""
    return [
        float(str(t["end_of_turn_delay"]))
        for a in answers
        for t in a.turns[-1:]
        if "end_of_turn_delay" in t
    ]


def rows_for(level: Level) -> list[list[str]]:
    rows = []
    for kind in [*PATIENCE, None]:
        mine = [a for a in level.answers if kind is None or a.utterance.kind == kind]
        if not mine:
            continue
        cut = [a for a in mine if a.cut]
        in_pause = sum(a.cut_in_pause for a in cut)
        delays = [a.delay for a in mine if a.delay is not None and not a.cut]
        rows.append(
            [
                level.variant,
                str(level.calls),
                kind or "all",
                str(len(mine)),
                str(sum(len(a.utterance.pauses) for a in mine)),
                f"{len(cut)} ({in_pause} in a pause)",
                str(sum(a.delay is None for a in mine)),
                p50_p95(delays),
                p50_p95(worker_waits([a for a in mine if not a.cut])),
            ]
        )
    return rows


def by_pause_length(answers: Sequence[Answer]) -> str:
    buckets: dict[float, list[Answer]] = {}
    for a in answers:
        if a.utterance.kind in ("phone", "name") and a.utterance.pauses:
            longest = max(round(end - start, 1) for start, end in a.utterance.pauses)
            buckets.setdefault(longest, []).append(a)
    return ", ".join(
        f"{length:.1f} s: {sum(a.cut for a in found)}/{len(found)}"
        for length, found in sorted(buckets.items())
    )


def report(
    levels: Sequence[Level],
    order: Sequence[Utterance],
    inbound: Sequence[float],
    outbound: Sequence[float],
    args: argparse.Namespace,
) -> None:
    transport = percentile(inbound, 50)
    both = transport + percentile(outbound, 50)
    print(
        f"{len(order)} answers per call; one-way WebRTC audio p50 {whole_ms(transport)} ms "
        f"streaming, {whole_ms(percentile(outbound, 50))} ms after a pause "
        f"(both ways {whole_ms(both)} ms)"
    )
    for name in dict.fromkeys(level.variant for level in levels):
        settings = " ".join(f"{k}={v}" for k, v in VARIANTS[name].items())
        print(f"variant {name}: {settings or 'the defaults'}")
    header = [
        "variant", "calls", "kind", "answers", "pauses", "cut-offs", "no reply",
        "true end to reply audio p50 / p95 ms", "worker's endpointing wait p50 / p95 ms",
    ]  # fmt: skip
    rows = [row for level in levels for row in rows_for(level)]
    print(table(header, rows))
    print("\nanswers with a cut-off, numbers and names, by their longest pause:")
    for level in levels:
        print(f"  {level.variant}, {level.calls} calls: {by_pause_length(level.answers)}")
    print("\nworker CPU (its whole process tree, while the calls talked):")
    for level in levels:
        cores = level.cpu.used.get("worker", 0.0)
        # The busiest processes of the tree are the calls' job processes (the worker itself,
        # its forkserver and the warm spares idle along).
        busiest = sorted(level.cpu.per_process.get("worker", {}).values(), reverse=True)
        per_job = percentile(busiest[: level.calls], 50) if busiest else 0.0
        errors = [r.error for r in level.results if r.error]
        print(
            f"  {level.variant}, {level.calls} calls: {cores:.3f} cores, {cores / level.calls:.3f} "
            f"per call; a call's job process {per_job:.3f} cores (median); others on the machine "
            f"{level.cpu.others:.2f} cores; {level.seconds:.0f} s"
            + (f"; errors: {errors}" if errors else "")
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "variant": level.variant,
                        "calls": level.calls,
                        "cpu": level.cpu.used,
                        "cpu_per_process": sorted(
                            level.cpu.per_process.get("worker", {}).values(), reverse=True
                        ),
                        "answers": [
                            {
                                "file": a.utterance.file,
                                "kind": a.utterance.kind,
                                "delay": a.delay,
                                "cut": a.cut,
                                "turns": a.turns,
                            }
                            for a in level.answers
                        ],
                    }
                    for level in levels
                ],
                indent=1,
            )
        )
