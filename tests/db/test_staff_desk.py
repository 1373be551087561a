"""The staff desk against the real database: notices written with what they announce, seated
guests holding seats, status changes, walk-ins and callbacks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import asyncpg
import pytest

from core.db.desk import DeskStore
from core.db.reservations import ReservationStore
from core.errors import (
    AlreadyBooked,
    BookingRejected,
    IdempotencyKeyReused,
    IllegalTransition,
    Reason,
)
from core.models import Reservation, ReservationStatus, Urgency
from core.restaurant import Restaurant
from core.services.calls import CallService
from core.services.desk import StaffDesk
from core.services.reservations import ReservationService
from core.settings import Settings
from ops.cli import seed_database
from tests.support.database import INSPECT, outbox
from tests.support.days import DINNER, NOW, SATURDAY, TODAY

# Tuesday 24 November 2026 at 12:05 in Singapore: lunch is on (11:30-14:30).
LUNCHTIME = datetime(2026, 11, 24, 4, 5, tzinfo=UTC)
# The Saturday dinner, once it has begun.
SATURDAY_EVENING = datetime.combine(SATURDAY, time(11, 20), tzinfo=UTC)  # 19:20 in Singapore


def desk_at(
    store: ReservationStore, restaurant: Restaurant, pool: asyncpg.Pool, now: datetime
) -> StaffDesk:
    """The staff's desk as the API builds it, with its clock at `now`."""
    service = ReservationService(store, restaurant, clock=lambda: now, notify_staff=False)
    return StaffDesk(service, DeskStore(pool, timeout=5))


@pytest.fixture
def desk(store: ReservationStore, restaurant: Restaurant, pool: asyncpg.Pool) -> StaffDesk:
    return desk_at(store, restaurant, pool, NOW)


async def book(
    service: ReservationService, phone: str = "+6598207272", at: time = DINNER, party: int = 4
) -> Reservation:
    return await service.create(
        phone_number=phone,
        name="Mei Ling Tan",
        reservation_date=SATURDAY,
        reservation_time=at,
        party_size=party,
        idempotency_key=f"room-1:{phone}:{at}",
        session_id="room-1",
    )


# --- notices, written with the row they announce --------------------------------------------


async def test_the_agents_writes_leave_one_notice_each(
    service: ReservationService, calls: CallService, pool: asyncpg.Pool
) -> None:
    made = await book(service)
    again = await book(service)  # the model repeating its tool call
    assert again.id == made.id
    await service.cancel(made.confirmation_code)
    callback = await calls.create_escalation(
        name="Aisha",
        phone_number="+6591234567",
        reason="complaint",
        summary="Cold food.",
        urgency="high",
        session_id="room-2",
    )
    notices = await outbox(pool)
    assert [n["event_type"] for n in notices] == [
        "reservation.created",
        "reservation.cancelled",
        "escalation.created",
    ]
    assert {n["state"] for n in notices} == {"pending"}
    assert len({n["event_id"] for n in notices}) == 3
    created, cancelled, escalated = (n["subject"] for n in notices)
    assert (created["confirmation_code"], created["status"]) == (
        made.confirmation_code,
        "confirmed",
    )
    assert cancelled["status"] == "cancelled"
    assert (escalated["id"], escalated["urgency"]) == (callback.id, "high")


async def fill(service: ReservationService, at: time = DINNER) -> list[Reservation]:
    """Four tables of ten at `at`: the restaurant's 40 covers."""
    return [await book(service, f"+659000000{n}", at=at, party=10) for n in range(4)]


async def test_a_refused_booking_or_an_unknown_code_leaves_no_notice(
    service: ReservationService, pool: asyncpg.Pool
) -> None:
    await fill(service)
    with pytest.raises(BookingRejected):
        await book(service, "+6591111111", party=2)
    with pytest.raises(AlreadyBooked):
        await book(service, "+6590000000", at=time(12, 0), party=2)
    with pytest.raises(Exception, match="couldn't find"):
        await service.cancel("ZZZZZZ")
    assert [n["event_type"] for n in await outbox(pool)] == ["reservation.created"] * 4


async def test_staff_writes_announce_nothing(desk: StaffDesk, pool: asyncpg.Pool) -> None:
    made = await desk.book(
        phone_number="+6598207272",
        name="Mei Ling",
        party_size=2,
        when=(SATURDAY, DINNER),
        other_info={},
        idempotency_key=None,
    )
    await desk.set_status(made.confirmation_code, "cancelled")
    assert await outbox(pool) == []


# --- seats: seated guests hold them, the others free them ---------------------------------


@pytest.mark.parametrize(("status", "holds"), [("seated", True), ("completed", False)])
async def test_seated_guests_hold_their_seats(
    service: ReservationService,
    store: ReservationStore,
    restaurant: Restaurant,
    pool: asyncpg.Pool,
    status: str,
    holds: bool,
) -> None:
    evening = desk_at(store, restaurant, pool, SATURDAY_EVENING)
    for table in await fill(service):
        assert (await evening.set_status(table.confirmation_code, "seated")).status == "seated"
        if status == "completed":
            await evening.set_status(table.confirmation_code, "completed")
    # Asked on Tuesday for Saturday 20:00, while the 19:00 tables are taken until 20:30.
    check = await service.check_availability(SATURDAY, time(20, 0), 4)
    assert check.available is not holds
    if holds:
        with pytest.raises(BookingRejected):
            await book(service, "+6591111111", at=time(20, 0))
    else:
        await book(service, "+6591111111", at=time(20, 0))


@pytest.mark.parametrize("status", ["cancelled", "no_show"])
async def test_cancelled_and_no_show_free_their_covers(
    service: ReservationService,
    store: ReservationStore,
    restaurant: Restaurant,
    pool: asyncpg.Pool,
    status: ReservationStatus,
) -> None:
    evening = desk_at(store, restaurant, pool, SATURDAY_EVENING)
    made = await book(service, party=10)
    assert dict((await evening.occupancy(SATURDAY))[1].slots)[DINNER] == 10
    await evening.set_status(made.confirmation_code, status)
    assert dict((await evening.occupancy(SATURDAY))[1].slots)[DINNER] == 0


# --- status changes ------------------------------------------------------------------------


async def test_a_day_at_the_host_stand(
    service: ReservationService, store: ReservationStore, restaurant: Restaurant, pool: asyncpg.Pool
) -> None:
    evening = desk_at(store, restaurant, pool, SATURDAY_EVENING)
    early = await book(service, "+6591111111", at=time(18, 0), party=2)
    late = await book(service, "+6592222222", at=time(21, 0), party=2)
    assert (await evening.set_status(early.confirmation_code, "seated")).status == "seated"
    # Pressed twice, or on two tablets: nothing changes.
    assert (await evening.set_status(early.confirmation_code, "seated")).status == "seated"
    assert (await evening.set_status(early.confirmation_code, "completed")).status == "completed"
    with pytest.raises(IllegalTransition, match="once that time has passed"):
        await evening.set_status(late.confirmation_code, "no_show")
    with pytest.raises(IllegalTransition, match="is completed, so it can't be marked seated"):
        await evening.set_status(early.confirmation_code, "seated")
    occupied = dict((await evening.occupancy(SATURDAY))[1].slots)
    assert (occupied[time(18, 0)], occupied[time(21, 0)]) == (0, 2)


async def test_a_cancelled_booking_is_confirmed_again_only_ahead_and_with_seats_free(
    service: ReservationService,
    desk: StaffDesk,
    store: ReservationStore,
    restaurant: Restaurant,
    pool: asyncpg.Pool,
) -> None:
    made = await book(service, party=10)
    await desk.set_status(made.confirmation_code, "cancelled")
    assert (await desk.set_status(made.confirmation_code, "confirmed")).status == "confirmed"
    await desk.set_status(made.confirmation_code, "cancelled")
    await fill(service)  # its seats went meanwhile
    with pytest.raises(BookingRejected) as full:
        await desk.set_status(made.confirmation_code, "confirmed")
    assert full.value.reason is Reason.SLOT_TAKEN
    assert (await service.by_code(made.confirmation_code)).status == "cancelled"
    lunch = await book(service, at=time(12, 0), party=2)  # the same phone, lunch that day
    await service.cancel(lunch.confirmation_code)
    await book(service, at=time(12, 30), party=2)
    with pytest.raises(AlreadyBooked):
        await desk.set_status(lunch.confirmation_code, "confirmed")
    evening = desk_at(store, restaurant, pool, SATURDAY_EVENING + timedelta(hours=2))
    with pytest.raises(IllegalTransition, match="time has passed"):
        await evening.set_status(made.confirmation_code, "confirmed")


async def test_two_tablets_racing_leave_one_consistent_answer(
    service: ReservationService, store: ReservationStore, restaurant: Restaurant, pool: asyncpg.Pool
) -> None:
    evening = desk_at(store, restaurant, pool, SATURDAY_EVENING)
    for round_ in range(10):
        made = await book(service, f"+659111{round_:04d}", party=2)
        results = await asyncio.gather(
            evening.set_status(made.confirmation_code, "seated"),
            evening.set_status(made.confirmation_code, "no_show"),
            return_exceptions=True,
        )
        won = [r for r in results if isinstance(r, Reservation)]
        lost = [r for r in results if isinstance(r, BaseException)]
        assert len(won) == 1 and len(lost) == 1, results
        assert isinstance(lost[0], IllegalTransition)
        final = await service.by_code(made.confirmation_code)
        assert final.status == won[0].status


# --- walk-ins and bookings staff take -------------------------------------------------------


async def walk_in(
    desk: StaffDesk, phone: str, party: int, key: str | None = None, name: str = "Walk In"
) -> Reservation:
    return await desk.book(
        phone_number=phone,
        name=name,
        party_size=party,
        when=None,
        other_info={},
        idempotency_key=key,
    )


async def test_a_walk_in_is_seated_at_the_current_slot_and_books_once(
    store: ReservationStore, restaurant: Restaurant, pool: asyncpg.Pool
) -> None:
    lunch = desk_at(store, restaurant, pool, LUNCHTIME)
    first = await walk_in(lunch, "+6598207272", 3, "k-1")
    assert (first.reservation_date, first.reservation_time) == (TODAY, time(12, 0))
    assert first.status == "seated"
    assert (await walk_in(lunch, "+6598207272", 3, "k-1")).id == first.id
    with pytest.raises(IdempotencyKeyReused):
        await walk_in(lunch, "+6598207272", 5, "k-1")
    # Staff keys have their own space: the text of a call's key books anew.
    other = await walk_in(lunch, "+6591111111", 3, "room-1:x")
    assert other.id != first.id


async def test_a_walk_in_when_the_room_is_full_gets_the_nearest_times(
    store: ReservationStore, restaurant: Restaurant, pool: asyncpg.Pool
) -> None:
    lunch = desk_at(store, restaurant, pool, LUNCHTIME)
    for n in range(4):
        await walk_in(lunch, f"+659222222{n}", 10, name="Big Table")
    with pytest.raises(BookingRejected) as full:
        await walk_in(lunch, "+6598207272", 2)
    assert full.value.reason is Reason.SLOT_TAKEN
    assert full.value.alternatives  # later today or another day, booked ahead


# --- callbacks ------------------------------------------------------------------------------


async def test_callbacks_urgent_first_then_oldest_and_moved_on(
    calls: CallService, desk: StaffDesk, pool: asyncpg.Pool
) -> None:
    made = {}
    callbacks: list[tuple[str, Urgency]] = [
        ("Low", "low"),
        ("Old", "normal"),
        ("High", "high"),
        ("New", "normal"),
    ]
    for name, urgency in callbacks:
        made[name] = await calls.create_escalation(
            name=name, phone_number="+6591234567", reason="other", summary=".", urgency=urgency
        )
    async with pool.acquire() as conn:
        await INSPECT.age_escalation(conn, id=made["Old"].id, by=timedelta(hours=1))
    page = await desk.callbacks(["open"], page=1, page_size=10)
    assert [e.name for e in page.items] == ["High", "Old", "New", "Low"]
    assert page.total == 4
    started = await desk.move_callback(made["Old"].id, "in_progress", "Calling now.")
    assert (started.status, started.staff_note) == ("in_progress", "Calling now.")
    with pytest.raises(IllegalTransition, match="already in progress"):
        await desk.move_callback(made["Old"].id, "in_progress", None)
    done = await desk.move_callback(made["Old"].id, "resolved", None)
    assert (done.status, done.staff_note) == ("resolved", "Calling now.")  # a note is kept
    assert (await desk.move_callback(made["Low"].id, "resolved", "Spam.")).status == "resolved"
    with pytest.raises(IllegalTransition, match="can't be moved back to open"):
        await desk.move_callback(made["Low"].id, "open", None)
    open_now = await desk.callbacks(["open", "in_progress"], page=1, page_size=1)
    assert ([e.name for e in open_now.items], open_now.total) == (["High"], 2)


async def test_sample_data_announces_nothing(
    migrated_url: str, store: ReservationStore, pool: asyncpg.Pool
) -> None:
    # `receptionist seed` writes bookings "made in calls" and a callback: none is news to staff.
    settings = Settings(_env_file=None, database_url=migrated_url)
    assert await seed_database(settings, days=3) > 0
    assert await outbox(pool) == []
