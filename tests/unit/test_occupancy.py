"""Unit tests for the staff's view of a day: covers in use per slot, and the walk-in slot."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from core.errors import Reason
from core.restaurant import Restaurant
from core.rules.availability import Booked, current_slot, occupancy, rule_violation
from tests.support.days import SATURDAY, TODAY, next_weekday

SINGAPORE = ZoneInfo("Asia/Singapore")


def at_restaurant(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime.combine(TODAY, time(hour, minute, second), tzinfo=SINGAPORE)


def test_a_meal_holds_its_covers_for_the_dining_time(restaurant: Restaurant) -> None:
    # dining_minutes = 90 and slots of 15 in restaurant.toml.
    booked = [Booked(time(19, 0), 4), Booked(time(19, 30), 6), Booked(time(12, 0), 2)]
    lunch, dinner = occupancy(restaurant, SATURDAY, booked)
    assert (lunch.service.service, dinner.service.service) == ("lunch", "dinner")
    covers = dict(dinner.slots)
    assert covers[time(18, 45)] == 0
    assert covers[time(19, 0)] == 4
    assert covers[time(19, 30)] == 10
    assert covers[time(20, 15)] == 10
    assert covers[time(20, 30)] == 6  # the 19:00 table has left
    assert covers[time(20, 45)] == 6
    assert covers[time(21, 0)] == 0
    assert dict(lunch.slots)[time(12, 0)] == 2


def test_every_slot_of_a_service_is_shown_until_closing(restaurant: Restaurant) -> None:
    _, dinner = occupancy(restaurant, SATURDAY, [])
    times = [at for at, _ in dinner.slots]
    # Saturday dinner 17:30-23:00: slots run to the last quarter hour before closing, past the
    # last seating time, because guests are still at their tables then.
    assert times[0] == time(17, 30) and times[-1] == time(22, 45)
    assert len(times) == 22


def test_a_closed_day_has_no_services(restaurant: Restaurant) -> None:
    assert occupancy(restaurant, next_weekday(0), [Booked(time(19, 0), 2)]) == []


@pytest.mark.parametrize(
    ("now", "slot"),
    [
        (at_restaurant(12, 0), time(12, 0)),
        (at_restaurant(12, 14, 59), time(12, 0)),
        (at_restaurant(12, 15), time(12, 15)),
        (at_restaurant(13, 59), time(13, 45)),
    ],
)
def test_a_walk_in_takes_the_current_slot(
    restaurant: Restaurant, now: datetime, slot: time
) -> None:
    taken = current_slot(restaurant, now)
    assert (taken.date(), taken.time()) == (TODAY, slot)


def test_a_walk_in_needs_no_notice_but_keeps_every_other_rule(restaurant: Restaurant) -> None:
    now = at_restaurant(12, 7)
    slot = current_slot(restaurant, now).time()
    # Booked ahead, the same time would be too soon (60 minutes' notice).
    ahead = rule_violation(restaurant, TODAY, slot, 2, now)
    assert ahead is not None and ahead.reason is Reason.IN_PAST
    assert rule_violation(restaurant, TODAY, slot, 2, now, arriving_now=True) is None
    large = rule_violation(restaurant, TODAY, slot, 11, now, arriving_now=True)
    assert large is not None and large.reason is Reason.PARTY_TOO_LARGE
    # Tuesday lunch closes at 14:30: a 90-minute meal from 13:30 does not fit.
    late = at_restaurant(13, 40)
    too_late = rule_violation(
        restaurant, TODAY, current_slot(restaurant, late).time(), 2, late, arriving_now=True
    )
    assert too_late is not None and too_late.reason is Reason.OUTSIDE_HOURS
    # Only the current slot: a walk-in cannot skip the notice for a later time.
    later = rule_violation(restaurant, TODAY, time(13, 0), 2, now, arriving_now=True)
    assert later is not None and later.reason is Reason.NOT_ON_SLOT
