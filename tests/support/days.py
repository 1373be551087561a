"""The tests' clock and calendar: a fixed instant for tests of rules, and days picked by the
restaurant's own rules for tests that must book against the real clock, so a test means the same
thing whatever day and hour it runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from core.rules.availability import rule_violation
from core.services.reservations import ReservationService

# Tuesday 24 November 2026, 10:00 in Singapore: open today, closed on Mondays.
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
TODAY = NOW.date()


def next_weekday(weekday: int, after: date = TODAY) -> date:
    """The first date strictly after `after` that falls on `weekday` (Monday is 0)."""
    return after + timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


SATURDAY = next_weekday(5)
DINNER = time(19, 0)


def service_at(service: ReservationService, instant: datetime) -> ReservationService:
    """The same service and database with its clock at `instant`, for a call made later."""
    return ReservationService(service.store, service.restaurant, clock=lambda: instant)


async def book_regulars(
    service: ReservationService, day: date, at: time, parties: list[int]
) -> None:
    """Book these parties of regulars (each its own phone number) at `day` `at`, to fill it."""
    for index, party in enumerate(parties):
        await service.create(
            phone_number=f"+659000{index:04d}",
            name="Regular",
            reservation_date=day,
            reservation_time=at,
            party_size=party,
        )


# Tuesday 24 November 2026, 12:05 in Singapore: twenty minutes into a lunch booked for 11:45.
LUNCH_BEGUN = datetime(2026, 11, 24, 4, 5, tzinfo=UTC)


def first_day_that_seats(service: ReservationService, *times: time, party_size: int = 3) -> date:
    """The first day from tomorrow on which `party_size` guests may book at each of `times`."""
    now, restaurant = service.now(), service.restaurant
    tomorrow = restaurant.local_now(now).date() + timedelta(days=1)
    for ahead in range(restaurant.booking.max_days_ahead):
        day = tomorrow + timedelta(days=ahead)
        if all(rule_violation(restaurant, day, at, party_size, now) is None for at in times):
            return day
    raise AssertionError(f"no day in the booking window seats {party_size} at {times}")
