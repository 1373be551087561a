"""Unit tests for core.spoken.entities: what callers say, turned into values or spoken errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import InvalidValue
from core.restaurant import load_restaurant
from core.settings import PROJECT_ROOT
from core.spoken.entities import (
    InvalidDate,
    InvalidPartySize,
    InvalidTime,
    PartySizeTooLarge,
    resolve_date,
    resolve_party_size,
    resolve_time,
)
from core.spoken.phones import InvalidPhone

SINGAPORE = ZoneInfo("Asia/Singapore")
# Tuesday 24 November 2026, noon in Singapore.
NOW = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)
# The sample restaurant's services: lunch from 11:00 or 11:30, brunch from 10:00 on Sundays,
# dinner 17:30 to 21:30-23:00.
SPANS = load_restaurant(PROJECT_ROOT / "restaurant.toml").service_spans


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-12-25", date(2026, 12, 25)),
        ("2027-1-5", date(2027, 1, 5)),
        ("today", TODAY),
        ("Today.", TODAY),
        ("tonight", TODAY),
        ("this evening", TODAY),
        ("tomorrow", date(2026, 11, 25)),
        ("  Tomorrow night!", date(2026, 11, 25)),
        ("for tomorrow", date(2026, 11, 25)),
        ("tmr", date(2026, 11, 25)),
        ("tmrw", date(2026, 11, 25)),
        ("day after tomorrow", date(2026, 11, 26)),
        ("the day after tomorrow", date(2026, 11, 26)),
        ("Saturday", date(2026, 11, 28)),
        ("sat", date(2026, 11, 28)),
        ("Sat.", date(2026, 11, 28)),
        ("on Saturday", date(2026, 11, 28)),
        ("saturday evening", date(2026, 11, 28)),
        ("this Friday", date(2026, 11, 27)),
        ("this coming Friday", date(2026, 11, 27)),
        ("next Friday", date(2026, 11, 27)),
        ("Monday", date(2026, 11, 30)),
        ("next mon", date(2026, 11, 30)),
        ("wed", date(2026, 11, 25)),
        ("thurs", date(2026, 11, 26)),
        ("25/12", date(2026, 12, 25)),
        ("25-12", date(2026, 12, 25)),
        ("25.12", date(2026, 12, 25)),
        ("25/12/2026", date(2026, 12, 25)),
        ("25/12/26", date(2026, 12, 25)),
        ("25 December", date(2026, 12, 25)),
        ("25th December", date(2026, 12, 25)),
        ("25th of December", date(2026, 12, 25)),
        ("the 25th of December", date(2026, 12, 25)),
        ("December 25th", date(2026, 12, 25)),
        ("December the 25th", date(2026, 12, 25)),
        ("Dec 25", date(2026, 12, 25)),
        ("Dec. 25th, 2026", date(2026, 12, 25)),
        ("25 Dec 2026", date(2026, 12, 25)),
        ("25DEC", date(2026, 12, 25)),
        ("1st of Sept", date(2027, 9, 1)),
        ("  on   25th   December ?", date(2026, 12, 25)),
        ("24/11", TODAY),
        ("23/11", date(2027, 11, 23)),
        ("the 31st", date(2026, 12, 31)),
        ("the 24th", TODAY),
        ("2nd", date(2026, 12, 2)),
        # A weekday with the date: the date decides, the weekday must agree with it.
        ("Saturday the 5th", date(2026, 12, 5)),
        ("sat 5th", date(2026, 12, 5)),
        ("Sat. 5th", date(2026, 12, 5)),
        ("Saturday 5 December", date(2026, 12, 5)),
        ("Saturday, December 5th", date(2026, 12, 5)),
        ("Saturday the 5th of December 2026", date(2026, 12, 5)),
        ("Sat 5/12", date(2026, 12, 5)),
        ("Saturday 2026-12-05", date(2026, 12, 5)),
        ("on Saturday the 5th", date(2026, 12, 5)),
        ("Saturday the 5th evening", date(2026, 12, 5)),
        ("next Saturday the 5th", date(2026, 12, 5)),
        ("this Saturday the 28th", date(2026, 11, 28)),
        ("Tuesday the 24th", TODAY),
        ("Friday 1 January", date(2027, 1, 1)),
        # Days and weeks from today.
        ("in two days", date(2026, 11, 26)),
        ("in 3 days", date(2026, 11, 27)),
        ("in 1 day", date(2026, 11, 25)),
        ("in twenty-one days", date(2026, 12, 15)),
        ("in a week", date(2026, 12, 1)),
        ("in one week", date(2026, 12, 1)),
        ("in a week's time", date(2026, 12, 1)),
        ("in two weeks", date(2026, 12, 8)),
        ("in 2 weeks time", date(2026, 12, 8)),
        ("a week from today", date(2026, 12, 1)),
        ("one week from now", date(2026, 12, 1)),
        ("three days from today", date(2026, 11, 27)),
        ("a week today", date(2026, 12, 1)),
        # "Friday next week" is in the Monday-to-Sunday week after this one, unlike
        # "next Friday", the first Friday after today.
        ("Friday next week", date(2026, 12, 4)),
        ("next week Friday", date(2026, 12, 4)),
        ("next week, on Friday", date(2026, 12, 4)),
        ("Friday of next week", date(2026, 12, 4)),
        ("Monday next week", date(2026, 11, 30)),
        ("next week Tuesday", date(2026, 12, 1)),
        ("Sunday next week", date(2026, 12, 6)),
        ("on Saturday next week", date(2026, 12, 5)),
        ("Friday this week", date(2026, 11, 27)),
        ("this week Tuesday", TODAY),
    ],
)
def test_resolve_date_accepts(raw: str, expected: date) -> None:
    assert resolve_date(raw, NOW, SINGAPORE, day_first=True) == expected


@pytest.mark.parametrize(
    ("weekday_name", "expected_day"),
    [("tuesday", 24), ("this tuesday", 24), ("next tuesday", 1), ("wednesday", 25)],
)
def test_weekday_today_counts_unless_next(weekday_name: str, expected_day: int) -> None:
    # NOW is a Tuesday: "Tuesday" is today, "next Tuesday" is a week later.
    expected = date(2026, 12, 1) if expected_day == 1 else date(2026, 11, expected_day)
    assert resolve_date(weekday_name, NOW, SINGAPORE, day_first=True) == expected


@pytest.mark.parametrize(
    ("raw", "now", "expected"),
    [
        # Without a year the date is the next occurrence, across the year end.
        ("2/1", datetime(2026, 12, 30, 4, tzinfo=UTC), date(2027, 1, 2)),
        ("2 January", datetime(2026, 12, 30, 4, tzinfo=UTC), date(2027, 1, 2)),
        ("30/12", datetime(2026, 12, 30, 4, tzinfo=UTC), date(2026, 12, 30)),
        ("29/12", datetime(2026, 12, 30, 4, tzinfo=UTC), date(2027, 12, 29)),
        ("the 1st", datetime(2026, 12, 30, 4, tzinfo=UTC), date(2027, 1, 1)),
        ("friday", datetime(2026, 12, 30, 4, tzinfo=UTC), date(2027, 1, 1)),
        ("tomorrow", datetime(2026, 12, 31, 4, tzinfo=UTC), date(2027, 1, 1)),
        # Leap years: the 29th of February waits for the next one.
        ("29/2", datetime(2027, 3, 1, 4, tzinfo=UTC), date(2028, 2, 29)),
        ("29 February", datetime(2027, 1, 10, 4, tzinfo=UTC), date(2028, 2, 29)),
        ("29/2", datetime(2028, 1, 10, 4, tzinfo=UTC), date(2028, 2, 29)),
        ("29/2/2028", datetime(2027, 1, 10, 4, tzinfo=UTC), date(2028, 2, 29)),
        ("the 30th", datetime(2027, 2, 1, 4, tzinfo=UTC), date(2027, 3, 30)),
        ("the 31st", datetime(2026, 4, 5, 4, tzinfo=UTC), date(2026, 5, 31)),
        # 17:30 UTC is already 01:30 the next day in Singapore.
        ("today", datetime(2026, 11, 24, 17, 30, tzinfo=UTC), date(2026, 11, 25)),
        ("tomorrow", datetime(2026, 11, 24, 17, 30, tzinfo=UTC), date(2026, 11, 26)),
        ("24/11", datetime(2026, 11, 24, 17, 30, tzinfo=UTC), date(2027, 11, 24)),
        ("today", datetime(2026, 11, 24, 15, 59, tzinfo=UTC), date(2026, 11, 24)),
        ("today", datetime(2026, 11, 24, 16, 0, tzinfo=UTC), date(2026, 11, 25)),
        ("today", datetime(2026, 11, 25, 1, 30, tzinfo=SINGAPORE), date(2026, 11, 25)),
        ("in 5 days", datetime(2026, 12, 30, 4, tzinfo=UTC), date(2027, 1, 4)),
        ("a week today", datetime(2027, 2, 25, 4, tzinfo=UTC), date(2027, 3, 4)),
        # On a Sunday next week starts tomorrow; on a Monday, in a week.
        ("Monday next week", datetime(2026, 11, 29, 4, tzinfo=UTC), date(2026, 11, 30)),
        ("Sunday next week", datetime(2026, 11, 29, 4, tzinfo=UTC), date(2026, 12, 6)),
        ("Monday next week", datetime(2026, 11, 30, 4, tzinfo=UTC), date(2026, 12, 7)),
        ("Sunday this week", datetime(2026, 11, 29, 4, tzinfo=UTC), date(2026, 11, 29)),
        ("Friday 1/1", datetime(2026, 12, 30, 4, tzinfo=UTC), date(2027, 1, 1)),
        # A naive `now` is UTC.
        ("today", datetime(2026, 11, 24, 17, 30), date(2026, 11, 25)),
    ],
)
def test_resolve_date_relative_to_now(raw: str, now: datetime, expected: date) -> None:
    assert resolve_date(raw, now, SINGAPORE, day_first=True) == expected


def test_resolve_date_uses_given_time_zone() -> None:
    now = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)
    assert resolve_date("today", now, ZoneInfo("UTC"), day_first=True) == date(2026, 11, 24)
    assert resolve_date("today", now, ZoneInfo("America/New_York"), day_first=True) == date(
        2026, 11, 24
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("31/02", "31 February doesn't exist."),
        ("30 February", "30 February doesn't exist."),
        ("February 30th", "30 February doesn't exist."),
        ("32/1", "32 January doesn't exist."),
        ("31 April", "31 April doesn't exist."),
        ("0/5", "0 May doesn't exist."),
        ("25/13", "That date doesn't exist."),
        ("2026-13-01", "That date doesn't exist."),
        ("29/2/2027", "29 February 2027 doesn't exist."),
        ("2027-02-29", "29 February 2027 doesn't exist."),
        ("the 32nd", "That date doesn't exist."),
        ("the 0th", "That date doesn't exist."),
        ("25/12/2025", "That date has already passed."),
        ("2026-11-23", "That date has already passed."),
        ("1 Jan 2026", "That date has already passed."),
    ],
)
def test_resolve_date_rejects_impossible_or_past(raw: str, message: str) -> None:
    with pytest.raises(InvalidDate) as caught:
        resolve_date(raw, NOW, SINGAPORE, day_first=True)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("Friday the 5th", "The 5th of December is a Saturday, not a Friday."),
        ("fri 5/12", "The 5th of December is a Saturday, not a Friday."),
        ("Sunday, December 5th", "The 5th of December is a Saturday, not a Sunday."),
        ("friday the 13th", "The 13th of December is a Sunday, not a Friday."),
        ("Monday the 1st", "The 1st of December is a Tuesday, not a Monday."),
        ("Thursday the 2nd", "The 2nd of December is a Wednesday, not a Thursday."),
        ("Friday the 3rd", "The 3rd of December is a Thursday, not a Friday."),
        ("Sat the 11th", "The 11th of December is a Friday, not a Saturday."),
        ("Sunday the 21st", "The 21st of December is a Monday, not a Sunday."),
        ("Monday the 22nd", "The 22nd of December is a Tuesday, not a Monday."),
        # A date without a year may fall next year, which the caller should hear.
        ("Monday 23/11", "The 23rd of November 2027 is a Tuesday, not a Monday."),
        ("Friday 25 December 2027", "The 25th of December 2027 is a Saturday, not a Friday."),
    ],
)
def test_resolve_date_asks_when_weekday_and_date_disagree(raw: str, message: str) -> None:
    with pytest.raises(InvalidDate) as caught:
        resolve_date(raw, NOW, SINGAPORE, day_first=True)
    assert str(caught.value) == f"{message} Which did you mean?"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("Saturday 31 February", "31 February doesn't exist."),
        ("Sat 25/12/2025", "That date has already passed."),
        ("Monday this week", "That date has already passed."),
        ("this week Monday", "That date has already passed."),
    ],
)
def test_resolve_date_rejects_weekday_forms_like_dates(raw: str, message: str) -> None:
    with pytest.raises(InvalidDate) as caught:
        resolve_date(raw, NOW, SINGAPORE, day_first=True)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "raw", ["this weekend", "weekend", "the weekend", "on the weekend", "next weekend"]
)
def test_resolve_date_asks_which_day_of_a_weekend(raw: str) -> None:
    with pytest.raises(InvalidDate) as caught:
        resolve_date(raw, NOW, SINGAPORE, day_first=True)
    assert str(caught.value) == "The weekend could be Saturday or Sunday."


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "banana",
        "someday",
        "next",
        "this",
        "25",
        "12/25/2026/1",
        "25 Decembr",
        "yesterday",
        "2026-12",
        "25//12",
        "next next friday",
        "on",
        "December",
        "25th 12",
        # Without "th" the number after a weekday may be a time: "Saturday 5" (pm?).
        "Saturday 5",
        "Saturday banana",
        "Saturday Sunday",
        "sat sat 5th",
        "in days",
        "in 0 days",
        "in a few days",
        "in a couple of days",
        "in two hours",
        "in two",
        "two days",
        "a week",
        "a week tomorrow",
        "three days today",
        "in 999999 weeks",
        "next week",
        "Friday next",
        "Friday next next week",
        "week Friday",
        "weekend Saturday",
    ],
)
def test_resolve_date_rejects_junk(raw: str) -> None:
    with pytest.raises(InvalidDate, match="^I didn't catch a valid date.$"):
        resolve_date(raw, NOW, SINGAPORE, day_first=True)


# --- times ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7pm", time(19)),
        ("7 pm", time(19)),
        ("7 PM", time(19)),
        ("7 p.m.", time(19)),
        ("7p.m", time(19)),
        ("7:00 pm", time(19)),
        ("19:30", time(19, 30)),
        ("19.30", time(19, 30)),
        ("7:30pm", time(19, 30)),
        ("7.30 pm", time(19, 30)),
        ("730pm", time(19, 30)),
        ("1930", time(19, 30)),
        ("0730", time(7, 30)),
        ("07:30", time(7, 30)),
        ("00:15", time(0, 15)),
        ("23:59", time(23, 59)),
        ("11:30 am", time(11, 30)),
        ("11.30am", time(11, 30)),
        ("12pm", time(12)),
        ("12am", time(0)),
        ("12:30 am", time(0, 30)),
        ("noon", time(12)),
        ("12 noon", time(12)),
        ("midday", time(12)),
        ("midnight", time(0)),
        ("six pm", time(18)),
        ("Six PM.", time(18)),
        ("seven thirty pm", time(19, 30)),
        ("seven forty-five pm", time(19, 45)),
        ("seven forty five", time(19, 45)),
        ("seven oh five pm", time(19, 5)),
        ("eleven thirty am", time(11, 30)),
        ("half past seven pm", time(19, 30)),
        ("half past seven", time(19, 30)),
        ("half seven", time(19, 30)),
        ("quarter to eight pm", time(19, 45)),
        ("a quarter to eight", time(19, 45)),
        ("quarter past 7 pm", time(19, 15)),
        ("twenty past eight", time(20, 20)),
        ("ten to 8 pm", time(19, 50)),
        ("five minutes to eight", time(19, 55)),
        ("quarter to one pm", time(12, 45)),
        ("7 o'clock in the evening", time(19)),
        ("seven o'clock", time(19)),
        ("8 in the evening", time(20)),
        ("8 in the morning", time(8)),
        ("2 in the afternoon", time(14)),
        ("9 tonight", time(21)),
        ("twelve at night", time(0)),
        ("at 7", time(19)),
        ("around 8pm", time(20)),
        ("  at   7:30  pm ! ", time(19, 30)),
        ("7ish", time(19)),
        ("7 ish", time(19)),
        ("7 pm-ish", time(19)),
        ("7pmish", time(19)),
        ("7:30ish", time(19, 30)),
        ("seven-ish", time(19)),
        ("sevenish", time(19)),
        ("half sevenish", time(19, 30)),
        ("noonish", time(12)),
        ("around 7ish", time(19)),
        ("Around 8-ish.", time(20)),
    ],
)
def test_resolve_time_accepts(raw: str, expected: time) -> None:
    assert resolve_time(raw, SPANS) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Restaurant hours decide a missing am/pm: 11 is lunch, 1 to 10 are afternoon/evening,
        # and 12 is noon; a leading zero or hours from 13 are a 24-hour clock.
        ("1", time(13)),
        ("one", time(13)),
        ("2:30", time(14, 30)),
        ("6", time(18)),
        ("7", time(19)),
        ("seven", time(19)),
        ("7:30", time(19, 30)),
        ("730", time(19, 30)),
        ("10", time(22)),
        ("ten thirty", time(22, 30)),
        ("11", time(11)),
        ("eleven", time(11)),
        ("11:30", time(11, 30)),
        ("12", time(12)),
        ("12:15", time(12, 15)),
        ("13", time(13)),
        ("nineteen thirty", time(19, 30)),
        ("0", time(0)),
        ("07", time(7)),
        ("1030", time(10, 30)),
        ("quarter to eleven", time(10, 45)),
        ("half past ten", time(22, 30)),
    ],
)
def test_resolve_time_without_meridiem(raw: str, expected: time) -> None:
    assert resolve_time(raw, SPANS) == expected


@pytest.mark.parametrize(
    ("spans", "raw", "expected"),
    [
        # A breakfast and lunch cafe: "seven" and "eleven" are mornings, "two" the afternoon.
        (((time(7), time(15)),), "seven", time(7)),
        (((time(7), time(15)),), "eleven", time(11)),
        (((time(7), time(15)),), "two", time(14)),
        # Dinner only: every hour without am/pm is the evening one.
        (((time(18), time(23)),), "eleven", time(23)),
        (((time(18), time(23)),), "half past six", time(18, 30)),
        # Closed at both: the evening, a restaurant's likelier answer (the rules then refuse it).
        (((time(18), time(23)),), "three", time(15)),
    ],
)
def test_resolve_time_without_meridiem_follows_the_opening_hours(
    spans: tuple[tuple[time, time], ...], raw: str, expected: time
) -> None:
    assert resolve_time(raw, spans) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "banana",
        "25:00",
        "24:00",
        "13pm",
        "0pm",
        "19:30 pm",
        "7:75",
        "7:5",
        "7:60",
        "193",
        "12345",
        "pm",
        "noon pm",
        "half to eight",
        "sixty past seven",
        "quarter past",
        "seven oh",
        "seven oh fifteen",
        "seven thirty thirty",
        "thirteen pm",
        "twenty five",
        "-7pm",
        "7 am pm",
        "tomorrow",
        "ish",
        "-ish",
        "ish 7",
        "bananaish",
        "25ish",
    ],
)
def test_resolve_time_rejects(raw: str) -> None:
    with pytest.raises(InvalidTime, match="^I didn't catch a valid time.$"):
        resolve_time(raw, SPANS)


# --- party size ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (4, 4),
        (1, 1),
        (20, 20),
        ("4", 4),
        (" 4 ", 4),
        ("four", 4),
        ("Four.", 4),
        ("four people", 4),
        ("4 people", 4),
        ("4 pax", 4),
        ("4pax", 4),
        ("a party of six", 6),
        ("party of 6", 6),
        ("table for two", 2),
        ("a table for two", 2),
        ("just me", 1),
        ("only me", 1),
        ("me", 1),
        ("just myself", 1),
        ("one person", 1),
        ("a couple", 2),
        ("couple", 2),
        ("two of us", 2),
        ("the two of us", 2),
        ("just the two of us", 2),
        ("we are five", 5),
        ("there will be eight of us", 8),
        ("twelve", 12),
        ("a dozen", 12),
        ("twenty", 20),
        ("nineteen guests", 19),
        ("ten adults", 10),
        ("one adult", 1),
        ("four kids", 4),
        # Sums: every part is a count, or one person said as one.
        ("two adults and two kids", 4),
        ("2 adults, 3 children", 5),
        ("2 adults & 3 children", 5),
        ("two adults + two kids", 4),
        ("four adults plus a baby", 5),
        ("a table for 2 adults and 1 child", 3),
        ("we are two adults and two toddlers", 4),
        ("me and my wife", 2),
        ("Me and my wife.", 2),
        ("just me and the wife", 2),
        ("me and three friends", 4),
        ("me and two others", 3),
        ("my husband and I", 2),
        ("me, my wife and our two kids", 4),
        ("me, my wife, and our two kids", 4),
        ("me and my mum and dad", 3),
        ("the two of us and a baby", 3),
        ("six colleagues and my boss", 7),
        ("me and a couple of friends", 3),
    ],
)
def test_resolve_party_size_accepts(raw: str | int, expected: int) -> None:
    assert resolve_party_size(raw) == expected


@pytest.mark.parametrize(
    ("raw", "size"),
    [
        (21, 21),
        ("21", 21),
        ("twenty one", 21),
        ("twenty-one people", 21),
        ("50 pax", 50),
        ("me and 20 friends", 21),
        ("ten adults and eleven kids", 21),
    ],
)
def test_resolve_party_size_too_large(raw: str | int, size: int) -> None:
    with pytest.raises(PartySizeTooLarge) as caught:
        resolve_party_size(raw)
    assert caught.value.size == size
    assert caught.value.maximum == 20
    assert "staff" in str(caught.value)
    assert isinstance(caught.value, InvalidPartySize)


def test_resolve_party_size_respects_maximum() -> None:
    assert resolve_party_size("eight", max_party_size=8) == 8
    with pytest.raises(PartySizeTooLarge) as caught:
        resolve_party_size("nine", max_party_size=8)
    assert (caught.value.size, caught.value.maximum) == (9, 8)
    assert "8" in str(caught.value)
    assert resolve_party_size("four adults and four kids", max_party_size=8) == 8
    with pytest.raises(PartySizeTooLarge) as caught:
        resolve_party_size("four adults and five kids", max_party_size=8)
    assert (caught.value.size, caught.value.maximum) == (9, 8)


@pytest.mark.parametrize("raw", [0, -3, "0", "zero", "zero people"])
def test_resolve_party_size_below_one(raw: str | int) -> None:
    with pytest.raises(InvalidPartySize, match="at least one"):
        resolve_party_size(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "banana",
        "people",
        "a party",
        "table for",
        "us",
        "-1",
        "4.5",
        "four or five",
        "five five",
        "twenty twenty",
        "4 5",
        "1" * 50,
        "²",
        # A part of a sum that is not a count on its own is not guessed at.
        "me and the kids",
        "me and my family",
        "two adults and some kids",
        "four with two kids",
        "six including two kids",
        "party of six, two of them kids",
        "me or my wife",
        "two adults and zero kids",
        "me and",
        "and",
        "four and",
        "me and my wife and",
        "me,, my wife",
        "one hundred and twenty",
        "2,000",
        # One person said alone is not a party size.
        "my wife",
        "a baby",
        "I",
        "kids",
        True,
        False,
    ],
)
def test_resolve_party_size_rejects_junk(raw: str | int) -> None:
    with pytest.raises(InvalidPartySize) as caught:
        resolve_party_size(raw)
    assert not isinstance(caught.value, PartySizeTooLarge)
    assert str(caught.value) == "I didn't catch how many people are coming."


# --- every failure is speakable --------------------------------------------------------


@pytest.mark.parametrize(
    "error", [InvalidPhone(), InvalidDate(), InvalidTime(), InvalidPartySize()]
)
def test_errors_have_spoken_default_messages(error: InvalidValue) -> None:
    assert isinstance(error, ValueError)
    assert error.message == str(error)
    assert error.message.startswith("I didn't catch") and error.message.endswith(".")


_SPOKEN = st.one_of(
    st.text(),
    st.text(alphabet="0123456789 +-/.:()apm", max_size=20),
    st.lists(
        st.sampled_from(
            "one two six seven twelve twenty thirty oh double quarter half past to of the "
            "next this friday dec 25th 2/1 29/2 7 19:30 pm am noon people me couple in days "
            "week from today weekend ish -ish and plus , my wife kids a it's number is".split()
        ),
        max_size=6,
    ).map(" ".join),
)


@given(
    _SPOKEN,
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from([UTC, SINGAPORE, ZoneInfo("America/Los_Angeles")]),
    ),
)
def test_resolve_date_never_fails_unexpectedly(raw: str, now: datetime) -> None:
    try:
        result = resolve_date(raw, now, SINGAPORE, day_first=True)
    except InvalidDate:
        return
    assert result >= now.astimezone(SINGAPORE).date()


@given(_SPOKEN)
def test_resolve_time_never_fails_unexpectedly(raw: str) -> None:
    try:
        result = resolve_time(raw, SPANS)
    except InvalidTime:
        return
    assert isinstance(result, time)


@given(st.one_of(_SPOKEN, st.integers()), st.integers(min_value=1, max_value=100))
def test_resolve_party_size_never_fails_unexpectedly(raw: str | int, maximum: int) -> None:
    try:
        result = resolve_party_size(raw, max_party_size=maximum)
    except PartySizeTooLarge as error:
        assert error.size > maximum == error.maximum
        return
    except InvalidPartySize:
        return
    assert 1 <= result <= maximum
