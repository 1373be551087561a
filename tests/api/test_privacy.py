"""Staff keys that rotate without downtime, and the daily purge the API process runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import httpx
import pytest

from core.db.reservations import ReservationStore
from core.keys import fingerprint
from core.restaurant import Restaurant
from tests.support.api import API_KEY, served
from tests.support.retention import NOW, personal_data, visit

NEW_KEY = "rotated-key-9a41"


@pytest.fixture
async def rotating(
    api_env: None, store: ReservationStore, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    """The API mid-rotation: the new key and the old one both valid."""
    monkeypatch.setenv("API_KEY", f" {NEW_KEY} , {API_KEY} ,")
    async with served() as client:
        yield client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_both_keys_work_during_a_rotation_and_the_log_names_each_by_fingerprint(
    rotating: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="api.access"):
        for key in (NEW_KEY, API_KEY):
            answer = await rotating.get("/api/analytics/handoffs", headers=bearer(key))
            assert answer.status_code == 200
        refused = await rotating.get("/api/analytics/handoffs", headers=bearer("not-a-key"))
    assert refused.status_code == 401
    records = [r for r in caplog.records if r.name == "api.access"]
    used = [getattr(r, "staff_key", None) for r in records]
    assert used == [fingerprint(NEW_KEY), fingerprint(API_KEY), None]
    text = caplog.text
    assert NEW_KEY not in text and API_KEY not in text


async def test_the_old_key_stops_working_once_it_is_removed(
    api_env: None, store: ReservationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_KEY", NEW_KEY)
    async with served() as client:
        assert (await client.get("/healthz")).status_code == 200
        old = await client.get("/api/analytics/handoffs", headers=bearer(API_KEY))
        new = await client.get("/api/analytics/handoffs", headers=bearer(NEW_KEY))
    assert (old.status_code, new.status_code) == (401, 200)


async def test_the_api_purges_old_personal_data_when_it_starts(
    api_env: None, store: ReservationStore, restaurant: Restaurant, pool: asyncpg.Pool
) -> None:
    old = await visit(store, restaurant, restaurant.local_now(NOW).date() - timedelta(days=400), 1)
    async with served() as client:
        # The purge runs in the background from start-up; wait for it, boundedly.
        async with asyncio.timeout(30):
            while (await personal_data(pool, old))["name"] is not None:
                await asyncio.sleep(0.05)
        day = old.reservation_date.isoformat()
        listed = await client.get(f"/api/reservations?date={day}", headers=bearer(API_KEY))
    # An anonymised visit is still listed, without who it was.
    assert listed.status_code == 200
    [row] = listed.json()["items"]
    assert (row["name"], row["phone_number"], row["party_size"]) == (None, None, 2)
