"""One API process's look at whether the purge is due, as a process of its own, so that a test
can kill it half-way: `python -m tests.support.purge_process` with DATABASE_URL set. It prints
its PostgreSQL backend's pid, then what it purged ("none" when another process had it)."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime

from core.db.call_records import CallRecords
from core.db.pool import create_pool
from core.restaurant import load_restaurant
from core.services.retention import PURGE_EVERY, purge_if_due
from core.settings import PROJECT_ROOT


async def main() -> None:
    pool = await create_pool(os.environ["DATABASE_URL"], min_size=1, max_size=1, timeout=30)
    async with pool.acquire() as conn:
        print(conn.get_server_pid(), flush=True)
    records = CallRecords(pool, timeout=30)
    restaurant = load_restaurant(PROJECT_ROOT / "restaurant.toml")
    purged = await purge_if_due(records, restaurant, datetime.now(UTC), once_every=PURGE_EVERY)
    print("none" if purged is None else purged.reservations, flush=True)
    await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
