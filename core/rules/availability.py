"""Booking rules as pure functions: is a time bookable, and which nearby times are."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core.errors import BookingRejected, Reason
from core.restaurant import WEEKDAYS, Restaurant, Service


@dataclass(frozen=True, slots=True)
class Booked:
    """Covers a booking that holds seats (confirmed or seated) occupies from its time for the
    dining duration."""

    at: time
    covers: int


@dataclass(frozen=True, slots=True)
class ServiceOccupancy:
    """Covers in use at each slot of one service, for the staff's view of a day."""

    service: Service
    slots: tuple[tuple[time, int], ...]


def rule_violation(
    restaurant: Restaurant,
    day: date,
    at: time,
    party_size: int,
    now: datetime,
    *,
    arriving_now: bool = False,
) -> BookingRejected | None:
    """Why a party cannot book this date and time by the rules alone (capacity aside).

    `arriving_now` is a walk-in: the guests are at the door, so the time is the current slot
    (`current_slot`) and cannot be too soon or already begun; every other rule holds.
    """
    rules = restaurant.booking
    if party_size < 1:
        return BookingRejected(Reason.PARTY_TOO_SMALL, "A booking needs at least one guest.")
    if party_size > rules.max_party_size:
        return BookingRejected(Reason.PARTY_TOO_LARGE, rules.party_limit)
    local_now = restaurant.local_now(now)
    if day < local_now.date():
        return BookingRejected(Reason.IN_PAST, "That date has already passed.")
    if day > local_now.date() + timedelta(days=rules.max_days_ahead):
        return BookingRejected(
            Reason.TOO_FAR_AHEAD, f"We take bookings up to {rules.max_days_ahead} days ahead."
        )
    weekday = WEEKDAYS[day.weekday()]
    if day in rules.closed_dates:
        return BookingRejected(Reason.CLOSED, f"We're closed on {day:%A %-d %B}.")
    if not restaurant.services_on(day):
        return BookingRejected(Reason.CLOSED, f"We're {restaurant.describe_hours(weekday)}.")
    if not _seats_in_service(restaurant, day, at):
        return BookingRejected(
            Reason.OUTSIDE_HOURS,
            f"A meal takes about {rules.dining_minutes} minutes and must end by closing; "
            f"we're {restaurant.describe_hours(weekday)}.",
        )
    if (at.hour * 60 + at.minute) % rules.slot_minutes or at.second or at.microsecond:
        return BookingRejected(
            Reason.NOT_ON_SLOT, f"We seat guests every {rules.slot_minutes} minutes."
        )
    starts = datetime.combine(day, at)
    if arriving_now:
        if starts != current_slot(restaurant, now):
            return BookingRejected(Reason.NOT_ON_SLOT, "A walk-in is seated at the current time.")
        return None
    if starts <= local_now:
        return BookingRejected(Reason.IN_PAST, "That time has already passed.")
    if starts < local_now + timedelta(minutes=rules.min_notice_minutes):
        return BookingRejected(
            Reason.TOO_SOON,
            f"We need at least {rules.min_notice_minutes} minutes' notice for a booking.",
        )
    return None


def fits(restaurant: Restaurant, booked: Iterable[Booked], at: time, party_size: int) -> bool:
    """Whether the party fits beside every booking whose meal overlaps theirs."""
    dining = restaurant.booking.dining
    start = _minutes(at)
    length = dining.total_seconds() // 60
    overlapping = sum(b.covers for b in booked if abs(_minutes(b.at) - start) < length)
    return overlapping + party_size <= restaurant.booking.capacity_covers


def current_slot(restaurant: Restaurant, now: datetime) -> datetime:
    """The slot a walk-in arriving now takes: local time, down to the slot boundary."""
    local = restaurant.local_now(now).replace(second=0, microsecond=0)
    step = restaurant.booking.slot_minutes
    return local - timedelta(minutes=(local.hour * 60 + local.minute) % step)


def occupancy(
    restaurant: Restaurant, day: date, booked: Iterable[Booked]
) -> list[ServiceOccupancy]:
    """Per service of the day, the covers whose meal is under way at each slot."""
    held = list(booked)
    length = restaurant.booking.dining.total_seconds() // 60
    step = timedelta(minutes=restaurant.booking.slot_minutes)
    found = []
    for service in restaurant.services_on(day):
        slots = []
        slot = datetime.combine(day, service.opens)
        while slot < datetime.combine(day, service.closes):
            at = _minutes(slot.time())
            covers = sum(b.covers for b in held if 0 <= at - _minutes(b.at) < length)
            slots.append((slot.time(), covers))
            slot += step
        found.append(ServiceOccupancy(service, tuple(slots)))
    return found


def seating_times(restaurant: Restaurant, day: date) -> Iterator[time]:
    """Every slot of a day at which a meal ends by closing time."""
    step = timedelta(minutes=restaurant.booking.slot_minutes)
    for service in restaurant.services_on(day):
        slot = datetime.combine(day, service.opens)
        last = datetime.combine(day, service.closes) - restaurant.booking.dining
        while slot <= last:
            yield slot.time()
            slot += step


def nearest_on_day(
    restaurant: Restaurant,
    day: date,
    wanted: time,
    party_size: int,
    booked: list[Booked],
    now: datetime,
) -> Iterator[datetime]:
    """Bookable times of one day, nearest to the wanted time first; lazy, so taking the first
    few checks only as many slots as it needs."""
    candidates = sorted(
        seating_times(restaurant, day), key=lambda t: abs(_minutes(t) - _minutes(wanted))
    )
    return (
        datetime.combine(day, t)
        for t in candidates
        if rule_violation(restaurant, day, t, party_size, now) is None
        and fits(restaurant, booked, t, party_size)
    )


def _seats_in_service(restaurant: Restaurant, day: date, at: time) -> bool:
    starts = datetime.combine(day, at)
    ends = starts + restaurant.booking.dining
    return any(
        datetime.combine(day, s.opens) <= starts and ends <= datetime.combine(day, s.closes)
        for s in restaurant.services_on(day)
    )


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute
