"""The real app (auth, validation, lifespan, migrations) in-process: its test key, a client of it
run through its lifespan, and the app delivering staff notices to a test's receiver."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager

from api.main import app
from core.settings import get_settings
from tests.support.database import INSPECT

API_KEY = "test-key-5f0c"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
# Staff notices delivered quickly, and bookings announced too (tests/api/test_staff_notices.py).
QUICK = {
    "STAFF_WEBHOOK_EVENTS": "reservation.created,reservation.cancelled",
    "STAFF_WEBHOOK_RETRY_SECONDS": "0.05",
    "STAFF_WEBHOOK_RETRY_MAX_SECONDS": "0.2",
    "STAFF_WEBHOOK_POLL_SECONDS": "0.05",
    "STAFF_WEBHOOK_TIMEOUT_SECONDS": "1",
}


@asynccontextmanager
async def served() -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app run through its lifespan, with the settings read afresh."""
    get_settings.cache_clear()
    try:
        # Generous: start-up checks the database, and this machine is shared and busy.
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                yield client
    finally:
        get_settings.cache_clear()


@asynccontextmanager
async def the_api_posting_to(url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """The real app, whose lifespan runs the delivery, configured as an operator would; once
    its start-up purge is done."""
    monkeypatch.setenv("STAFF_WEBHOOK_URL", url)
    for name, value in QUICK.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    # Generous: start-up checks the database, and this machine is shared and busy.
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60):
        # Each test clears the purge's claim, so each start purges, in the background. The
        # tests then book fixed days, which a clock moved far on (scripts/test-any-day) puts
        # past their retention: a purge still running would anonymise them mid-test.
        await until_purged()
        yield


async def until_purged(timeout: float = 60) -> None:
    database_url = get_settings().database_url
    assert database_url is not None
    conn = await asyncpg.connect(database_url)
    try:
        async with asyncio.timeout(timeout):
            while not await INSPECT.purged_since_reset(conn):
                await asyncio.sleep(0.05)
    finally:
        await conn.close()
