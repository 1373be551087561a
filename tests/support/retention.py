"""Visits for the purge's tests (tests/db/test_retention.py, tests/api/test_privacy.py), dated
from the real today: the database's clock is the real one, and it refuses to anonymise a visit
not yet past."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import asyncpg

from core.db.reservations import ReservationStore
from core.models import Reservation
from core.restaurant import Restaurant
from tests.support.database import INSPECT
from tests.support.days import DINNER

NOW = datetime.now(UTC)


def days_ago(days: int, restaurant: Restaurant) -> date:
    return restaurant.local_now(NOW).date() - timedelta(days=days)


async def visit(store: ReservationStore, restaurant: Restaurant, day: date, n: int) -> Reservation:
    """A booking on a past day, written as the agent's booking was then (rules aside)."""
    return await store.book(
        code=f"{n:06d}",
        phone_number=f"+659820{n:04d}",
        name="Mei Ling",
        reservation_date=day,
        reservation_time=DINNER,
        party_size=2,
        other_info={"notes": "peanut allergy"},
        idempotency_key=f"room-{n}:key",
        session_id=f"room-{n}",
        status="confirmed",
        announce=False,
        dining=restaurant.booking.dining,
        capacity=restaurant.booking.capacity_covers,
    )


async def personal_data(pool: asyncpg.Pool, reservation: Reservation) -> asyncpg.Record:
    async with pool.acquire() as conn:
        row: asyncpg.Record = await INSPECT.personal_data_of(conn, id=reservation.id)
    return row
