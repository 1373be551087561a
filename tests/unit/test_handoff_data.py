"""Reading what was said into booking details, masking for logs, and saying details back."""

from __future__ import annotations

from datetime import date, time

from agent.agents.handoff_data import ReservationHandoffData
from agent.agents.phrasing import say_date, say_time, spell_code
from core.restaurant import Restaurant
from core.spoken.details import read_details
from tests.support.days import NOW


def test_read_details_normalises_what_was_said(restaurant: Restaurant) -> None:
    data = read_details(
        restaurant,
        NOW,
        party_size="a party of six",
        date="this Friday",
        time="half past seven pm",
        phone="+65 9820 7272",
        name="  Wei Ming ",
    )
    assert (data.party_size, data.date, data.time, data.phone, data.name) == (
        6,
        date(2026, 11, 27),
        time(19, 30),
        "+6598207272",
        "Wei Ming",
    )
    assert data.unclear == [] and data.oversized_party is None


def test_read_details_never_raises_on_junk(restaurant: Restaurant) -> None:
    data = read_details(restaurant, NOW, party_size="lots", date="soonish", time="?", phone="x")
    assert data.unclear == ["party size", "date", "time", "phone number"]
    assert (data.party_size, data.date, data.time, data.phone) == (None, None, None, None)
    # Nothing more specific to say than "ask again".
    assert data.unclear_details() == data.unclear


def test_a_specific_reason_is_kept_for_the_caller(restaurant: Restaurant) -> None:
    # NOW is Tuesday 24 November 2026: the 28th is a Saturday.
    data = read_details(restaurant, NOW, date="Friday the 28th", time="7pm")
    assert data.date is None and data.unclear == ["date"]
    assert data.unclear_details() == [
        "date (The 28th of November is a Saturday, not a Friday. Which did you mean?)"
    ]
    assert "why_unclear" not in data.entities()


def test_entities_for_logs_hold_no_personal_data(restaurant: Restaurant) -> None:
    details = read_details(
        restaurant, NOW, phone="98207272", name="Wei Ming", notes="peanut allergy"
    )
    entities = ReservationHandoffData(intent="change", details=details).entities()
    text = repr(entities)
    assert "Wei Ming" not in text and "98207272" not in text and "peanut" not in text
    assert entities["phone"] == "+65******72" and entities["name_given"] is True
    assert entities["intent"] == "change"


def test_spoken_forms() -> None:
    assert say_date(date(2026, 11, 28)) == "Saturday 28 November"
    assert [say_time(t) for t in (time(19), time(19, 30), time(12), time(11, 45))] == [
        "7 pm",
        "7:30 pm",
        "noon",
        "11:45 am",
    ]
    assert spell_code("HRZ71N") == (
        "H for Hotel, R for Romeo, Z for Zulu -- then -- 7, 1, N for November"
    )


def test_a_time_is_read_against_the_services_of_its_day(restaurant: Restaurant) -> None:
    # Sunday: brunch 10:00-15:00 and dinner till 21:30, so "half ten" is the morning one; a
    # Tuesday's dinner runs till 22:30, so there it is the evening one.
    sunday = read_details(restaurant, NOW, date="Sunday", time="half ten")
    assert (sunday.date, sunday.time) == (date(2026, 11, 29), time(10, 30))
    said_later = read_details(restaurant, NOW, on=date(2026, 11, 29), time="half ten")
    assert said_later.time == time(10, 30)
    tuesday = read_details(restaurant, NOW, date="next Tuesday", time="half ten")
    assert tuesday.time == time(22, 30)
