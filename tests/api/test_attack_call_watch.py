"""The call watch against failures it did not foresee: it keeps watching, and never keeps the
lead (a PostgreSQL advisory lock) once it has stopped, so another API process can take over.

Real failures: a LiveKit address that hangs up on every request (an error type the watch had no
handler for, which used to end it for good), and the database dropping the leader's
connection mid-cycle (`pg_terminate_backend`, as a restart or an idle-connection reaper would).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
import pytest
from livekit import api

from api.call_watch import CallWatch
from api.live_calls import LiveCalls
from core.db.pool import create_pool
from core.restaurant import Restaurant
from tests.support.database import INSPECT
from tests.support.dropping_server import dropping_server
from tests.support.token import LIVEKIT_KEY, LIVEKIT_SECRET

T = TypeVar("T")
# Each cycle is 2 s apart (api/call_watch.py); generous for a busy machine.
WAIT = 30.0


async def eventually(probe: Callable[[], Awaitable[T]], ok: Callable[[T], bool], what: str) -> T:
    deadline = time.monotonic() + WAIT
    while not ok(value := await probe()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what} (last: {value!r})")
        await asyncio.sleep(0.1)
    return value


async def test_the_watch_outlives_every_failure_and_gives_up_the_lead_when_it_stops(
    migrated_url: str,
    pool: asyncpg.Pool,
    restaurant: Restaurant,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="api.call_watch")
    lock = f"test.call_watch {uuid.uuid4()}"

    async def leader() -> int | None:
        async with pool.acquire() as conn:
            pid: int | None = await INSPECT.call_watch_leader(conn, watch=lock)
            return pid

    watch_pool = await create_pool(migrated_url, min_size=1, max_size=3, timeout=5)
    async with dropping_server() as livekit_down:
        lkapi = api.LiveKitAPI(livekit_down.url, LIVEKIT_KEY, LIVEKIT_SECRET)
        watch = CallWatch(lkapi, "", restaurant, LiveCalls(limit=5), lock_name=lock)
        task = asyncio.create_task(watch.run(watch_pool))
        try:
            first = await eventually(leader, lambda pid: pid is not None, "the watch to lead")
            # LiveKit hangs up on every look: cycle after cycle, the watch goes on.
            await eventually(
                lambda: asyncio.sleep(0, livekit_down.dropped), lambda n: n >= 3, "three looks"
            )
            assert not task.done()

            # The database drops the leader's connection mid-cycle: the lead goes with it, and
            # the watch takes it again on a new connection.
            async with pool.acquire() as conn:
                assert await INSPECT.drop_connection(conn, pid=first)
            second = await eventually(
                leader, lambda pid: pid not in (None, first), "the watch to lead again"
            )
            looked = livekit_down.dropped
            await eventually(
                lambda: asyncio.sleep(0, livekit_down.dropped),
                lambda n: n >= looked + 2,
                "more looks after the drop",
            )
            assert not task.done() and await leader() == second
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await lkapi.aclose()
        # Stopped, it leads no more, though the pool its connection came from is still open.
        await eventually(leader, lambda pid: pid is None, "the lead to be given up")
        assert not watch_pool.is_closing()
        await watch_pool.close()

    messages = [(r.getMessage(), getattr(r, "error", None)) for r in caplog.records]
    assert ("call watch: cycle failed", "ServerDisconnectedError") in messages
    assert ("call watch paused: database unavailable", None) in messages
    # Without a listing, the count of calls is only what the API issued: nothing refused.
    assert watch.live.listed_at is None and watch.live.count() == 0
