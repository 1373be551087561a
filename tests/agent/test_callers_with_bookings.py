"""Callers with a booking who say less than a tool wants, or call when it has begun: a surname
alone is asked for again (the whole name or the code), a caller-ID lookup that finds nothing
is no failed proof, and a caller running late still finds today's booking."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import asyncpg
from livekit.agents import RunResult

from agent.agents.existing_bookings import WHOLE_NAME
from agent.call.start import new_call
from agent.call.state import CallState
from agent.phone.line import PhoneLine, attach_phone_line
from core.models import Reservation
from core.services.calls import CallService
from core.services.proofs import FailedProofs
from core.services.reservations import ReservationService
from testkit.scripted_llm import Rule, call
from tests.support.calls import LIMITS, SESSION_ID, Call, Notices, in_call, script
from tests.support.days import DINNER, LUNCH_BEGUN, NOW, SATURDAY, service_at
from tests.support.proofs import failed_proofs

NUMBER = "+6591234567"
# A phone call from a number with no booking under it.
OTHER_PHONE = PhoneLine(identity="sip_+6581112222", caller_number="+6581112222")


def outputs(result: RunResult[None]) -> list[Any]:
    return [event.item for event in result.events if event.type == "function_call_output"]


async def book(service: ReservationService, day: date = SATURDAY, at: time = DINNER) -> Reservation:
    return await service.create(
        phone_number=NUMBER,
        name="Sarah Lim",
        reservation_date=day,
        reservation_time=at,
        party_size=2,
    )


def finds_by_number(*rules: Rule) -> Any:
    return script(
        Rule(user="booking", then=[call("transfer_to_reservation", intent="cancel")]),
        Rule(user="number is", then=[call("find_booking", phone="9123 4567")]),
        *rules,
        Rule(user="cancel it", then=[call("cancel_booking")]),
    )


async def test_a_surname_is_asked_again_for_the_whole_name_and_not_counted(
    phone_call: Call, service: ReservationService, state: CallState, pool: asyncpg.Pool
) -> None:
    booking = await book(service)
    model = finds_by_number(
        Rule(user="mrs lim", then=[call("check_booking_name", name="Mrs Lim")]),
        Rule(user="sarah lim", then=[call("check_booking_name", name="Sarah Lim")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="I want to cancel my booking")
        await session.run(user_input="My number is 9123 4567")
        surname: RunResult[None] = await session.run(user_input="It's Mrs Lim")
        whole: RunResult[None] = await session.run(user_input="Sarah Lim")
        await session.run(user_input="Yes, cancel it")
    [asked] = outputs(surname)
    assert asked.is_error and asked.output == WHOLE_NAME
    assert not outputs(whole)[0].is_error
    assert (await service.by_code(booking.confirmation_code)).status == "cancelled"
    # The lookup that learnt a booking exists counts; the surname did not.
    assert await failed_proofs(pool) == [booking.id]
    assert state.identity.failed_checks == 0


async def test_a_second_single_name_counts_as_a_failed_proof(
    phone_call: Call, service: ReservationService, pool: asyncpg.Pool
) -> None:
    booking = await book(service)
    model = finds_by_number(
        Rule(user="under lim", then=[call("check_booking_name", name="Lim")]),
        Rule(user="under sarah", then=[call("check_booking_name", name="Sarah")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="I want to cancel my booking")
        await session.run(user_input="My number is 9123 4567")
        first: RunResult[None] = await session.run(user_input="It's under Lim")
        second: RunResult[None] = await session.run(user_input="It's under Sarah")
    assert outputs(first)[0].output == WHOLE_NAME
    assert "not the name on the booking" in outputs(second)[0].output
    assert await failed_proofs(pool) == [booking.id] * 2
    assert (await service.by_code(booking.confirmation_code)).status == "confirmed"


async def test_a_caller_id_lookup_that_finds_nothing_is_no_failed_proof(
    phone_call: Call, service: ReservationService, state: CallState
) -> None:
    booking = await book(service)
    model = script(
        Rule(user="booking", then=[call("transfer_to_reservation", intent="cancel")]),
        Rule(user="look it up", then=[call("find_booking")]),
        Rule(
            user="code is", then=[call("find_booking", confirmation_code=booking.confirmation_code)]
        ),
        Rule(user="cancel it", then=[call("cancel_booking")]),
    )
    async with phone_call(model) as session:
        await attach_phone_line(session, OTHER_PHONE)
        await session.run(user_input="I want to cancel my booking")
        looked: list[RunResult[None]] = [
            await session.run(user_input="Can you look it up?") for _ in range(3)
        ]
        found: RunResult[None] = await session.run(user_input="The code is the one I have")
        await session.run(user_input="Yes, cancel it")
    assert all("No upcoming booking found" in outputs(r)[0].output for r in looked)
    assert state.identity.failed_checks == 0 and not state.identity.exhausted
    assert not outputs(found)[0].is_error
    assert (await service.by_code(booking.confirmation_code)).status == "cancelled"


async def test_a_caller_running_late_finds_the_booking_that_began_today(
    service: ReservationService, calls: CallService, proofs: FailedProofs
) -> None:
    # Lunch today (Tuesday) at 11:45, booked while it was still ahead...
    booking = await book(service, NOW.date(), time(11, 45))
    # ...and the caller phones at 12:05, twenty minutes after it began.
    later = service_at(service, LUNCH_BEGUN)
    state = new_call(later, calls, proofs, SESSION_ID, Notices(), LIMITS)
    model = finds_by_number(
        Rule(user="under", then=[call("check_booking_name", name="Sarah Lim")]),
        # A change is read back first and made after the caller's yes.
        Rule(user="note", then=[call("change_booking", notes="running 20 minutes late")]),
        Rule(user="yes", then=[call("change_booking", notes="running 20 minutes late")]),
    )
    async with in_call(state, model) as session:
        await session.run(user_input="About my booking, I'm running 20 minutes late")
        found: RunResult[None] = await session.run(user_input="My number is 9123 4567")
        await session.run(user_input="It's under Sarah Lim")
        await session.run(user_input="Please note it")
        await session.run(user_input="Yes")
    assert outputs(found)[0].output.startswith("There is a booking under that number")
    row = await later.by_code(booking.confirmation_code)
    assert row.status == "confirmed" and row.other_info["notes"] == "running 20 minutes late"
    assert row.reservation_time == time(11, 45)


async def test_a_booking_whose_sitting_is_over_is_not_found(
    service: ReservationService,
) -> None:
    await book(service, NOW.date(), time(11, 45))
    # 13:20: the 90-minute sitting that began at 11:45 ended at 13:15.
    after = service_at(service, datetime(2026, 11, 24, 5, 20, tzinfo=UTC))
    assert await after.upcoming_by_phone(NUMBER) == []
