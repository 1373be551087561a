"""Fixtures shared by every test: a real PostgreSQL for this test run, and a fixed clock.

Fixtures and hooks only: the constants and helpers tests import are in tests/support/ (and, what
the benchmarks use too, in testkit/).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from core.db.call_log import CallLog
from core.db.call_records import CallRecords
from core.db.migrations import apply_migrations
from core.db.pool import create_pool
from core.db.proofs import ProofRecords
from core.db.reservations import ReservationStore
from core.restaurant import Restaurant, load_restaurant
from core.services.calls import CallService
from core.services.proofs import FailedProofs
from core.services.reservations import ReservationService
from core.settings import PROJECT_ROOT
from testkit.postgres import new_server_url
from testkit.redis import start_redis
from testkit.s3 import BUCKET, S3Server, start_s3
from tests.support.database import RESET_SQL
from tests.support.days import NOW
from tests.support.proofs import DEFAULT_LIMIT
from tests.support.restaurants import SAMPLE_RESTAURANT

# Markers follow the folder a test is in, so a new test file cannot forget its marker.
DIRECTORY_MARKERS = {
    "db": ("db",),
    "agent": ("db",),
    "api": ("db",),
    "e2e": ("db", "e2e"),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests = Path(__file__).parent
    for item in items:
        folder = item.path.relative_to(tests).parts[0]
        for marker in DIRECTORY_MARKERS.get(folder, ()):
            item.add_marker(marker)
        # The attack suite lives beside what each attack needs; `-m attack` runs all of it.
        if item.path.name.startswith("test_attack"):
            item.add_marker("attack")
        if "s3_server" in getattr(item, "fixturenames", ()):
            item.add_marker("shared_clock")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    # Never DATABASE_URL: the tests empty every table, so they get their own server unless a
    # disposable one is named explicitly.
    yield os.environ.get("TEST_DATABASE_URL") or new_server_url()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis for this test run (what several API processes share, docs/scaling.md)."""
    redis, url = start_redis(tmp_path_factory.mktemp("redis"), dict(os.environ))
    yield url
    redis.stop()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A real S3-compatible server for this test run, its bucket made (testkit/s3.py)."""
    server = start_s3(tmp_path_factory.mktemp("s3"), dict(os.environ))
    yield server
    server.stop()


@pytest.fixture
def recordings_bucket(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """RECORDINGS_BUCKET and its credentials set for this test, under a prefix of its own."""
    url = f"s3://{BUCKET}/test-{secrets.token_hex(4)}"
    for name, value in {
        **s3_server.env(),
        "RECORDINGS_BUCKET": url,
        "RECORDINGS_S3_ENDPOINT": s3_server.endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("RECORDINGS_DIR", raising=False)
    yield url


@pytest.fixture(scope="session")
async def migrated_url(database_url: str) -> str:
    await apply_migrations(database_url)
    return database_url


@pytest.fixture(scope="session")
async def pool(migrated_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(migrated_url, min_size=1, max_size=20, timeout=5)
    yield pool
    await pool.close()


@pytest.fixture
async def store(pool: asyncpg.Pool) -> ReservationStore:
    async with pool.acquire() as conn:
        await conn.execute(RESET_SQL)
    return ReservationStore(pool, timeout=5)


@pytest.fixture
def call_records(store: ReservationStore, pool: asyncpg.Pool) -> CallRecords:
    # After `store`, which empties the tables.
    return CallRecords(pool, timeout=5)


@pytest.fixture
def call_log(store: ReservationStore, pool: asyncpg.Pool) -> CallLog:
    # After `store`, which empties the tables.
    return CallLog(pool, timeout=5)


@pytest.fixture
def bad_restaurant(tmp_path: Path) -> Path:
    """The sample restaurant file with one mistake in it."""
    path = tmp_path / "restaurant.toml"
    path.write_text(SAMPLE_RESTAURANT.replace("capacity_covers = 40", 'capacity_covers = "lots"'))
    return path


@pytest.fixture(scope="session")
def restaurant() -> Restaurant:
    return load_restaurant(PROJECT_ROOT / "restaurant.toml")


@pytest.fixture
def service(store: ReservationStore, restaurant: Restaurant) -> ReservationService:
    return ReservationService(store, restaurant, clock=lambda: NOW)


@pytest.fixture
def calls(call_records: CallRecords) -> CallService:
    """The voice agent's: its escalations are announced to staff."""
    return CallService(call_records)


@pytest.fixture
def proofs(store: ReservationStore, pool: asyncpg.Pool) -> FailedProofs:
    # After `store`, which empties the tables; the default limit (5 within 24 hours).
    return FailedProofs(ProofRecords(pool, timeout=5), DEFAULT_LIMIT)
