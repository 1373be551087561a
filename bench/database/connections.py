"""Benchmark: PostgreSQL connections held by concurrent calls, before and after the idle close.

    uv run --group bench python -m bench.database.connections   # --levels 1,10,50 --think 4

Starts a throwaway embedded PostgreSQL, applies the migrations, then runs N calls at once, as N
job processes would, each with its own pool made as the worker makes it, and each using the
database as a booking call does: the resumed-call look-up at its start, then, a think time apart
(the caller talking), an availability check, the booking and a handoff record. Meanwhile it
counts the server's client connections every 50 ms (pg_stat_activity, less its own).

- before: the pool each call opened until this change (min 1, max 2, connections kept);
- after: `agent.main.open_pool` (min 0, max 2, a connection closed after
  WORKER_DB_IDLE_SECONDS idle).

It also times each database step as the tool sees it (with the connect it may now include).
The voice pipeline is left out: connections depend on how a call uses the database, not on
the audio, and 50 real calls do not fit on a 2-core machine (bench/README.md, bench.voice).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time as clock
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from functools import partial

import asyncpg

from agent.main import open_pool
from bench.common import machine, percentile, table
from bench.database.common import Slot, phones, spread_bookings, start_server, window_start
from core.db.call_records import CallRecords
from core.db.migrations import apply_migrations
from core.db.pool import create_pool
from core.db.reservations import ReservationStore
from core.restaurant import Restaurant, load_restaurant
from core.services.calls import CallService
from core.services.reservations import ReservationService
from core.settings import PROJECT_ROOT, get_settings

TIMEOUT = 10.0
SAMPLE_EVERY = 0.05
# A call's database steps (each followed by a think time): its length is CALL_STEPS * think.
CALL_STEPS = 4
COUNT_CONNECTIONS = """
select count(*) from pg_stat_activity
where backend_type = 'client backend' and datname = current_database() and pid <> pg_backend_pid()
"""

PoolOpener = Callable[[], Awaitable[asyncpg.Pool]]


async def before(dsn: str) -> asyncpg.Pool:
    return await create_pool(dsn, min_size=1, max_size=2, timeout=TIMEOUT)


async def after(dsn: str) -> asyncpg.Pool:
    return await open_pool(get_settings())


async def one_call(
    n: int,
    opener: PoolOpener,
    restaurant: Restaurant,
    now: datetime,
    slot: Slot,
    phone: str,
    think: float,
    steps: list[float],
) -> None:
    pool = await opener()
    service = ReservationService(
        ReservationStore(pool, timeout=TIMEOUT), restaurant, clock=lambda: now
    )
    calls = CallService(CallRecords(pool, timeout=TIMEOUT))
    session = f"bench-call-{n}-{phone}"
    day, at, size = slot.day, slot.at, slot.party_size

    async def timed(step: Awaitable[object]) -> None:
        started = clock.perf_counter()
        await step
        steps.append(clock.perf_counter() - started)

    try:
        await timed(calls.store.call_history(session))
        await asyncio.sleep(think)
        await timed(service.check_availability(day, at, size))
        await asyncio.sleep(think)
        await timed(
            service.create(
                phone_number=phone,
                name="Bench Caller",
                reservation_date=day,
                reservation_time=at,
                party_size=size,
                idempotency_key=f"{session}:1",
                session_id=session,
            )
        )
        await asyncio.sleep(think)
        await timed(
            calls.record_handoff(
                session_id=session, from_agent="reservation", to_agent="greeter", entities={}
            )
        )
        await asyncio.sleep(think)
    finally:
        await pool.close()


async def call_slot(
    n: int,
    opener: PoolOpener,
    restaurant: Restaurant,
    now: datetime,
    slots: list[Slot],
    numbers: Iterator[str],
    think: float,
    until: float,
    steps: list[float],
) -> None:
    """One line of a switchboard: a first call joined at a random moment of a call's length
    (calls do not all start together), then call after call until `until`."""
    await asyncio.sleep(random.uniform(0, CALL_STEPS * think))
    while clock.monotonic() < until:
        slot = slots.pop()
        await one_call(n, opener, restaurant, now, slot, next(numbers), think, steps)


async def level(
    dsn: str,
    name: str,
    opener: PoolOpener,
    calls: int,
    think: float,
    duration: float,
    index: int,
    restaurant: Restaurant,
) -> list[str]:
    now = window_start(index)
    # Enough bookings that fit for every call the run can make.
    per_slot = int((CALL_STEPS * think + duration) / (CALL_STEPS * think)) + 2
    slots = spread_bookings(restaurant, now, calls * per_slot)
    numbers = phones(900 + index)
    samples: list[int] = []
    steps: list[float] = []
    counter = await asyncpg.connect(dsn)
    # Counted once every line has its first call under way.
    counting_from = clock.monotonic() + CALL_STEPS * think
    until = counting_from + duration
    try:
        task = asyncio.ensure_future(
            asyncio.gather(
                *(
                    call_slot(n, opener, restaurant, now, slots, numbers, think, until, steps)
                    for n in range(calls)
                )
            )
        )
        while not task.done():
            if counting_from <= clock.monotonic() <= until:
                samples.append(int(await counter.fetchval(COUNT_CONNECTIONS)))
            await asyncio.sleep(SAMPLE_EVERY)
        await task
    finally:
        await counter.close()
    ms = [s * 1000 for s in steps]
    return [
        name,
        str(calls),
        str(max(samples)),
        f"{statistics.fmean(samples):.1f}",
        f"{statistics.fmean(samples) / calls:.2f}",
        f"{percentile(ms, 50):.1f} / {percentile(ms, 95):.1f} / {max(ms):.1f}",
    ]


async def run(levels: list[int], think: float, duration: float) -> None:
    server = start_server()
    await apply_migrations(server.dsn)
    os.environ["DATABASE_URL"] = server.dsn
    restaurant = load_restaurant(PROJECT_ROOT / "restaurant.toml")
    idle = get_settings().worker_db_idle_seconds
    rows = []
    index = 0
    for name, design in (("before", before), ("after", after)):
        opener = partial(design, server.dsn)
        for calls in levels:
            index += 1
            rows.append(
                await level(server.dsn, name, opener, calls, think, duration, index, restaurant)
            )
    print("\n".join(machine()))
    print(
        f"think time between database steps: {think} s; counted over {duration} s at each level"
        f" once every line is in a call; WORKER_DB_IDLE_SECONDS={idle}"
    )
    header = [
        "pool",
        "calls",
        "connections max",
        "mean",
        "mean per call",
        "step ms p50 / p95 / max",
    ]
    print(table(header, rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,10,50")
    parser.add_argument("--think", type=float, default=4.0, help="seconds between steps")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds counted")
    args = parser.parse_args()
    asyncio.run(run([int(n) for n in args.levels.split(",")], args.think, args.duration))


if __name__ == "__main__":
    main()
