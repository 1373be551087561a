"""The capacity rule is written twice: `fits` in Python (to find and offer free times) and
covers_booked in the capacity-checked write (sql/migrations/0004). They must agree, or the
receptionist offers times the database refuses, or hides times it would take."""

from __future__ import annotations

from datetime import time

import asyncpg
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.db.reservations import ReservationStore
from core.errors import BookingRejected, Reason
from core.models import ReservationStatus
from core.restaurant import Restaurant
from core.rules.availability import fits, rule_violation, seating_times
from core.services.reservations import ReservationService
from tests.support.database import RESET_SQL
from tests.support.days import DINNER, NOW, SATURDAY

STATUSES: list[ReservationStatus] = ["confirmed", "seated", "cancelled", "no_show", "completed"]
# Large enough that every existing booking lands, whatever the rule under test would say.
ROOM_FOR_ALL = 10_000


async def write(
    store: ReservationStore,
    restaurant: Restaurant,
    number: int,
    at: time,
    party: int,
    capacity: int,
    status: ReservationStatus = "confirmed",
) -> bool:
    """Book through the capacity-checked write; whether the database took it."""
    try:
        await store.book(
            # Numbered, so codes and phones never collide (one confirmed booking per phone a day).
            code=f"{number:06d}",
            phone_number=f"+6590{number:06d}",
            name="Regular",
            reservation_date=SATURDAY,
            reservation_time=at,
            party_size=party,
            other_info={},
            idempotency_key=None,
            session_id=None,
            status=status,
            announce=False,
            dining=restaurant.booking.dining,
            capacity=capacity,
        )
    except BookingRejected as rejected:
        assert rejected.reason is Reason.SLOT_TAKEN
        return False
    return True


MINUTES_IN_A_DAY = 24 * 60


def clock(minutes: int) -> time:
    # Wrapped into the day: a late meal's far boundary is simply an early time of that date.
    minutes %= MINUTES_IN_A_DAY
    return time(minutes // 60, minutes % 60)


def minutes_after(at: time, minutes: int) -> time:
    return clock(at.hour * 60 + at.minute + minutes)


def candidate_times(
    slots: list[time], booked: list[time], dining_minutes: int
) -> st.SearchStrategy[time]:
    """Slots (what callers are offered), any minute of the day (the rule beyond slots), and
    the minutes either side of where a booked meal starts or ends to overlap (its boundary)."""
    any_minute = st.integers(0, MINUTES_IN_A_DAY - 1).map(clock)
    if not booked:
        return st.sampled_from(slots) | any_minute
    near_a_boundary = st.tuples(
        st.sampled_from(booked),
        st.sampled_from([-dining_minutes, -dining_minutes + 1, dining_minutes - 1, dining_minutes]),
    ).map(lambda pair: minutes_after(*pair))
    return st.sampled_from(slots) | any_minute | near_a_boundary


# pytest-asyncio 1.5 recognises an `async def` under @given (its AsyncHypothesisTest item) and
# runs every example's coroutine on the test's loop, here the session loop the pool was opened
# on; so the test is a plain async def, with no executor of our own. Function-scoped fixtures are
# set up once for all examples, hence the health check off and the reset at each example's start.
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
async def test_fits_agrees_with_the_capacity_checked_write(
    data: st.DataObject, pool: asyncpg.Pool, store: ReservationStore, restaurant: Restaurant
) -> None:
    # A small room and varied meal lengths make "full" common and move the overlap boundary.
    variant = restaurant.model_copy(
        update={
            "booking": restaurant.booking.model_copy(
                update={
                    "capacity_covers": data.draw(st.integers(1, 40), label="capacity"),
                    "dining_minutes": data.draw(st.integers(15, 240), label="dining_minutes"),
                }
            )
        }
    )
    slots = list(seating_times(variant, SATURDAY))
    assert slots, "Saturday is open, and no meal drawn outlasts its dinner service"
    max_party = variant.booking.max_party_size
    existing = data.draw(
        st.lists(
            st.tuples(st.sampled_from(slots), st.integers(1, max_party), st.sampled_from(STATUSES)),
            max_size=20,
        ),
        label="existing (time, party, status)",
    )
    at = data.draw(
        candidate_times(slots, [b[0] for b in existing], variant.booking.dining_minutes),
        label="candidate time",
    )
    party = data.draw(st.integers(1, max_party), label="candidate party")

    async with pool.acquire() as conn:
        await conn.execute(RESET_SQL)
    for number, (booked_at, booked_party, status) in enumerate(existing):
        # Seated guests hold their seats; both rules must ignore the covers of the others.
        written = "confirmed" if status == "cancelled" else status
        assert await write(store, variant, number, booked_at, booked_party, ROOM_FOR_ALL, written)
        if status == "cancelled":
            assert await store.cancel(code=f"{number:06d}", announce=False) is not None

    expected = fits(variant, await store.held_covers(SATURDAY), at, party)
    accepted = await write(
        store, variant, len(existing), at, party, variant.booking.capacity_covers
    )
    event("fits" if expected else "full")
    assert accepted == expected


async def test_a_start_a_fraction_of_a_second_past_a_slot_never_reaches_the_database(
    service: ReservationService, restaurant: Restaurant
) -> None:
    # fits counts whole minutes and covers_booked microseconds, so they would disagree on
    # 17:30:00.000001 beside a full 19:00 (found by the property test above); the rules stop
    # such a time before either is asked.
    for number in range(4):
        assert await write(service.store, restaurant, number, DINNER, 10, ROOM_FOR_ALL)
    at = time(17, 30, 0, 1)
    rejected = rule_violation(restaurant, SATURDAY, at, 2, NOW)
    assert rejected is not None and rejected.reason is Reason.NOT_ON_SLOT
    assert (await service.check_availability(SATURDAY, at, 2)).reason == Reason.NOT_ON_SLOT
    with pytest.raises(BookingRejected) as refused:
        await service.create(
            phone_number="+6598207272",
            name="Mei Ling",
            reservation_date=SATURDAY,
            reservation_time=at,
            party_size=2,
        )
    assert refused.value.reason is Reason.NOT_ON_SLOT
