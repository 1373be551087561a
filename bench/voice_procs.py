"""The worker's processes and the machine's CPU, read from /proc (Linux only)."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


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
