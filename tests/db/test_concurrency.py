"""Many callers racing for the last seats: never overbooked, every loser told "slot taken"."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest

from core.db.pool import create_pool
from core.db.reservations import ReservationStore
from core.errors import BookingRejected, Reason
from core.restaurant import Restaurant
from core.services.reservations import ReservationService
from tests.support.days import DINNER, NOW, SATURDAY, book_regulars

RACERS = 60


@pytest.fixture
async def wide_service(
    store: ReservationStore, migrated_url: str, restaurant: Restaurant
) -> AsyncIterator[ReservationService]:
    # One connection per racer, so the database (not the pool) decides who wins.
    pool = await create_pool(migrated_url, min_size=RACERS, max_size=RACERS, timeout=10)
    yield ReservationService(ReservationStore(pool, timeout=10), restaurant, clock=lambda: NOW)
    await pool.close()


async def fill(service: ReservationService, covers: list[int]) -> None:
    await book_regulars(service, SATURDAY, DINNER, covers)


async def race(service: ReservationService, parties: list[int]) -> list[object]:
    async def one(i: int, party: int) -> object:
        return await service.create(
            phone_number=f"+659100{i:04d}",
            name="Racer",
            reservation_date=SATURDAY,
            reservation_time=DINNER,
            party_size=party,
            idempotency_key=f"racer-{i}",
        )

    return await asyncio.gather(
        *(one(i, party) for i, party in enumerate(parties)), return_exceptions=True
    )


async def booked_covers(service: ReservationService) -> int:
    page = await service.list_for_date(SATURDAY, page_size=200, status="confirmed")
    return sum(r.party_size for r in page.items)


async def test_exactly_the_seats_left_are_sold(wide_service: ReservationService) -> None:
    capacity = wide_service.restaurant.booking.capacity_covers
    await fill(wide_service, [10, 10, 10, 4])  # 6 seats left
    outcomes = await race(wide_service, [2] * RACERS)
    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    losers = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(winners) == 3
    assert len(losers) == RACERS - 3
    assert all(isinstance(o, BookingRejected) and o.reason == Reason.SLOT_TAKEN for o in losers)
    assert await booked_covers(wide_service) == capacity


async def test_mixed_parties_never_overbook(wide_service: ReservationService) -> None:
    capacity = wide_service.restaurant.booking.capacity_covers
    await fill(wide_service, [10, 10])
    parties = [random.Random(7).randint(1, 6) for _ in range(RACERS)]
    outcomes = await race(wide_service, parties)
    failed = [p for p, o in zip(parties, outcomes, strict=True) if isinstance(o, BaseException)]
    assert all(
        isinstance(o, BookingRejected) and o.reason == Reason.SLOT_TAKEN
        for o in outcomes
        if isinstance(o, BaseException)
    )
    booked = await booked_covers(wide_service)
    assert booked <= capacity
    # Seats only ever shrink, so every refused party was bigger than what is left at the end.
    assert failed and all(party > capacity - booked for party in failed)


async def test_a_tool_call_repeated_concurrently_books_once(
    wide_service: ReservationService,
) -> None:
    async def same_call() -> object:
        return await wide_service.create(
            phone_number="+6598207272",
            name="Repeat",
            reservation_date=SATURDAY,
            reservation_time=DINNER,
            party_size=2,
            idempotency_key="call-7:tool-1",
        )

    outcomes = await asyncio.gather(*(same_call() for _ in range(20)), return_exceptions=True)
    assert not [o for o in outcomes if isinstance(o, BaseException)]
    assert len({o.id for o in outcomes}) == 1  # type: ignore[attr-defined]
    assert await booked_covers(wide_service) == 2
