"""A caller hears another person's booking only once they have shown it is theirs."""

from __future__ import annotations

from typing import Any

import asyncpg
from livekit.agents import RunResult

from agent.agents.existing_bookings import TOO_MANY_TRIES
from agent.call.state import CallState
from core.models import Reservation
from core.services.reservations import ReservationService
from testkit.scripted_llm import Rule, call
from tests.support.calls import Call, Notices, books_a_table, script
from tests.support.database import INSPECT
from tests.support.days import DINNER, SATURDAY

REGULAR = "+6598207272"


async def regulars_booking(service: ReservationService) -> Reservation:
    return await service.create(
        phone_number=REGULAR,
        name="Mei Ling Chua",
        reservation_date=SATURDAY,
        reservation_time=DINNER,
        party_size=4,
    )


def outputs(result: RunResult[None]) -> list[Any]:
    return [event.item for event in result.events if event.type == "function_call_output"]


def said_nothing_about(text: str, booking: Reservation) -> bool:
    private = ("Mei Ling", "Chua", booking.confirmation_code, "Saturday", "28", "4 guests")
    return not any(fragment in text for fragment in private)


def to_cancel(*more: Rule) -> list[Rule]:
    return [
        Rule(user="cancel my", then=[call("transfer_to_reservation", intent="cancel")]),
        Rule(user="number is", then=[call("find_booking", phone="9820 7272")]),
        *more,
        Rule(user="cancel it", then=[call("cancel_booking")]),
    ]


async def test_a_stranger_with_a_number_learns_only_that_a_booking_exists(
    phone_call: Call, service: ReservationService, notices: Notices
) -> None:
    booking = await regulars_booking(service)
    async with phone_call(script(*to_cancel())) as session:
        await session.run(user_input="I want to cancel my booking")
        found: RunResult[None] = await session.run(user_input="My number is 9820 7272")
        tried: RunResult[None] = await session.run(user_input="Just cancel it")
    [lookup] = outputs(found)
    assert lookup.output.startswith("There is a booking under that number")
    assert said_nothing_about(lookup.output, booking)
    [refusal] = outputs(tried)
    assert refusal.is_error and said_nothing_about(refusal.output, booking)
    assert (await service.by_code(booking.confirmation_code)).status == "confirmed"
    assert notices == []


async def test_the_bookings_code_shows_it_is_theirs(
    phone_call: Call, service: ReservationService
) -> None:
    booking = await regulars_booking(service)
    code = booking.confirmation_code
    rules = to_cancel(Rule(user="code", then=[call("choose_booking", confirmation_code=code)]))
    async with phone_call(script(*rules)) as session:
        await session.run(user_input="I want to cancel my booking")
        await session.run(user_input="My number is 9820 7272")
        shown: RunResult[None] = await session.run(user_input=f"The code is {code}")
        done: RunResult[None] = await session.run(user_input="Yes, cancel it")
    assert outputs(shown)[0].output.startswith(f"Selected: code {code}, 4 guests")
    assert outputs(done)[0].output.startswith("Cancelled:")
    assert (await service.by_code(code)).status == "cancelled"


async def test_the_name_it_is_under_shows_it_is_theirs(
    phone_call: Call, service: ReservationService
) -> None:
    booking = await regulars_booking(service)
    # Case, spacing and accents aside; the whole name (tests/agent/test_attack_identity.py
    # shows a part of it is not enough).
    rules = to_cancel(Rule(user="under", then=[call("check_booking_name", name="mei  LÍNG  chua")]))
    async with phone_call(script(*rules)) as session:
        await session.run(user_input="I want to cancel my booking")
        await session.run(user_input="My number is 9820 7272")
        shown: RunResult[None] = await session.run(user_input="It's under Mei Ling")
        await session.run(user_input="Yes, cancel it")
    assert outputs(shown)[0].output.startswith(f"Found: code {booking.confirmation_code}")
    assert (await service.by_code(booking.confirmation_code)).status == "cancelled"


async def test_three_wrong_names_end_in_an_offer_of_a_message(
    phone_call: Call, service: ReservationService, state: CallState
) -> None:
    booking = await regulars_booking(service)
    rules = to_cancel(
        Rule(user="under", then=[call("check_booking_name", name="John Smith")]),
        Rule(user="right name", then=[call("check_booking_name", name="Mei Ling")]),
    )
    async with phone_call(script(*rules)) as session:
        await session.run(user_input="I want to cancel my booking")
        await session.run(user_input="My number is 9820 7272")
        tries: list[RunResult[None]] = [
            await session.run(user_input="It's under John Smith") for _ in range(3)
        ]
        late: RunResult[None] = await session.run(user_input="Oh, the right name is Mei Ling")
    first, second, third = (outputs(t)[0] for t in tries)
    assert first.is_error and "not the name on the booking" in first.output
    assert said_nothing_about(first.output, booking) and second.is_error
    assert third.is_error and third.output == TOO_MANY_TRIES
    assert "transfer_to_escalation" in third.output
    # Even the right name is not checked any more in this call.
    assert outputs(late)[0].output == TOO_MANY_TRIES
    assert not state.may_know(booking)


async def test_three_numbers_with_nothing_booked_stop_the_lookups(
    phone_call: Call, service: ReservationService
) -> None:
    booking = await regulars_booking(service)
    numbers = ["9123 4567", "9123 4568", "9123 4569", "9820 7272"]
    rules = [Rule(user=n, then=[call("find_booking", phone=n)]) for n in numbers]
    model = script(Rule(user="booking", then=[call("transfer_to_reservation", intent="lookup")]))
    model.rules[1:1] = rules
    async with phone_call(model) as session:
        await session.run(user_input="About my booking")
        tries: list[RunResult[None]] = [await session.run(user_input=f"Try {n}") for n in numbers]
    results = [outputs(t)[0] for t in tries]
    assert all(r.is_error for r in results)
    assert results[2].output == TOO_MANY_TRIES and results[3].output == TOO_MANY_TRIES
    assert said_nothing_about(results[3].output, booking)


async def test_a_call_from_the_bookings_attested_number_is_served_without_a_question(
    phone_call: Call, service: ReservationService, state: CallState
) -> None:
    booking = await regulars_booking(service)
    # The caller ID of a phone call, attested by the carrier, with TRUST_CALLER_ID=attested
    # (tests/agent/test_attack_identity.py: without the attestation it proves nothing).
    state.caller_number, state.caller_attested = REGULAR, True
    model = script(
        Rule(user="my booking", then=[call("transfer_to_reservation", intent="lookup")]),
        Rule(user="when", then=[call("find_booking")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="A question about my booking")
        found: RunResult[None] = await session.run(user_input="When is it?")
    briefing = "\n".join(model.requests_for("reservation")[0].texts("system"))
    assert "call find_booking without a number" in briefing
    assert outputs(found)[0].output.startswith(f"Found: code {booking.confirmation_code}")


async def test_a_booking_for_someone_else_needs_no_proof_and_is_read_back_with_its_number(
    phone_call: Call, service: ReservationService, state: CallState
) -> None:
    state.caller_number = "+6581112222"  # booking for a friend, from another phone
    details = {
        "party_size": "2",
        "date": "Saturday",
        "time": "7pm",
        "name": "Mei Ling Chua",
        "phone": "9820 7272",
    }
    async with phone_call(script(*books_a_table(**details))) as session:
        await session.run(user_input="A table for my friend")
        checked: RunResult[None] = await session.run(user_input="Is it available?")
        booked: RunResult[None] = await session.run(user_input="yes")
    # The friend's number in full (the caller-ID rule masks only the caller's own line).
    assert "phone 9820 7272" in outputs(checked)[0].output
    assert outputs(booked)[0].output.startswith("Booked.")
    page = await service.list_for_date(SATURDAY, status="confirmed")
    assert [r.phone_number for r in page.items] == [REGULAR]


async def test_the_handoff_records_how_far_the_caller_has_shown_who_they_are(
    phone_call: Call, service: ReservationService, state: CallState, pool: asyncpg.Pool
) -> None:
    booking = await regulars_booking(service)
    code = booking.confirmation_code
    model = script(
        Rule(user="cancel my", then=[call("transfer_to_reservation", intent="cancel")]),
        Rule(user="code", then=[call("find_booking", confirmation_code=code)]),
        Rule(user="parking", then=[call("transfer_to_information", query_type="parking")]),
        Rule(user="back", then=[call("transfer_to_reservation", intent="cancel")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="I want to cancel my booking")
        await session.run(user_input=f"The code is {code}")
        await session.run(user_input="Is there parking?")
        await session.run(user_input="OK, back to my booking")
    async with pool.acquire() as conn:
        rows = [r async for r in INSPECT.handoffs_of(conn, session_id=state.session_id)]
    reservation_handoffs = [r["entities"] for r in rows if r["to_agent"] == "reservation"]
    assert [e["identity"] for e in reservation_handoffs] == ["unverified", "holds_code"]


async def test_a_booking_made_in_the_call_can_be_cancelled_in_it(
    phone_call: Call, service: ReservationService
) -> None:
    details = {
        "party_size": "2",
        "date": "Saturday",
        "time": "7pm",
        "name": "Mei Ling Chua",
        "phone": "9820 7272",
    }
    model = script(*books_a_table(**details), Rule(user="cancel it", then=[call("cancel_booking")]))
    async with phone_call(model) as session:
        await session.run(user_input="A table please")
        await session.run(user_input="Is it available?")
        await session.run(user_input="yes")
        cancelled: RunResult[None] = await session.run(user_input="Sorry, cancel it")
    assert outputs(cancelled)[0].output.startswith("Cancelled:")
    page = await service.list_for_date(SATURDAY, status="cancelled")
    assert page.total == 1
