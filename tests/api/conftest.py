"""Fixtures for the API tests: the real app in-process against the test database (its client is
tests/support/api.py), and services beside it on the real clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from api.main import app
from core.db.reservations import ReservationStore
from core.restaurant import Restaurant, load_restaurant
from core.services.reservations import ReservationService
from core.settings import get_settings
from tests.support.api import API_KEY, served
from tests.support.restaurants import midday_restaurant
from tests.support.token import BASE_ENV, RunningApi, StartApi


@pytest.fixture(scope="session")
def api_env(migrated_url: str) -> Iterator[None]:
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", migrated_url)
    patch.setenv("API_KEY", API_KEY)
    get_settings.cache_clear()
    yield
    patch.undo()
    get_settings.cache_clear()


@pytest.fixture
async def client(api_env: None, store: ReservationStore) -> AsyncIterator[httpx.AsyncClient]:
    async with served() as client:
        yield client


@pytest.fixture
def start_api(api_env: None, store: object) -> StartApi:
    """Starts the app with BASE_ENV plus overrides, fresh settings and a fresh rate window."""

    @asynccontextmanager
    async def start(**env: str) -> AsyncIterator[RunningApi]:
        patch = pytest.MonkeyPatch()
        for name, value in (BASE_ENV | env).items():
            patch.setenv(name, value)
        get_settings.cache_clear()
        try:
            async with LifespanManager(app) as manager:
                yield RunningApi(manager.app)
        finally:
            patch.undo()
            get_settings.cache_clear()

    return start


@pytest.fixture
def live_service(store: ReservationStore, restaurant: Restaurant) -> ReservationService:
    """Books against the real clock, since the API answers "upcoming" by the real clock."""
    return ReservationService(store, restaurant)


@pytest.fixture
def midday_file(tmp_path: Path) -> Path:
    return midday_restaurant(tmp_path)


@pytest.fixture
async def midday_client(
    api_env: None, store: ReservationStore, midday_file: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    """The app serving a restaurant where it is midday now and every day is open."""
    monkeypatch.setenv("RESTAURANT_CONFIG", str(midday_file))
    async with served() as client:
        yield client


@pytest.fixture
def midday_service(store: ReservationStore, midday_file: Path) -> ReservationService:
    """The voice agent's service for that restaurant, on the real clock."""
    return ReservationService(store, load_restaurant(midday_file))
