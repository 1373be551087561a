"""What every benchmark shares: percentiles, plain-text tables, and the machine they ran on."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import subprocess
import time as time_module
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path


def percentile(samples: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (the `inclusive` method of `statistics.quantiles`)."""
    if len(samples) == 1:
        return samples[0]
    cuts = statistics.quantiles(samples, n=1000, method="inclusive")
    return cuts[round(pct * 10) - 1]


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table with aligned columns, readable in a terminal and pasteable."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "| " + " | ".join("-" * w for w in widths) + " |"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def whole_ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def p50_p95(samples: Sequence[float]) -> str:
    """ "p50 / p95" in whole milliseconds; "-" without samples."""
    if not samples:
        return "-"
    return f"{whole_ms(percentile(samples, 50))} / {whole_ms(percentile(samples, 95))}"


def machine() -> list[str]:
    """Where and when the figures were taken, to print beside them."""
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        head = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head = "unknown"
    return [
        f"date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"machine: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"load average {load_average()}",
        f"code: git {head}",
    ]


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def busy_warning(seconds: float = 2.0) -> str | None:
    """A warning when other processes keep the CPUs busy now: the figures would suffer.

    Samples /proc/stat (Linux) for `seconds`; the load average is no use here, it stays high on
    some virtual machines while the CPUs are idle.
    """

    def busy_and_total() -> tuple[int, int]:
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = ticks[3] + ticks[4]  # idle and iowait
        return sum(ticks) - idle, sum(ticks)

    try:
        busy_before, total_before = busy_and_total()
        time_module.sleep(seconds)
        busy_after, total_after = busy_and_total()
    except (OSError, ValueError, IndexError):
        return None
    share = (busy_after - busy_before) / max(1, total_after - total_before)
    if share > 0.15:
        return (
            f"warning: the CPUs were {share:.0%} busy before the run; other processes share "
            "them, so latencies and throughput will be worse than on a quiet machine"
        )
    return None
