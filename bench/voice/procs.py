"""The worker's processes and the machine's CPU, read from /proc (Linux only)."""

from __future__ import annotations

import contextlib
import os
import threading
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


def started_at(pid: int) -> float | None:
    """When `pid` started, on the `time.monotonic()` clock (on Linux both count from boot)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[19]) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU ticks of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:8]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


class CpuWindow:
    """CPU used between `start()` and `stop()`, in cores: per group of processes, and the
    whole machine (whatever else runs on it included).

    The groups are read every `every` seconds in a thread, not only at both ends: a call's job
    process exits when its call ends, and one that ended before `stop()` would otherwise be
    lost (at 4 calls, three of the four). Each process counts up to its last reading, so at
    most `every` seconds of it are missed; its cores are over the part of the window it was
    seen alive in, so a call shorter than the window is not diluted.
    """

    def __init__(self, groups: dict[str, Callable[[], list[int]]], every: float = 0.5) -> None:
        self.groups = groups
        self.every = every
        self.used: dict[str, float] = {}
        self.per_process: dict[str, dict[int, float]] = {}
        self.machine = 0.0
        self._first: dict[str, dict[int, tuple[float, float]]] = {}  # pid: (at, cpu seconds)
        self._last: dict[str, dict[int, tuple[float, float]]] = {}
        self._stopping = threading.Event()
        self._sampler: threading.Thread | None = None
        self._at = 0.0

    def _read(self) -> None:
        at = time.monotonic()
        for name, pids in self.groups.items():
            first, last = self._first.setdefault(name, {}), self._last.setdefault(name, {})
            found = pids()
            for pid, seconds in cpu_seconds(found).items():
                if pid not in first:
                    # One that started meanwhile counts from zero, and from its birth.
                    born = started_at(pid) if self._sampler is not None else None
                    first[pid] = (at, seconds) if born is None else (max(born, self._at), 0.0)
                last[pid] = (at, seconds)

    def _sample(self) -> None:
        while not self._stopping.wait(self.every):
            self._read()

    def start(self) -> None:
        self._at, self._machine = time.monotonic(), machine_busy()
        self._read()
        self._sampler = threading.Thread(target=self._sample, name="cpu-window", daemon=True)
        self._sampler.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._sampler is not None:
            self._sampler.join()
        self._read()
        ended, (busy, total) = time.monotonic(), machine_busy()
        elapsed = max(ended - self._at, 1e-9)
        for name, last in self._last.items():
            first = self._first[name]
            spent = {pid: seconds - first[pid][1] for pid, (_, seconds) in last.items()}
            self.used[name] = sum(spent.values()) / elapsed
            self.per_process[name] = {
                pid: spent[pid] / max(at - max(first[pid][0], self._at), self.every)
                for pid, (at, _) in last.items()
            }
        share = (busy - self._machine[0]) / max(total - self._machine[1], 1)
        self.machine = share * (os.cpu_count() or 1)

    @property
    def others(self) -> float:
        """What the rest of the machine used meanwhile (other people's work, the kernel)."""
        return max(self.machine - sum(self.used.values()), 0.0)
