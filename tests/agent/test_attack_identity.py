"""Callers who mean harm: who may hear or change a booking.

A stranger who phones from (or spoofs) the booking's number, says part of its name, tries again
and again across calls, asks for a table on the day the number's owner has one, or joins a
room whose earlier caller booked, learns nothing about the booking and changes nothing.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from livekit.agents import RunResult

from agent.agents.existing_bookings import WHOLE_NAME
from agent.agents.proofs import LOCKED
from agent.call.start import caller_key, new_call, resume
from agent.call.state import CallState
from agent.phone.line import PhoneLine, attach_phone_line
from core.models import Reservation
from core.services.calls import CallService
from core.services.proofs import FailedProofs
from core.services.reservations import ReservationService
from testkit.scripted_llm import Rule, call
from tests.support.calls import (
    DETAILS,
    LIMITS,
    SESSION_ID,
    Call,
    Notices,
    books_a_table,
    in_call,
    script,
)
from tests.support.days import DINNER, SATURDAY
from tests.support.proofs import DEFAULT_LIMIT, failed_proofs

VICTIM = "+6598207272"
# The caller ID an attacker puts in the From header: the victim's number, not attested.
SPOOFED = PhoneLine(identity=f"sip_{VICTIM}", caller_number=VICTIM)


async def book(
    service: ReservationService, name: str = "Mei Ling Chua", **more: Any
) -> Reservation:
    return await service.create(
        phone_number=VICTIM,
        name=name,
        reservation_date=SATURDAY,
        reservation_time=DINNER,
        party_size=4,
        **more,
    )


def outputs(result: RunResult[None]) -> list[Any]:
    return [event.item for event in result.events if event.type == "function_call_output"]


def private(booking: Reservation) -> tuple[str, ...]:
    """What the model must not be told about a stranger's booking."""
    assert booking.name is not None
    return (*booking.name.split(), booking.confirmation_code, "Saturday", "28", "4 guests")


def tells_nothing(text: str, booking: Reservation) -> bool:
    return not any(fragment in text for fragment in private(booking))


async def unchanged(service: ReservationService, booking: Reservation) -> bool:
    return await service.by_code(booking.confirmation_code) == booking


async def test_a_spoofed_caller_id_hears_nothing_and_changes_nothing(
    phone_call: Call, service: ReservationService, state: CallState, notices: Notices
) -> None:
    booking = await book(service)
    model = script(
        Rule(user="my booking", then=[call("transfer_to_reservation", intent="cancel")]),
        Rule(user="when is it", then=[call("find_booking")]),
        Rule(user="cancel it", then=[call("cancel_booking")]),
        Rule(user="move it", then=[call("change_booking", time="8pm")]),
        Rule(user="choose", then=[call("choose_booking", confirmation_code="ZZZZZZ")]),
    )
    async with phone_call(model) as session:
        await attach_phone_line(session, SPOOFED)
        await session.run(user_input="It's about my booking")
        found: RunResult[None] = await session.run(user_input="When is it?")
        cancel: RunResult[None] = await session.run(user_input="Just cancel it")
        move: RunResult[None] = await session.run(user_input="Then move it to 8")
        guess: RunResult[None] = await session.run(user_input="I choose that one")
    [lookup] = outputs(found)
    assert lookup.output.startswith("There is a booking under that number")
    assert "full name" in lookup.output
    said = [o for r in (found, cancel, move, guess) for o in outputs(r)]
    assert all(tells_nothing(o.output, booking) for o in said)
    assert all(o.is_error for r in (cancel, move, guess) for o in outputs(r))
    # Nor did the model hear anything else about it, in any request of the call.
    heard = "\n".join(r.trigger for r in model.requests)
    assert tells_nothing(heard, booking)
    assert await unchanged(service, booking) and notices == []
    assert not state.may_know(booking) and state.attested_number is None


@pytest.mark.parametrize(
    ("booked", "said", "answer"),
    [
        # One name is asked for again (tests/agent/test_callers_with_bookings.py)...
        ("Mei Ling Chua", "Mei", WHOLE_NAME),  # the first name
        ("Mei Ling Chua", "Chua", WHOLE_NAME),  # the surname
        ("Mr Tan", "Mr", WHOLE_NAME),  # a title
        # ...more than one that is not the whole name is refused.
        ("Mei Ling Chua", "Mei Ling", "not the name on the booking"),  # the leading names
    ],
)
async def test_part_of_the_name_shows_nothing(
    phone_call: Call, service: ReservationService, booked: str, said: str, answer: str
) -> None:
    booking = await book(service, name=booked)
    model = script(
        Rule(user="cancel my", then=[call("transfer_to_reservation", intent="cancel")]),
        Rule(user="number is", then=[call("find_booking", phone="9820 7272")]),
        Rule(user="under", then=[call("check_booking_name", name=said)]),
        Rule(user="cancel it", then=[call("cancel_booking")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="I want to cancel my booking")
        await session.run(user_input="My number is 9820 7272")
        named: RunResult[None] = await session.run(user_input=f"It's under {said}")
        tried: RunResult[None] = await session.run(user_input="Now cancel it")
    [check] = outputs(named)
    assert check.is_error and answer in check.output
    assert "whole name" in check.output or "full name" in check.output
    assert tells_nothing(check.output, booking)
    [refusal] = outputs(tried)
    assert refusal.is_error and tells_nothing(refusal.output, booking)
    assert await unchanged(service, booking)


def attempt(wrong_name: str) -> Any:
    """One caller's call: find the booking by its number, then name it."""
    return script(
        Rule(user="cancel my", then=[call("transfer_to_reservation", intent="cancel")]),
        Rule(user="number is", then=[call("find_booking", phone="9820 7272")]),
        Rule(user="under", then=[call("check_booking_name", name=wrong_name)]),
        Rule(
            user="message",
            then=[call("transfer_to_escalation", reason="other", summary="Booking check locked.")],
        ),
    )


async def test_six_failed_proofs_over_three_calls_lock_the_number_and_a_callback_is_offered(
    service: ReservationService,
    calls: CallService,
    proofs: FailedProofs,
    pool: asyncpg.Pool,
) -> None:
    booking = await book(service)
    attempts: list[list[Any]] = []
    for n, wrong in enumerate(["John Smith", "Mei Chua", "Mei Ling"]):
        # A new call each time: nothing of the last one is left in the call's own state.
        state = new_call(service, calls, proofs, f"room-attempt-{n}", Notices(), LIMITS)
        async with in_call(state, attempt(wrong)) as session:
            await session.run(user_input="I want to cancel my booking")
            found: RunResult[None] = await session.run(user_input="My number is 9820 7272")
            named: RunResult[None] = await session.run(user_input=f"It's under {wrong}")
        attempts.append([*outputs(found), *outputs(named)])
    lookups = [a[0] for a in attempts]
    names = [a[1] for a in attempts]
    # Each call learnt only that a booking exists, and each wrong name was refused...
    assert all(o.output.startswith("There is a booking under") for o in lookups)
    assert all(o.is_error for o in names[:2])
    # ...until the sixth failed proof: the fifth (the third lookup) had reached the limit.
    assert DEFAULT_LIMIT.failures == 5
    assert names[2].is_error and names[2].output == LOCKED
    assert "transfer_to_escalation" in LOCKED
    assert await failed_proofs(pool) == [booking.id] * 5

    # A fourth call: locked before anything is said, and a callback is what is left.
    state = new_call(service, calls, proofs, "room-attempt-4", Notices(), LIMITS)
    model = attempt("John Smith")
    async with in_call(state, model) as session:
        await session.run(user_input="I want to cancel my booking")
        found = await session.run(user_input="My number is 9820 7272")
        await session.run(user_input="OK, I'd like to leave a message")
    [locked] = outputs(found)
    assert locked.is_error and locked.output == LOCKED
    assert model.requests_for("escalation"), "the caller was not offered the callback"
    assert not state.may_know(booking) and await unchanged(service, booking)
    # The code does not open it either.
    state = new_call(service, calls, proofs, "room-attempt-5", Notices(), LIMITS)
    code = booking.confirmation_code
    by_code = script(
        Rule(user="it is", then=[call("find_booking", confirmation_code=code)]),
        Rule(user="code", then=[call("transfer_to_reservation", intent="cancel")]),
    )
    async with in_call(state, by_code) as session:
        await session.run(user_input="I have a code")
        coded: RunResult[None] = await session.run(user_input="It is the code")
    assert outputs(coded)[0].output == LOCKED and not state.may_know(booking)


async def test_the_owner_calling_from_an_attested_number_is_served_despite_a_lock(
    service: ReservationService,
    calls: CallService,
    proofs: FailedProofs,
) -> None:
    booking = await book(service)
    for _ in range(DEFAULT_LIMIT.failures):
        await proofs.record([booking])
    assert await proofs.locked(VICTIM)
    state = new_call(service, calls, proofs, "room-owner", Notices(), LIMITS)
    model = script(
        Rule(user="my booking", then=[call("transfer_to_reservation", intent="lookup")]),
        Rule(user="when", then=[call("find_booking")]),
    )
    async with in_call(state, model) as session:
        # What TRUST_CALLER_ID=attested and the carrier's level-A attestation give.
        await attach_phone_line(session, PhoneLine(f"sip_{VICTIM}", VICTIM, attested=True))
        await session.run(user_input="About my booking")
        found: RunResult[None] = await session.run(user_input="When is it?")
    assert outputs(found)[0].output.startswith(f"Found: code {booking.confirmation_code}")


async def test_a_refusal_does_not_tell_a_stranger_the_day_the_number_is_booked(
    phone_call: Call, service: ReservationService, pool: asyncpg.Pool
) -> None:
    booking = await book(service)
    # Another table that Saturday, under the victim's number.
    details = {**DETAILS, "party_size": "2", "time": "8pm", "name": "Ali Tan"}
    async with phone_call(script(*books_a_table(**details))) as session:
        await session.run(user_input="A table for two on Saturday")
        await session.run(user_input="Is it available?")
        refused: RunResult[None] = await session.run(user_input="yes")
    [refusal] = outputs(refused)
    assert refusal.is_error and refusal.output.startswith("Not booked:")
    assert "already" not in refusal.output and tells_nothing(refusal.output, booking)
    # It told the caller something all the same: it counts against the booking.
    assert await failed_proofs(pool) == [booking.id]
    assert (await service.list_for_date(SATURDAY)).total == 1


async def test_the_owner_who_has_shown_the_booking_hears_why(
    phone_call: Call, service: ReservationService, pool: asyncpg.Pool
) -> None:
    await book(service)
    model = script(
        Rule(user="booking", then=[call("transfer_to_reservation", intent="lookup")]),
        Rule(user="number is", then=[call("find_booking", phone="9820 7272")]),
        Rule(user="under", then=[call("check_booking_name", name="mei ling CHUA")]),
        Rule(
            user="another",
            then=[
                call(
                    "record_booking_details",
                    party_size="2",
                    date="Saturday",
                    time="8pm",
                    name="Mei Ling Chua",
                    phone="9820 7272",
                )
            ],
        ),
        Rule(user="available", then=[call("check_availability")]),
        Rule(user="yes", then=[call("confirm_booking")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="About my booking")
        await session.run(user_input="My number is 9820 7272")
        await session.run(user_input="It's under Mei Ling Chua")
        await session.run(user_input="And another table on Saturday")
        await session.run(user_input="Is it available?")
        refused: RunResult[None] = await session.run(user_input="yes")
    [refusal] = outputs(refused)
    assert refusal.is_error and "already has a booking on that day" in refusal.output
    # Only the lookup before the name counted; the shown booking's refusal did not.
    assert len(await failed_proofs(pool)) == 1


@pytest.mark.parametrize(
    ("room_sid", "identity"),
    [
        ("RM_live", "caller-2"),  # someone else in the same live room
        ("RM_later", "caller-1"),  # a later room of the same name, the same chosen identity
    ],
)
async def test_a_resumed_call_trusts_its_bookings_only_for_the_same_caller_in_the_same_room(
    phone_call: Call,
    service: ReservationService,
    calls: CallService,
    state: CallState,
    room_sid: str,
    identity: str,
) -> None:
    booking = await book(
        service, session_id=SESSION_ID, caller_key=caller_key("RM_live", "caller-1")
    )
    await calls.record_handoff(
        session_id=SESSION_ID, from_agent="greeter", to_agent="reservation", entities={}
    )
    state.caller_key = caller_key(room_sid, identity)
    await resume(state)
    assert state.resumed and state.booked_earlier == [] and state.selected_booking is None
    model = script(
        Rule(user="yes", then=[call("cancel_booking")]),
        Rule(user="cancel", then=[call("transfer_to_reservation", intent="cancel")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="Hello? I want to cancel what I booked")
        tried: RunResult[None] = await session.run(user_input="yes, cancel it")
    greeting = model.requests_for("greeter")[0]
    assert tells_nothing(greeting.trigger, booking)
    [refusal] = outputs(tried)
    assert refusal.is_error and "Find the booking first" in refusal.output
    assert await unchanged(service, booking)
