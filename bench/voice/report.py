"""The benchmark's tables and verdict."""

from __future__ import annotations

import math
from collections.abc import Sequence

from bench.common import percentile, table, whole_ms
from bench.voice.caller import Waits
from bench.voice.levels import Level

SILERO_WINDOW = 512 / 16000  # Silero decides once per 32 ms window


def spread(samples: Sequence[float]) -> str:
    """p50 / p95 / max in milliseconds."""
    if not samples:
        return "-"
    return " / ".join(
        whole_ms(v) for v in (percentile(samples, 50), percentile(samples, 95), max(samples))
    )


def p50(samples: Sequence[float]) -> str:
    return whole_ms(percentile(samples, 50)) if samples else "-"


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
                whole_ms(percentile(level.loop_lag, 95)) if level.loop_lag else "-",
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
                stopped = f"; doubled at {level.calls} calls (p50 {whole_ms(p)} ms)"
                break
            sustained = level.calls
        lines.append(
            f"overhead {name}: {whole_ms(base)} ms p50 with {levels[0].calls} call(s); "
            f"below double up to {sustained} concurrent calls{stopped or '; never doubled'}"
        )
    return lines


def describe_waits(waits: Waits, utterance: str) -> list[str]:
    windows = math.ceil(waits.vad_silence / SILERO_WINDOW - 1e-9)
    return [
        f"VAD min silence (VAD_MIN_SILENCE_SECONDS): {whole_ms(waits.vad_silence)} ms; "
        f"the VAD counts it in 32 ms windows: {windows} windows = "
        f"{whole_ms(windows * SILERO_WINDOW)} ms",
        f"VAD END_OF_SPEECH after the last voiced frame of {utterance} (offline, same model "
        f"and options, 24 kHz): {whole_ms(waits.vad_decision)} ms",
        f"endpointing min_delay (TURN_DEFAULT_SECONDS: the stand-in's replies ask nothing): "
        f"{whole_ms(waits.endpointing_min_delay)} ms from the VAD's back-dated end of speech: "
        f"{whole_ms(waits.endpointing_extra)} ms after END_OF_SPEECH",
        f"all configured waits: {whole_ms(waits.total)} ms",
    ]
