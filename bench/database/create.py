"""Benchmark: creating a reservation (rules, capacity check and insert), ours against the ORM.

    uv run python -m bench.database.create

Starts a throwaway embedded PostgreSQL, applies the migrations, then times every call of

- ours: `ReservationService.create` (the rules in Python, then one round trip to the
  `book_reservation` function of migration 0003), over an asyncpg pool;
- orm: `bench.database.orm.OrmReservations.create`, the same operation the common way with the
  SQLAlchemy 2 async ORM,

in three scenarios, side by side in the same run:

- sequential: one caller, a pool of one connection, bookings spread over a booking window so
  every one succeeds (and the same with an idempotency key, which costs ours a look-up first);
- contention: rounds of 50 callers booking the same evening slot at once, with a pool of 50
  connections (one per caller, so the database decides) and with the product's default pool of
  10; some get the seats, the rest `slot_taken` (with alternatives, as the agent would hear).

Each scenario books its own stretch of calendar (a fixed clock per scenario), so nothing is
cleaned up between them. Warm-up calls come first and are not timed.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time as clock
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Protocol

import asyncpg

from bench.common import busy_warning, load_average, machine, ms, percentile, table
from bench.database.common import (
    Server,
    bookable_days,
    phones,
    postgres_version,
    spread_bookings,
    sqlalchemy_url,
    start_server,
    window_start,
)
from bench.database.orm import OrmReservations, create_engine
from core.db.migrations import apply_migrations
from core.db.pool import create_pool
from core.db.reservations import ReservationStore
from core.errors import BookingRejected
from core.models import Reservation
from core.restaurant import Restaurant, load_restaurant
from core.services.reservations import ReservationService
from core.settings import PROJECT_ROOT, Settings

# The product's own bound on a database call (Settings.db_timeout_seconds).
TIMEOUT: float = Settings.model_fields["db_timeout_seconds"].default
DEFAULT_POOL: int = Settings.model_fields["db_pool_max_size"].default
EVENING = time(19, 0)


class Booker(Protocol):
    async def create(
        self,
        *,
        phone_number: str,
        name: str,
        reservation_date: date,
        reservation_time: time,
        party_size: int,
        other_info: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        session_id: str | None = None,
    ) -> Reservation: ...


Opener = Callable[[str, Restaurant, int, datetime], AbstractAsyncContextManager[Booker]]


@asynccontextmanager
async def ours(
    dsn: str, restaurant: Restaurant, pool_size: int, now: datetime
) -> AsyncIterator[Booker]:
    pool = await create_pool(dsn, min_size=pool_size, max_size=pool_size, timeout=TIMEOUT)
    try:
        yield ReservationService(
            ReservationStore(pool, timeout=TIMEOUT), restaurant, clock=lambda: now
        )
    finally:
        await pool.close()


@asynccontextmanager
async def orm(
    dsn: str, restaurant: Restaurant, pool_size: int, now: datetime
) -> AsyncIterator[Booker]:
    engine = create_engine(sqlalchemy_url(dsn), pool_size=pool_size)
    try:
        yield OrmReservations(engine, restaurant, clock=lambda: now)
    finally:
        await engine.dispose()


IMPLEMENTATIONS: dict[str, Opener] = {"ours": ours, "orm": orm}


@dataclass
class Result:
    implementation: str
    scenario: str
    samples: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    by_outcome: dict[str, list[float]] = field(default_factory=dict)
    rounds: list[float] = field(default_factory=list)
    # CPU seconds spent during the timed calls: this process (the callers and the Python side of
    # the implementation) and the PostgreSQL server.
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    def add(self, outcome: str, seconds: float) -> None:
        self.samples.append(seconds)
        self.outcomes[outcome] += 1
        self.by_outcome.setdefault(outcome, []).append(seconds)


async def sequential(
    booker: Booker,
    result: Result,
    restaurant: Restaurant,
    now: datetime,
    server: Server,
    *,
    n: int,
    warmup: int,
    with_key: bool,
) -> None:
    """One booking after another on one connection; every one must succeed."""
    plan = spread_bookings(restaurant, now, warmup + n)
    numbers = phones(9)
    client_cpu = server_cpu = 0.0
    for i, slot in enumerate(plan):
        if i == warmup:
            client_cpu, server_cpu = clock.process_time(), server.cpu_seconds()
        key = f"{result.implementation}:{result.scenario}:{i}" if with_key else None
        started = clock.perf_counter()
        await booker.create(
            phone_number=next(numbers),
            name="Bench Caller",
            reservation_date=slot.day,
            reservation_time=slot.at,
            party_size=slot.party_size,
            idempotency_key=key,
        )
        elapsed = clock.perf_counter() - started
        if i >= warmup:
            result.add("ok", elapsed)
    result.client_cpu = clock.process_time() - client_cpu
    result.server_cpu = server.cpu_seconds() - server_cpu


async def contention(
    booker: Booker,
    result: Result,
    restaurant: Restaurant,
    now: datetime,
    checker: ReservationService,
    server: Server,
    *,
    rounds: int,
    warmup: int,
    callers: int,
    seed: int,
) -> None:
    """Rounds of `callers` booking the same evening slot at once, each round a fresh day."""
    days = bookable_days(restaurant, now)
    if len(days) < warmup + rounds:
        raise SystemExit(f"at most {len(days) - warmup} rounds fit in one booking window")
    rng = random.Random(seed)
    capacity = restaurant.booking.capacity_covers

    async def one(day: date, i: int, party: int) -> tuple[str, float]:
        started = clock.perf_counter()
        try:
            await booker.create(
                phone_number=f"+659{i:07d}",
                name="Racer",
                reservation_date=day,
                reservation_time=EVENING,
                party_size=party,
            )
            outcome = "ok"
        except BookingRejected as rejected:
            outcome = rejected.reason.value
        except Exception as exc:  # counted, so one slow call does not end the run
            outcome = f"error:{type(exc).__name__}"
        return outcome, clock.perf_counter() - started

    for r, day in enumerate(days[: warmup + rounds]):
        parties = [rng.randint(1, 6) for _ in range(callers)]
        server_cpu = server.cpu_seconds()
        client_cpu = clock.process_time()
        started = clock.perf_counter()
        outcomes = await asyncio.gather(*(one(day, i, p) for i, p in enumerate(parties)))
        makespan = clock.perf_counter() - started
        client_cpu = clock.process_time() - client_cpu
        server_cpu = server.cpu_seconds() - server_cpu
        sold = sum(p for p, (o, _) in zip(parties, outcomes, strict=True) if o == "ok")
        page = await checker.list_for_date(day, page_size=200, status="confirmed")
        in_db = sum(b.party_size for b in page.items)
        if in_db != sold or in_db > capacity:
            raise SystemExit(
                f"{result.implementation}: round {r} sold {sold} covers, the database holds "
                f"{in_db}, capacity {capacity}: overbooked or lost writes"
            )
        if r >= warmup:
            result.rounds.append(makespan)
            result.client_cpu += client_cpu
            result.server_cpu += server_cpu
            for outcome, seconds in outcomes:
                result.add(outcome, seconds)


def report(results: Sequence[Result]) -> str:
    header = [
        "implementation",
        "scenario",
        "n",
        "p50 ms",
        "p99 ms",
        "max ms",
        "ok",
        "slot_taken",
        "CPU ms/call client+PG",
    ]
    rows = []
    for res in results:
        errors = sum(v for k, v in res.outcomes.items() if k.startswith("error"))
        rows.append(
            [
                res.implementation,
                res.scenario,
                str(len(res.samples)),
                ms(percentile(res.samples, 50)),
                ms(percentile(res.samples, 99)),
                ms(max(res.samples)),
                str(res.outcomes["ok"]),
                str(res.outcomes["slot_taken"]) + (f" (+{errors} errors)" if errors else ""),
                f"{ms(res.client_cpu / len(res.samples))} + "
                f"{ms(res.server_cpu / len(res.samples))}",
            ]
        )
    out = [table(header, rows)]

    by_name = {(r.implementation, r.scenario): r for r in results}
    ratio_rows = []
    for scenario in dict.fromkeys(r.scenario for r in results):
        mine, theirs = by_name.get(("ours", scenario)), by_name.get(("orm", scenario))
        if mine is None or theirs is None:
            continue
        ratio_rows.append(
            [
                scenario,
                f"{percentile(theirs.samples, 50) / percentile(mine.samples, 50):.2f}x",
                f"{percentile(theirs.samples, 99) / percentile(mine.samples, 99):.2f}x",
            ]
        )
    out += ["", "ORM time / our time (higher: ours faster)", ""]
    out.append(table(["scenario", "p50", "p99"], ratio_rows))

    detail_rows = []
    for res in results:
        if not res.rounds:
            continue
        for outcome, samples in sorted(res.by_outcome.items()):
            detail_rows.append(
                [
                    res.implementation,
                    res.scenario,
                    outcome,
                    str(len(samples)),
                    ms(percentile(samples, 50)),
                    ms(percentile(samples, 99)),
                ]
            )
        detail_rows.append(
            [
                res.implementation,
                res.scenario,
                "whole round",
                str(len(res.rounds)),
                ms(percentile(res.rounds, 50)),
                ms(max(res.rounds)),
            ]
        )
    if detail_rows:
        out += ["", "Contention by outcome ('whole round': all callers answered; last is max)", ""]
        out.append(
            table(["implementation", "scenario", "outcome", "n", "p50 ms", "p99 ms"], detail_rows)
        )
    return "\n".join(out)


async def run(args: argparse.Namespace, about: list[str]) -> list[Result]:
    server = await asyncio.to_thread(start_server)
    dsn = server.dsn
    await apply_migrations(dsn)
    about.append(f"database: {await postgres_version(dsn)} (embedded, default settings)")
    restaurant = load_restaurant(PROJECT_ROOT / "restaurant.toml")
    checker_pool: asyncpg.Pool = await create_pool(dsn, min_size=1, max_size=1, timeout=TIMEOUT)
    checker = ReservationService(ReservationStore(checker_pool, timeout=TIMEOUT), restaurant)
    results: list[Result] = []
    window = 0
    try:
        scenarios: list[tuple[str, int, bool | None]] = [
            ("sequential, pool 1", 1, False),
            ("sequential + idempotency key, pool 1", 1, True),
            (f"{args.callers} callers one slot, pool {args.callers}", args.callers, None),
            (f"{args.callers} callers one slot, pool {DEFAULT_POOL}", DEFAULT_POOL, None),
        ]
        for scenario, pool_size, with_key in scenarios:
            for name, opener in IMPLEMENTATIONS.items():
                now = window_start(window)
                window += 1
                result = Result(name, scenario)
                print(f"running {name}: {scenario} ...", file=sys.stderr, flush=True)
                async with opener(dsn, restaurant, pool_size, now) as booker:
                    if with_key is None:
                        await contention(
                            booker,
                            result,
                            restaurant,
                            now,
                            checker,
                            server,
                            rounds=args.rounds,
                            warmup=args.warmup_rounds,
                            callers=args.callers,
                            seed=args.seed,
                        )
                    else:
                        await sequential(
                            booker,
                            result,
                            restaurant,
                            now,
                            server,
                            n=args.n,
                            warmup=args.warmup,
                            with_key=with_key,
                        )
                results.append(result)
    finally:
        await checker_pool.close()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.database.create", description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="timed sequential bookings")
    parser.add_argument("--warmup", type=int, default=200, help="untimed sequential bookings")
    parser.add_argument("--rounds", type=int, default=20, help="timed contention rounds")
    parser.add_argument("--warmup-rounds", type=int, default=3, help="untimed rounds")
    parser.add_argument("--callers", type=int, default=50, help="callers per round")
    parser.add_argument("--seed", type=int, default=7, help="party sizes of the racers")
    parser.add_argument(
        "--loop", choices=["asyncio", "uvloop"], default="asyncio", help="event loop"
    )
    args = parser.parse_args(argv)
    if warning := busy_warning():
        print(warning, file=sys.stderr)
    about = machine()
    if args.loop == "uvloop":
        import uvloop

        results = uvloop.run(run(args, about))
    else:
        results = asyncio.run(run(args, about))
    about.append(f"event loop: {args.loop}; load average after: {load_average()}")
    print()
    print("\n".join(about))
    print()
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
