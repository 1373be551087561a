"""Unit tests for core.rules.availability: the booking rules, the capacity rule and nearby times."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import pytest

from core.errors import Reason
from core.restaurant import Restaurant
from core.rules.availability import Booked, fits, nearest_on_day, rule_violation, seating_times
from tests.support.days import DINNER, NOW, SATURDAY, TODAY, next_weekday

SINGAPORE = ZoneInfo("Asia/Singapore")
MONDAY = next_weekday(0)
CHRISTMAS = date(2026, 12, 25)  # a Friday, open by weekday


def singapore_today(hour: int, minute: int = 0) -> datetime:
    """A clock reading later on the test's Tuesday, in the restaurant's own time zone."""
    return datetime.combine(TODAY, time(hour, minute), tzinfo=SINGAPORE)


def shifted(at: time, minutes: int) -> time:
    return (datetime.combine(TODAY, at) + timedelta(minutes=minutes)).time()


def minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def with_rules(restaurant: Restaurant, **rules: object) -> Restaurant:
    return restaurant.model_copy(update={"booking": restaurant.booking.model_copy(update=rules)})


@pytest.fixture
def pinned(restaurant: Restaurant) -> Restaurant:
    # The shipped hours with the rule numbers these tests count with, so that editing
    # restaurant.toml's rules cannot turn a boundary case here into a puzzling failure.
    return with_rules(
        restaurant,
        slot_minutes=15,
        dining_minutes=90,
        capacity_covers=40,
        max_party_size=10,
        min_notice_minutes=60,
        max_days_ahead=60,
        closed_dates=frozenset({CHRISTMAS}),
    )


# --- rule_violation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "at", "party", "now", "reason"),
    [
        pytest.param(SATURDAY, DINNER, 0, NOW, Reason.PARTY_TOO_SMALL, id="no-guests"),
        pytest.param(SATURDAY, DINNER, 11, NOW, Reason.PARTY_TOO_LARGE, id="over-max-party"),
        pytest.param(TODAY - timedelta(days=3), DINNER, 2, NOW, Reason.IN_PAST, id="last-saturday"),
        pytest.param(
            TODAY, time(11, 30), 2, singapore_today(13), Reason.IN_PAST, id="lunch-started"
        ),
        pytest.param(TODAY + timedelta(days=61), DINNER, 2, NOW, Reason.TOO_FAR_AHEAD, id="day-61"),
        pytest.param(MONDAY, DINNER, 2, NOW, Reason.CLOSED, id="closed-weekday"),
        pytest.param(CHRISTMAS, DINNER, 2, NOW, Reason.CLOSED, id="closed-date"),
        pytest.param(SATURDAY, time(10, 45), 2, NOW, Reason.OUTSIDE_HOURS, id="before-opening"),
        pytest.param(SATURDAY, time(16, 0), 2, NOW, Reason.OUTSIDE_HOURS, id="between-services"),
        # Both would start while a service is open; the meal would outlast it.
        pytest.param(SATURDAY, time(13, 45), 2, NOW, Reason.OUTSIDE_HOURS, id="ends-after-lunch"),
        pytest.param(SATURDAY, time(21, 45), 2, NOW, Reason.OUTSIDE_HOURS, id="ends-after-close"),
        pytest.param(SATURDAY, time(19, 10), 2, NOW, Reason.NOT_ON_SLOT, id="off-slot-minute"),
        pytest.param(SATURDAY, time(19, 0, 30), 2, NOW, Reason.NOT_ON_SLOT, id="off-slot-second"),
        pytest.param(
            TODAY, time(11, 45), 2, singapore_today(11), Reason.TOO_SOON, id="45-min-notice"
        ),
    ],
)
def test_rule_violation_names_the_broken_rule(
    pinned: Restaurant, day: date, at: time, party: int, now: datetime, reason: Reason
) -> None:
    rejected = rule_violation(pinned, day, at, party, now)
    assert rejected is not None
    assert rejected.reason is reason
    assert rejected.message


@pytest.mark.parametrize(
    ("day", "at", "party", "now"),
    [
        pytest.param(SATURDAY, DINNER, 1, NOW, id="one-guest"),
        pytest.param(SATURDAY, DINNER, 10, NOW, id="max-party"),
        pytest.param(TODAY + timedelta(days=60), DINNER, 2, NOW, id="day-60"),
        pytest.param(SATURDAY, time(11, 0), 2, NOW, id="at-opening"),
        pytest.param(SATURDAY, time(21, 30), 2, NOW, id="meal-ends-at-closing"),
        pytest.param(TODAY, time(12, 0), 2, singapore_today(11), id="exactly-min-notice"),
    ],
)
def test_rule_violation_accepts_the_edges_of_each_rule(
    pinned: Restaurant, day: date, at: time, party: int, now: datetime
) -> None:
    assert rule_violation(pinned, day, at, party, now) is None


# --- fits ------------------------------------------------------------------------------


@pytest.mark.parametrize("dining_minutes", [90, 120])
def test_fits_meals_overlap_until_exactly_dining_minutes_apart(
    pinned: Restaurant, dining_minutes: int
) -> None:
    restaurant = with_rules(pinned, dining_minutes=dining_minutes)
    full_at_dinner = [Booked(at=DINNER, covers=40)]
    offsets = (-dining_minutes, -dining_minutes + 1, dining_minutes - 1, dining_minutes)
    answers = {m: fits(restaurant, full_at_dinner, shifted(DINNER, m), 1) for m in offsets}
    assert answers == {
        -dining_minutes: True,  # our meal ends as theirs starts
        -dining_minutes + 1: False,
        dining_minutes - 1: False,
        dining_minutes: True,  # theirs ends as ours starts
    }


@pytest.mark.parametrize(
    ("booked", "at", "party", "expected"),
    [
        pytest.param([Booked(DINNER, 36)], DINNER, 4, True, id="exactly-full"),
        pytest.param([Booked(DINNER, 36)], DINNER, 5, False, id="one-over"),
        # 18:45 overlaps both meals, so their covers add up.
        pytest.param(
            [Booked(time(18, 0), 20), Booked(DINNER, 16)], time(18, 45), 4, True, id="sum-full"
        ),
        pytest.param(
            [Booked(time(18, 0), 20), Booked(DINNER, 16)], time(18, 45), 5, False, id="sum-over"
        ),
        # By 19:30 the 18:00 table has left; only the 19:00 one counts.
        pytest.param(
            [Booked(time(18, 0), 20), Booked(DINNER, 16)], time(19, 30), 24, True, id="one-left"
        ),
    ],
)
def test_fits_counts_only_overlapping_covers_against_capacity(
    pinned: Restaurant, booked: list[Booked], at: time, party: int, expected: bool
) -> None:
    assert fits(pinned, booked, at, party) is expected


# --- seating_times ------------------------------------------------------------------------


def test_seating_times_run_from_opening_to_the_last_meal_that_ends_by_closing(
    pinned: Restaurant,
) -> None:
    # Saturday: lunch 11:00-15:00 and dinner 17:30-23:00, 90-minute meals every 15 minutes.
    times = list(seating_times(pinned, SATURDAY))
    assert times[0] == time(11, 0)
    assert times[-1] == time(21, 30)
    last_lunch = times.index(time(13, 30))
    assert times[last_lunch + 1] == time(17, 30)
    assert len(times) == 11 + 17


def test_seating_times_skip_a_service_too_short_for_a_meal(pinned: Restaurant) -> None:
    five_hour_meals = with_rules(pinned, dining_minutes=300)
    # Saturday lunch lasts four hours; dinner, five and a half.
    assert list(seating_times(five_hour_meals, SATURDAY)) == [
        time(17, 30),
        time(17, 45),
        time(18, 0),
    ]


@pytest.mark.parametrize("day", [MONDAY, CHRISTMAS], ids=["closed-weekday", "closed-date"])
def test_seating_times_are_none_on_a_closed_day(pinned: Restaurant, day: date) -> None:
    assert list(seating_times(pinned, day)) == []


# --- nearest_on_day ---------------------------------------------------------------------


def test_nearest_on_day_offers_the_nearest_times_first(pinned: Restaurant) -> None:
    wanted = time(19, 10)
    found = [t.time() for t in nearest_on_day(pinned, SATURDAY, wanted, 2, [], NOW)]
    assert found[:5] == [time(19, 15), time(19, 0), time(19, 30), time(18, 45), time(19, 45)]
    distances = [abs(minutes(t) - minutes(wanted)) for t in found]
    assert distances == sorted(distances)
    assert set(found) == set(seating_times(pinned, SATURDAY))


def test_nearest_on_day_skips_times_that_are_full(pinned: Restaurant) -> None:
    full_at_dinner = [Booked(at=DINNER, covers=40)]
    found = [t.time() for t in nearest_on_day(pinned, SATURDAY, DINNER, 2, full_at_dinner, NOW)]
    # Every meal starting within 90 minutes of 19:00 would share the room with the full table.
    assert set(found[:2]) == {time(17, 30), time(20, 30)}
    assert found[2] == time(20, 45)
    assert not [t for t in found if time(17, 30) < t < time(20, 30)]


def test_nearest_on_day_skips_times_the_rules_forbid(pinned: Restaurant) -> None:
    # At 11:00 an hour's notice rules out 11:30 and 11:45 of today's lunch.
    at_eleven = singapore_today(11)
    found = nearest_on_day(pinned, TODAY, time(11, 30), 2, [], at_eleven)
    assert list(islice(found, 2)) == [
        datetime.combine(TODAY, time(12, 0)),
        datetime.combine(TODAY, time(12, 15)),
    ]
    assert list(nearest_on_day(pinned, SATURDAY, DINNER, 11, [], NOW)) == []
