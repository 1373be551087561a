"""Days for tests that must book against the real clock: chosen by the restaurant's own rules,
so a test means the same thing whatever day and hour it runs."""

from __future__ import annotations

from datetime import date, time, timedelta

from core.rules.availability import rule_violation
from core.services.reservations import ReservationService


def first_day_that_seats(service: ReservationService, *times: time, party_size: int = 3) -> date:
    """The first day from tomorrow on which `party_size` guests may book at each of `times`."""
    now, restaurant = service.now(), service.restaurant
    tomorrow = restaurant.local_now(now).date() + timedelta(days=1)
    for ahead in range(restaurant.booking.max_days_ahead):
        day = tomorrow + timedelta(days=ahead)
        if all(rule_violation(restaurant, day, at, party_size, now) is None for at in times):
            return day
    raise AssertionError(f"no day in the booking window seats {party_size} at {times}")
