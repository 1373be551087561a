"""Reservation operations against the real database, with the shipped restaurant file."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from core.errors import AlreadyBooked, BookingRejected, Reason, ReservationNotFound
from core.services.reservations import ReservationService
from core.spoken.codes import CODE_ALPHABET, normalize_confirmation_code
from tests.support.days import DINNER, NOW, SATURDAY, next_weekday


async def book(
    service: ReservationService,
    phone: str = "+6598207272",
    *,
    day: date = SATURDAY,
    at: time = DINNER,
    party: int = 4,
    key: str | None = None,
) -> object:
    return await service.create(
        phone_number=phone,
        name="Mei Ling Tan",
        reservation_date=day,
        reservation_time=at,
        party_size=party,
        other_info={"occasion": "birthday"},
        idempotency_key=key,
        session_id="room-1",
    )


async def test_create_stores_the_reservation_with_a_speakable_code(
    service: ReservationService,
) -> None:
    made = await book(service)
    stored = await service.by_code(made.confirmation_code)  # type: ignore[attr-defined]
    assert stored.phone_number == "+6598207272"
    assert stored.reservation_date == SATURDAY and stored.reservation_time == DINNER
    assert stored.party_size == 4 and stored.status == "confirmed"
    assert stored.other_info == {"occasion": "birthday"}
    assert len(stored.confirmation_code) == 6
    assert set(stored.confirmation_code) <= set(CODE_ALPHABET)
    assert not set("ILOU") & set(stored.confirmation_code)


async def test_same_idempotency_key_books_once(service: ReservationService) -> None:
    first = await book(service, key="call-1:tool-7")
    again = await book(service, key="call-1:tool-7")
    assert again == first
    page = await service.list_for_date(SATURDAY)
    assert page.total == 1


async def test_one_confirmed_booking_per_phone_per_day(service: ReservationService) -> None:
    made = await book(service)
    with pytest.raises(AlreadyBooked):
        await book(service, at=time(21, 0))
    # Another day is fine, and so is the same day once the first is cancelled.
    await book(service, day=SATURDAY + timedelta(days=1))
    await service.cancel(made.confirmation_code)  # type: ignore[attr-defined]
    rebooked = await book(service, at=time(21, 0))
    assert rebooked.reservation_time == time(21, 0)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("day", "at", "party", "reason"),
    [
        (next_weekday(0), DINNER, 2, Reason.CLOSED),  # Mondays
        (date(2026, 12, 25), DINNER, 2, Reason.CLOSED),  # a closed date on a Friday
        (SATURDAY, time(16, 0), 2, Reason.OUTSIDE_HOURS),  # between lunch and dinner
        (SATURDAY, time(22, 0), 2, Reason.OUTSIDE_HOURS),  # the meal would end after 23:00
        (SATURDAY, time(19, 10), 2, Reason.NOT_ON_SLOT),
        (NOW.date(), time(10, 0), 2, Reason.OUTSIDE_HOURS),
        (NOW.date() + timedelta(days=90), DINNER, 2, Reason.TOO_FAR_AHEAD),
        (SATURDAY, DINNER, 11, Reason.PARTY_TOO_LARGE),
        (SATURDAY, DINNER, 0, Reason.PARTY_TOO_SMALL),
    ],
)
async def test_rules_reject_with_a_reason(
    service: ReservationService, day: date, at: time, party: int, reason: Reason
) -> None:
    answer = await service.check_availability(day, at, party)
    assert not answer.available
    assert answer.reason == reason
    assert answer.message
    with pytest.raises(BookingRejected) as rejected:
        await book(service, day=day, at=at, party=max(party, 0))
    assert rejected.value.reason == reason
    assert (await service.list_for_date(day)).total == 0


async def test_past_and_too_soon_are_rejected_with_later_times(
    service: ReservationService,
) -> None:
    at_noon = ReservationService(
        service.store, service.restaurant, clock=lambda: NOW + timedelta(hours=2)
    )
    today = NOW.date()
    assert (await at_noon.check_availability(today - timedelta(days=1), DINNER, 2)).reason == (
        Reason.IN_PAST
    )
    past = await at_noon.check_availability(today, time(11, 30), 2)
    assert past.reason == Reason.IN_PAST
    soon = await at_noon.check_availability(today, time(12, 30), 2)
    assert soon.reason == Reason.TOO_SOON
    # An hour's notice: 13:00 is the first time still bookable for today's lunch.
    assert soon.alternatives[0] == datetime.combine(today, time(13, 0))


async def test_full_slot_offers_nearest_times_same_day_first(
    service: ReservationService,
) -> None:
    capacity = service.restaurant.booking.capacity_covers
    for i in range(capacity // 10):
        await book(service, f"+65912345{i:02d}", party=10)
    answer = await service.check_availability(SATURDAY, DINNER, 2)
    assert not answer.available and answer.reason == Reason.SLOT_TAKEN
    assert len(answer.alternatives) == 3
    # 90-minute meals: the nearest free times are at least 90 minutes away, on the same day.
    assert all(a.date() == SATURDAY for a in answer.alternatives)
    gaps = [abs(a - datetime.combine(SATURDAY, DINNER)) for a in answer.alternatives]
    assert gaps == sorted(gaps)
    assert min(gaps) == timedelta(minutes=90)
    for alternative in answer.alternatives:
        assert (await service.check_availability(SATURDAY, alternative.time(), 2)).available
    with pytest.raises(BookingRejected) as rejected:
        await book(service, "+6588887777", party=2)
    assert rejected.value.reason == Reason.SLOT_TAKEN
    assert rejected.value.alternatives == answer.alternatives


async def test_closed_day_offers_the_next_open_days(service: ReservationService) -> None:
    monday = next_weekday(0)
    answer = await service.check_availability(monday, DINNER, 2)
    assert answer.reason == Reason.CLOSED
    assert answer.alternatives and all(a.date() > monday for a in answer.alternatives)
    assert answer.alternatives[0] == datetime.combine(monday + timedelta(days=1), DINNER)


async def test_update_applies_the_same_rules(service: ReservationService) -> None:
    made = await book(service, party=4)
    code = made.confirmation_code  # type: ignore[attr-defined]
    moved = await service.update(code, reservation_time=time(20, 0), party_size=6)
    assert (moved.reservation_time, moved.party_size) == (time(20, 0), 6)
    assert moved.updated_at > moved.created_at
    with pytest.raises(BookingRejected) as rejected:
        await service.update(code, reservation_date=next_weekday(0))
    assert rejected.value.reason == Reason.CLOSED
    # Filling the rest of the evening leaves no room to grow the party.
    for i, party in enumerate([10, 10, 10, 4]):
        await book(service, f"+65912345{i:02d}", at=time(20, 0), party=party)
    with pytest.raises(BookingRejected) as full:
        await service.update(code, party_size=7)
    assert full.value.reason == Reason.SLOT_TAKEN
    # Its own covers do not count against it: staying at 6 or shrinking still works.
    assert (await service.update(code, party_size=6)).party_size == 6
    assert (await service.update(code, party_size=5)).party_size == 5
    notes = await service.update(code, other_info={"allergies": "peanuts"})
    assert notes.other_info == {"allergies": "peanuts"} and notes.party_size == 5


async def test_cancel_frees_the_seats(service: ReservationService) -> None:
    codes = [
        (await book(service, f"+65912345{i:02d}", party=10)).confirmation_code  # type: ignore[attr-defined]
        for i in range(4)
    ]
    assert not (await service.check_availability(SATURDAY, DINNER, 2)).available
    cancelled = await service.cancel(codes[0].lower())
    assert cancelled.status == "cancelled"
    assert (await service.check_availability(SATURDAY, DINNER, 10)).available
    with pytest.raises(ReservationNotFound):
        await service.cancel(codes[0])
    with pytest.raises(ReservationNotFound):
        await service.update(codes[0], party_size=2)


async def test_lookup_by_phone_lists_upcoming_confirmed_only(service: ReservationService) -> None:
    later = await book(service, day=SATURDAY + timedelta(days=7))
    sooner = await book(service, day=SATURDAY)
    cancelled = await book(service, day=SATURDAY + timedelta(days=1))
    await service.cancel(cancelled.confirmation_code)  # type: ignore[attr-defined]
    await book(service, "+6581234567")
    found = await service.upcoming_by_phone("+6598207272")
    assert [r.confirmation_code for r in found] == [
        sooner.confirmation_code,  # type: ignore[attr-defined]
        later.confirmation_code,  # type: ignore[attr-defined]
    ]


async def test_lookup_by_code_forgives_lookalikes(service: ReservationService) -> None:
    made = await book(service)
    code: str = made.confirmation_code  # type: ignore[attr-defined]
    spoken = code.lower().replace("0", "o").replace("1", "l")
    assert (await service.by_code(f"{spoken[:3]}-{spoken[3:]}")).id == made.id  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        normalize_confirmation_code("ABC")
    with pytest.raises(ReservationNotFound):
        await service.by_code("ZZZZZZ")


async def test_day_list_is_paginated_in_seating_order(service: ReservationService) -> None:
    times = [time(18, 0), time(21, 15), time(11, 0), time(12, 30), time(19, 0)]
    for i, at in enumerate(times):
        await book(service, f"+65912345{i:02d}", at=at, party=2)
    first = await service.list_for_date(SATURDAY, page=1, page_size=2)
    second = await service.list_for_date(SATURDAY, page=2, page_size=2)
    third = await service.list_for_date(SATURDAY, page=3, page_size=2)
    assert first.total == 5
    seen = [r.reservation_time for r in first.items + second.items + third.items]
    assert seen == sorted(times)
    assert len(third.items) == 1
