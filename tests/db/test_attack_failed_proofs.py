"""Failed proofs are counted per booking across calls, within a window, and purged like
handoffs (the calls that make them: tests/agent/test_attack_identity.py)."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from core.db.call_records import CallRecords
from core.models import Reservation
from core.restaurant import Restaurant
from core.services.proofs import FailedProofs
from core.services.reservations import ReservationService
from core.services.retention import purge_personal_data
from tests.support.days import DINNER, next_weekday
from tests.support.proofs import DEFAULT_LIMIT, age_failed_proofs, failed_proofs
from tests.support.retention import NOW

VICTIM = "+6598207272"


async def booking(
    service: ReservationService, phone: str = VICTIM, weekday: int = 5
) -> Reservation:
    return await service.create(
        phone_number=phone,
        name="Mei Ling Chua",
        reservation_date=next_weekday(weekday),
        reservation_time=DINNER,
        party_size=2,
    )


async def fail(proofs: FailedProofs, reservation: Reservation, times: int) -> None:
    for _ in range(times):
        await proofs.record([reservation])


async def test_the_limit_within_the_window_locks_the_number_only(
    service: ReservationService, proofs: FailedProofs
) -> None:
    mine, other = await booking(service), await booking(service, phone="+6581112222")
    await fail(proofs, mine, DEFAULT_LIMIT.failures - 1)
    assert not await proofs.locked(VICTIM)
    await fail(proofs, mine, 1)
    assert await proofs.locked(VICTIM)
    await fail(proofs, other, DEFAULT_LIMIT.failures - 1)
    assert not await proofs.locked("+6581112222")


async def test_failures_are_counted_per_booking(
    service: ReservationService, proofs: FailedProofs, pool: asyncpg.Pool
) -> None:
    friday, saturday = await booking(service, weekday=4), await booking(service)
    # One failed name against two bookings found by the number is one failure for each.
    for _ in range(DEFAULT_LIMIT.failures - 1):
        await proofs.record([friday, saturday])
    assert sorted(await failed_proofs(pool)) == sorted(
        [friday.id, saturday.id] * (DEFAULT_LIMIT.failures - 1)
    )
    assert not await proofs.locked(VICTIM)
    await fail(proofs, saturday, 1)
    assert await proofs.locked(VICTIM)


async def test_failures_older_than_the_window_no_longer_count(
    service: ReservationService, proofs: FailedProofs, pool: asyncpg.Pool
) -> None:
    mine = await booking(service)
    await fail(proofs, mine, DEFAULT_LIMIT.failures)
    assert await proofs.locked(VICTIM)
    await age_failed_proofs(pool, DEFAULT_LIMIT.window + timedelta(minutes=1))
    assert not await proofs.locked(VICTIM)
    await fail(proofs, mine, DEFAULT_LIMIT.failures - 1)
    assert not await proofs.locked(VICTIM)


async def test_the_purge_deletes_failed_proofs_as_old_as_handoffs(
    service: ReservationService,
    proofs: FailedProofs,
    call_records: CallRecords,
    restaurant: Restaurant,
    pool: asyncpg.Pool,
) -> None:
    mine = await booking(service)
    await fail(proofs, mine, 2)
    await age_failed_proofs(pool, timedelta(days=restaurant.retention.handoff_days, hours=1))
    await fail(proofs, mine, 1)
    purged = await purge_personal_data(call_records, restaurant, NOW)
    assert purged.failed_proofs == 2
    assert await failed_proofs(pool) == [mine.id]
    again = await purge_personal_data(call_records, restaurant, NOW)
    assert again.failed_proofs == 0
