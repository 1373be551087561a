"""Several API processes, one purge a day: one process runs it, the others skip it, and a process
killed half-way leaves it due for the next, with nothing half done (sql/migrations/0008)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import timedelta

import asyncpg

from core.db.call_records import CallRecords
from core.db.reservations import ReservationStore
from core.restaurant import Restaurant
from core.services.retention import PURGE_EVERY, purge_if_due
from core.settings import PROJECT_ROOT
from tests.support.database import INSPECT
from tests.support.retention import NOW, days_ago, personal_data, visit


async def until(check: asyncpg.Pool, query: str, pid: int, want: bool) -> None:
    async with asyncio.timeout(30):
        while True:
            async with check.acquire() as conn:
                if await getattr(INSPECT, query)(conn, pid=pid) == want:
                    return
            await asyncio.sleep(0.05)


async def test_processes_racing_purge_once_per_period(
    migrated_url: str,
    pool: asyncpg.Pool,
    store: ReservationStore,
    call_records: CallRecords,
    restaurant: Restaurant,
) -> None:
    old = await visit(store, restaurant, days_ago(400, restaurant), 1)
    # Four processes' pools, each looking at once.
    pools = [await asyncpg.create_pool(migrated_url, min_size=1, max_size=1) for _ in range(4)]
    try:
        looks = [
            purge_if_due(CallRecords(p, timeout=30), restaurant, NOW, once_every=PURGE_EVERY)
            for p in pools
        ]
        results = await asyncio.gather(*looks)
    finally:
        await asyncio.gather(*(p.close() for p in pools))
    done = [r for r in results if r is not None]
    assert len(done) == 1 and done[0].reservations == 1
    assert (await personal_data(pool, old))["name"] is None
    # Within the day nobody purges again; past it, one does.
    assert await purge_if_due(call_records, restaurant, NOW, once_every=PURGE_EVERY) is None
    again = await purge_if_due(call_records, restaurant, NOW, once_every=timedelta(0))
    assert again is not None


async def test_a_process_killed_half_way_leaves_the_purge_due_and_nothing_half_done(
    migrated_url: str,
    pool: asyncpg.Pool,
    store: ReservationStore,
    call_records: CallRecords,
    restaurant: Restaurant,
) -> None:
    old = await visit(store, restaurant, days_ago(400, restaurant), 1)
    older = await visit(store, restaurant, days_ago(500, restaurant), 2)
    env = dict(os.environ, DATABASE_URL=migrated_url)
    blocker = await pool.acquire()
    process = None
    try:
        # The test holds one old visit's row: the first process's purge claims the period,
        # then waits half-way, inside its transaction.
        block = blocker.transaction()
        await block.start()
        await INSPECT.lock_reservation(blocker, id=old.id)
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.purge_process"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        backend = int(await asyncio.to_thread(process.stdout.readline))
        await until(pool, "waiting_on_a_lock", backend, True)

        # Another process looks meanwhile: the purge is taken, so it skips it, without waiting.
        async with asyncio.timeout(10):
            skipped = await purge_if_due(call_records, restaurant, NOW, once_every=PURGE_EVERY)
        assert skipped is None

        # The first dies half-way; its backend notices once the lock is let go.
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        await block.rollback()
        await until(pool, "backend_alive", backend, False)
    finally:
        await pool.release(blocker)
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    # Nothing it did stayed (not even the other visit it had anonymised), and the purge is
    # still due: the next look, from any process, does it all.
    assert (await personal_data(pool, older))["name"] == "Mei Ling"
    purged = await purge_if_due(call_records, restaurant, NOW, once_every=PURGE_EVERY)
    assert purged is not None and purged.reservations == 2
    assert (await personal_data(pool, old))["name"] is None
