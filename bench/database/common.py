"""What the database benchmarks share (create and lookup): a throwaway server and its CPU time,
SQLAlchemy's URL for it, and bookings spread over a window that all fit."""

from __future__ import annotations

import atexit
import contextlib
import os
import tempfile
from collections.abc import Iterator
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


async def postgres_version(dsn: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        v = conn.get_server_version()
        # From PostgreSQL 10 on, asyncpg reports 18.6 as major 18, minor 0, micro 6.
        return f"PostgreSQL {v.major}.{v.micro if v.major >= 10 else v.minor}"
    finally:
        await conn.close()
