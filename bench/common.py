"""What both benchmarks share: a throwaway server, URLs, percentiles and plain-text tables."""

from __future__ import annotations

import atexit
import contextlib
import os
import platform
import statistics
import subprocess
import tempfile
import time as time_module
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import cycle
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url

from core.restaurant import Restaurant
from core.rules.availability import Booked, fits, rule_violation, seating_times
from ops.embedded_postgres import start_embedded_postgres


@dataclass(frozen=True, slots=True)
class Server:
    """A throwaway embedded PostgreSQL: its URL, and its data directory to find its processes."""

    dsn: str
    pgdata: Path

    def cpu_seconds(self) -> float:
        """CPU time used so far by this server's postmaster and its backends.

        Read from /proc (Linux): only this server's processes count, not other PostgreSQL
        servers that tests may be running on the machine at the same time.
        """
        postmaster = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        total = 0
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                # The parent pid is the second field after the command name in parentheses.
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if postmaster in (int(proc.name), ppid):
                    total += _on_cpu_ns(proc)
            except (OSError, IndexError, ValueError):
                continue  # the process ended while we looked
        return total / 1e9


def start_server() -> Server:
    """A fresh embedded PostgreSQL for this run, deleted when the process exits."""
    parent = Path(tempfile.mkdtemp(prefix="receptionist-bench-"))
    # Registered first, so it runs last: after the server has stopped and deleted its data.
    atexit.register(_remove_empty_dir, parent)
    pgdata = parent / "pgdata"
    dsn = start_embedded_postgres(pgdata, delete_on_exit=True)
    return Server(dsn=dsn, pgdata=pgdata)


def _remove_empty_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.rmdir()


def process_cpu_seconds(pid: int) -> float:
    """CPU time a running process has used so far, all its threads, from /proc (Linux).

    From `stat` (utime + stime, 10 ms ticks): unlike `schedstat`, it counts every thread of the
    process, such as the thread pool FastAPI runs sync dependencies in. Meant for a busy process
    over seconds, where the ticks are precise enough.
    """
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the command name: state, ppid, ...; utime and stime are fields 14 and 15 of stat.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _on_cpu_ns(proc: Path) -> int:
    # schedstat's first field is the precise time on CPU in nanoseconds (of the process's main
    # thread; PostgreSQL backends have no other); stat's utime and stime are in 10 ms ticks, too
    # coarse for backends that each run a fraction of a millisecond between two readings.
    return int((proc / "schedstat").read_text().split()[0])


def sqlalchemy_url(dsn: str) -> URL:
    """An asyncpg DSN as a SQLAlchemy `postgresql+asyncpg` URL.

    The embedded server listens on a Unix socket only (`postgresql://postgres:@/postgres?host=
    /tmp/...`); SQLAlchemy's asyncpg dialect passes the `host` query argument on to asyncpg, so
    only the driver name changes. An empty password is dropped rather than sent.
    """
    url = make_url(dsn).set(drivername="postgresql+asyncpg")
    if not url.password:
        url = url.set(password=None)
    return url


def window_start(index: int) -> datetime:
    """A fixed "now" for scenario `index`: each scenario books its own stretch of calendar.

    10:00 in Singapore on a Tuesday, 91 days apart, far from the real clock, so scenarios never
    share a day and runs are repeatable.
    """
    return datetime(2030, 1, 1, 2, 0, tzinfo=UTC) + timedelta(days=91 * index)


def bookable_days(restaurant: Restaurant, now: datetime) -> list[date]:
    """Open days from tomorrow to the end of the booking window."""
    today = restaurant.local_now(now).date()
    days = [today + timedelta(days=n) for n in range(1, restaurant.booking.max_days_ahead + 1)]
    return [d for d in days if restaurant.services_on(d)]


@dataclass(frozen=True, slots=True)
class Slot:
    day: date
    at: time
    party_size: int


def spread_bookings(restaurant: Restaurant, now: datetime, count: int) -> list[Slot]:
    """`count` bookings that all fit, spread round-robin over every slot of the window.

    Each is checked with the product's own rules and capacity arithmetic, so every one of them
    must succeed when made in order.
    """
    booked: dict[date, list[Booked]] = {}
    slots = [
        (day, at)
        for day in bookable_days(restaurant, now)
        for at in seating_times(restaurant, day)
        if rule_violation(restaurant, day, at, 2, now) is None
    ]
    plan: list[Slot] = []
    parties = cycle([2, 2, 4, 3, 2, 1, 5, 2, 6, 4])
    full_passes = 0
    while len(plan) < count:
        placed = False
        for day, at in slots:
            party = next(parties)
            day_booked = booked.setdefault(day, [])
            if fits(restaurant, day_booked, at, party):
                day_booked.append(Booked(at=at, covers=party))
                plan.append(Slot(day, at, party))
                placed = True
                if len(plan) == count:
                    break
        if not placed:
            full_passes += 1
            if full_passes > 10:
                raise RuntimeError(f"only {len(plan)} bookings fit in one window")
    return plan


def phones(prefix: int) -> Iterator[str]:
    """Distinct valid E.164 numbers, so no caller already holds a booking that day."""
    n = 0
    while True:
        yield f"+65{prefix}{n:07d}"
        n += 1


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


async def postgres_version(dsn: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        v = conn.get_server_version()
        # From PostgreSQL 10 on, asyncpg reports 18.6 as major 18, minor 0, micro 6.
        return f"PostgreSQL {v.major}.{v.micro if v.major >= 10 else v.minor}"
    finally:
        await conn.close()
