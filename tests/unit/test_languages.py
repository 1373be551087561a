"""Values said in the restaurant's other languages, read into booking details: Chinese numerals
and words, Malay number words and phrases, digits of any script, and the canonical forms a model
is asked to give (digits, the weekday with an ISO date, a 24-hour time)."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.call.identity import one_name_only
from core.restaurant import Restaurant
from core.spoken.details import read_details
from core.spoken.languages import digits_among_words, in_english_forms
from tests.support.days import NOW

# NOW is Tuesday 24 November 2026.
FRIDAY_THIS_WEEK = date(2026, 11, 27)
FRIDAY_NEXT_WEEK = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("said", "size"),
    [
        ("四个人", 4),
        ("4个人", 4),
        ("两位", 2),
        ("十个人", 10),
        ("4 orang", 4),
        ("empat orang", 4),
        ("untuk empat orang", 4),
        ("4 பேர்", 4),  # Tamil: a digit amid another script
        ("௪", 4),  # a Tamil digit
        ("４", 4),  # a full-width digit
        ("4", 4),
        ("four people", 4),
    ],
)
def test_party_sizes_in_any_language(restaurant: Restaurant, said: str, size: int) -> None:
    assert read_details(restaurant, NOW, party_size=said).party_size == size


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("下周五", FRIDAY_NEXT_WEEK),  # Friday of next week, never this week's
        ("下个星期五", FRIDAY_NEXT_WEEK),
        ("这周五", FRIDAY_THIS_WEEK),
        ("星期五", FRIDAY_THIS_WEEK),
        ("明天", date(2026, 11, 25)),
        ("十二月四号", FRIDAY_NEXT_WEEK),
        ("2026年12月4日", FRIDAY_NEXT_WEEK),
        ("Jumaat minggu depan", FRIDAY_NEXT_WEEK),
        ("hari Jumaat ini", FRIDAY_THIS_WEEK),
        ("esok", date(2026, 11, 25)),
        ("Friday 2026-12-04", FRIDAY_NEXT_WEEK),  # the canonical form, weekday first...
        ("2026-12-04 (Friday)", FRIDAY_NEXT_WEEK),  # ...or after
    ],
)
def test_dates_in_any_language(restaurant: Restaurant, said: str, day: date) -> None:
    assert read_details(restaurant, NOW, date=said).date == day


@pytest.mark.parametrize(
    ("said", "at"),
    [
        ("晚上七点", time(19, 0)),
        ("晚上七点半", time(19, 30)),
        ("七点", time(19, 0)),  # without the part of the day, the evening rule
        ("中午十二点", time(12, 0)),
        ("下午一点一刻", time(13, 15)),
        ("晚上八点十五分", time(20, 15)),
        ("pukul 7 malam", time(19, 0)),
        ("jam 7.30 malam", time(19, 30)),
        ("19:30", time(19, 30)),
    ],
)
def test_times_in_any_language(restaurant: Restaurant, said: str, at: time) -> None:
    assert read_details(restaurant, NOW, time=said).time == at


@pytest.mark.parametrize(
    "said",
    [
        "九一二三四五六七",
        "九一二三 四五六七",
        "sembilan satu dua tiga empat lima enam tujuh",
        "９１２３４５６７",
    ],
)
def test_phone_numbers_in_any_language(restaurant: Restaurant, said: str) -> None:
    assert read_details(restaurant, NOW, phone=said).phone == "+6591234567"


def test_a_wrong_weekday_beside_an_iso_date_is_caught(restaurant: Restaurant) -> None:
    details = read_details(restaurant, NOW, date="Thursday 2026-12-04")
    assert details.date is None and details.why_unclear["date"].startswith(
        "The 4th of December is a Friday, not a Thursday"
    )


def test_english_comes_back_as_it_was() -> None:
    for said in ("half past seven", "next friday", "a party of six", "9820 7272"):
        assert in_english_forms(said) == said
    assert digits_among_words("table for 4") == "table for 4"


def test_one_name_is_told_apart_from_a_whole_name() -> None:
    assert one_name_only("Lim") and one_name_only("Mrs Lim") and one_name_only("Mr")
    assert not one_name_only("Sarah Lim") and not one_name_only("Mrs Sarah Lim")


@given(st.text(max_size=40))
def test_any_text_in_any_script_is_read_or_asked_again(restaurant: Restaurant, raw: str) -> None:
    # Never an exception out of the reading: a value, or a detail to ask again.
    fields = ("party_size", "date", "time", "phone")
    details = read_details(restaurant, NOW, party_size=raw, date=raw, time=raw, phone=raw)
    for field, label in zip(fields, ("party size", "date", "time", "phone number"), strict=True):
        assert (
            (getattr(details, field) is None) == (label in details.unclear)
            or (field == "party_size" and details.oversized_party is not None)
            or not raw.strip()
        )
