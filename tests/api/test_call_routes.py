"""The call log over HTTP: the list (numbers masked), one call with its transcript (the whole
number), the call a booking was made in, and the owner's week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from core.db.call_log import CallLog, no_facts
from core.restaurant import Restaurant
from core.services.reservations import ReservationService
from tests.support.api import AUTH
from tests.support.calls import SESSION_ID, booked_before_the_drop
from tests.support.days import SATURDAY


async def a_phone_booking(log: CallLog) -> int:
    call_id = await log.open_call(SESSION_ID, "phone", "+6598207272")
    now = datetime.now(UTC)
    await log.add_line(call_id, now, "agent", "greeter", "Thank you for calling.")
    await log.add_line(call_id, now, "caller", "greeter", "A table for 4, please.")
    await log.add_line(call_id, now, "tool", "reservation", "booked K7M3QX for 4 on Sat 19:00")
    await log.note_facts(call_id, no_facts() | {"booked": ["K7M3QX"], "covers": 4})
    await log.note_reply_delay(call_id, 0.8)
    await log.note_reply_delay(call_id, 1.6)
    await log.note_reply_delay(call_id, 1.0)
    await log.end_call(call_id, caller_hung_up=True, failed=None)
    return call_id


async def a_web_question(log: CallLog) -> int:
    call_id = await log.open_call("room-web", "web", None)
    await log.note_facts(call_id, no_facts() | {"questions": 1})
    await log.end_call(call_id, caller_hung_up=True, failed=None)
    return call_id


async def test_calls_are_listed_newest_first_with_numbers_masked(
    client: httpx.AsyncClient, call_log: CallLog, restaurant: Restaurant
) -> None:
    phone = await a_phone_booking(call_log)
    web = await a_web_question(call_log)
    today = restaurant.local_now(datetime.now(UTC)).date()
    listed = (await client.get("/api/calls", headers=AUTH, params={"date": str(today)})).json()
    assert [c["id"] for c in listed["items"]] == [web, phone] and listed["total"] == 2
    first = listed["items"][1]
    assert first["caller_number"] == "+65******72" and first["outcome"] == "booked"
    assert first["reply_delay_p50"] == 1.0 and first["reply_delay_worst"] == 1.6
    assert first["duration_seconds"] >= 0 and "lines" not in first

    booked = await client.get("/api/calls", headers=AUTH, params={"outcome": "answered"})
    assert [c["id"] for c in booked.json()["items"]] == [web]
    other_day = str(today - timedelta(days=1))
    assert (await client.get("/api/calls", headers=AUTH, params={"date": other_day})).json()[
        "total"
    ] == 0
    paged = await client.get("/api/calls", headers=AUTH, params={"page": 2, "page_size": 1})
    assert [c["id"] for c in paged.json()["items"]] == [phone]


async def test_bad_filters_are_refused_readably(client: httpx.AsyncClient) -> None:
    for params in ({"outcome": "great"}, {"date": "2026-02-30"}, {"page": 0}):
        answer = await client.get("/api/calls", headers=AUTH, params=params)
        assert answer.status_code == 422 and answer.json()["detail"], params
    assert (await client.get("/api/calls")).status_code == 401


async def test_one_call_has_the_whole_number_and_its_transcript(
    client: httpx.AsyncClient, call_log: CallLog
) -> None:
    call_id = await a_phone_booking(call_log)
    found = (await client.get(f"/api/calls/{call_id}", headers=AUTH)).json()
    assert found["caller_number"] == "+6598207272"
    assert [(x["speaker"], x["text"]) for x in found["lines"]] == [
        ("agent", "Thank you for calling."),
        ("caller", "A table for 4, please."),
        ("tool", "booked K7M3QX for 4 on Sat 19:00"),
    ]
    missing = await client.get("/api/calls/999999", headers=AUTH)
    assert (
        missing.status_code == 404 and missing.json()["detail"] == "There is no call with that id."
    )
    assert (await client.get("/api/calls/session/room-nobody", headers=AUTH)).status_code == 404


async def test_a_booking_links_to_the_call_that_made_it(
    client: httpx.AsyncClient, call_log: CallLog, service: ReservationService
) -> None:
    call_id = await a_phone_booking(call_log)
    await booked_before_the_drop(service)
    day = await client.get("/api/reservations", headers=AUTH, params={"date": str(SATURDAY)})
    [booking] = day.json()["items"]
    made_in = await client.get(f"/api/calls/session/{booking['session_id']}", headers=AUTH)
    assert made_in.json()["id"] == call_id


async def test_the_owners_week(
    client: httpx.AsyncClient, call_log: CallLog, restaurant: Restaurant
) -> None:
    phone = await a_phone_booking(call_log)
    await a_web_question(call_log)
    dropped = await call_log.open_call("room-lost", "web", None)
    await call_log.mark_dropped("room-lost")
    found = await call_log.call(phone)
    assert found is not None and dropped
    started = found[0].started_at.astimezone(restaurant.tz)
    week = (await client.get("/api/calls/week", headers=AUTH)).json()
    assert week["start"] == str(started.date() - timedelta(days=6))
    [today] = [d for d in week["days"] if d["day"] == str(started.date())]
    assert today["calls"] == 3 and today["hours"][started.hour] == 3 and len(week["days"]) == 7
    assert (week["calls"], week["handled_without_staff"], week["handled_share"]) == (3, 2, 0.6667)
    assert (week["bookings"], week["covers"], week["dropped"]) == (1, 4, 1)
    assert (week["callbacks"], week["transfers"], week["reply_delay_p50"]) == (0, 0, 1.0)
    # A week before any call: nothing, and no share of nothing.
    before = str(started.date() - timedelta(days=14))
    empty = (await client.get("/api/calls/week", headers=AUTH, params={"start": before})).json()
    assert (empty["calls"], empty["handled_share"], empty["average_seconds"]) == (0, None, None)
