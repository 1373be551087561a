"""The real app (auth, validation, lifespan, migrations) in-process: its test key and a client of
it run through its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager

from api.main import app
from core.settings import get_settings

API_KEY = "test-key-5f0c"
AUTH = {"Authorization": f"Bearer {API_KEY}"}


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
