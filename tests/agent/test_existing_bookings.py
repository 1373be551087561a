"""A caller with several bookings under one number picks the one they mean, once they have
shown the bookings are theirs (tests/agent/test_privacy.py covers who may hear what)."""

from __future__ import annotations

from datetime import date
from typing import Any

from livekit.agents import RunResult

from core.models import Reservation
from core.services.reservations import ReservationService
from testkit.scripted_llm import Rule, call
from tests.support.calls import Call, Notices, script
from tests.support.days import DINNER, SATURDAY, next_weekday

PHONE = "+6598207272"


async def book(service: ReservationService, day: date, party_size: int) -> Reservation:
    return await service.create(
        phone_number=PHONE,
        name="Mei Ling",
        reservation_date=day,
        reservation_time=DINNER,
        party_size=party_size,
    )


async def two_bookings(service: ReservationService) -> tuple[Reservation, Reservation]:
    return await book(service, next_weekday(4), 2), await book(service, SATURDAY, 4)


def output(result: RunResult[None]) -> Any:
    return result.expect.next_event(type="function_call_output").event().item


async def test_several_bookings_are_listed_and_the_one_chosen_is_cancelled(
    phone_call: Call, service: ReservationService, notices: Notices
) -> None:
    friday_booking, saturday_booking = await two_bookings(service)
    model = script(
        Rule(user="cancel", then=[call("transfer_to_reservation", intent="cancel")]),
        Rule(user="number", then=[call("find_booking", phone="9820 7272")]),
        Rule(user="under", then=[call("check_booking_name", name="mei ling")]),
        Rule(
            user="saturday",
            then=[call("choose_booking", confirmation_code=saturday_booking.confirmation_code)],
        ),
        Rule(user="yes", then=[call("cancel_booking")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="I want to cancel a booking")
        found: RunResult[None] = await session.run(user_input="My number is 9820 7272")
        named: RunResult[None] = await session.run(user_input="It's under Mei Ling")
        chosen: RunResult[None] = await session.run(user_input="The Saturday one")
        cancelled: RunResult[None] = await session.run(user_input="yes")
    assert output(found).output.startswith("There are bookings under that number")
    listed = output(named).output
    assert listed.startswith("Several bookings:") and "choose_booking" in listed
    assert friday_booking.confirmation_code in listed
    assert saturday_booking.confirmation_code in listed
    assert output(chosen).output.startswith(f"Selected: code {saturday_booking.confirmation_code}")
    assert not output(cancelled).is_error
    assert (await service.by_code(saturday_booking.confirmation_code)).status == "cancelled"
    assert (await service.by_code(friday_booking.confirmation_code)).status == "confirmed"
    assert [(n.type, n.confirmation_code) for n in notices] == [
        ("reservation.cancelled", saturday_booking.confirmation_code)
    ]


async def test_nothing_is_cancelled_before_a_booking_is_chosen(
    phone_call: Call, service: ReservationService
) -> None:
    bookings = await two_bookings(service)
    model = script(
        Rule(user="cancel", then=[call("transfer_to_reservation", intent="cancel")]),
        Rule(user="number", then=[call("find_booking", phone="9820 7272")]),
        Rule(user="under", then=[call("check_booking_name", name="Mei Ling")]),
        Rule(user="go ahead", then=[call("cancel_booking")]),
        Rule(user="the other", then=[call("choose_booking", confirmation_code="ZZZZZZ")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="I want to cancel a booking")
        await session.run(user_input="My number is 9820 7272")
        await session.run(user_input="It's under Mei Ling")
        refused: RunResult[None] = await session.run(user_input="Go ahead")
        unknown: RunResult[None] = await session.run(user_input="The other one")
    refusal, mismatch = output(refused), output(unknown)
    assert refusal.is_error and "Find the booking first" in refusal.output
    assert mismatch.is_error and "not one of the bookings" in mismatch.output
    for booking in bookings:
        assert (await service.by_code(booking.confirmation_code)).status == "confirmed"
