"""The real app (auth, validation, lifespan, migrations) in-process against the test database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager

from api.main import app
from core.booking import ReservationService
from core.restaurant import Restaurant
from core.settings import get_settings
from core.store import Store

API_KEY = "test-key-5f0c"
AUTH = {"Authorization": f"Bearer {API_KEY}"}


@pytest.fixture(scope="session")
def api_env(migrated_url: str) -> Iterator[None]:
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", migrated_url)
    patch.setenv("API_KEY", API_KEY)
    get_settings.cache_clear()
    yield
    patch.undo()
    get_settings.cache_clear()


@asynccontextmanager
async def served() -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app run through its lifespan, with the settings read afresh."""
    get_settings.cache_clear()
    try:
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                yield client
    finally:
        get_settings.cache_clear()


@pytest.fixture
async def client(api_env: None, store: Store) -> AsyncIterator[httpx.AsyncClient]:
    async with served() as client:
        yield client


@pytest.fixture
def live_service(store: Store, restaurant: Restaurant) -> ReservationService:
    """Books against the real clock, since the API answers "upcoming" by the real clock."""
    return ReservationService(store, restaurant)
