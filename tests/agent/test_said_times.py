"""A time said without am or pm, read against the services of the day booked (restaurant.toml):
brunch "at half ten" on a Sunday is 10:30, not the 22:30 a Tuesday's late dinner would make it."""

from __future__ import annotations

from datetime import time

from livekit.agents import RunResult

from core.services.reservations import ReservationService
from testkit.scripted_llm import Rule, call
from tests.support.calls import Call, Notices, script
from tests.support.days import next_weekday

SUNDAY = next_weekday(6)
BRUNCH_DETAILS = {"party_size": "2", "name": "Sarah Lim", "phone": "9123 4567"}


def last_output(result: RunResult[None]) -> str:
    outputs = [e.item for e in result.events if e.type == "function_call_output"]
    assert outputs and not outputs[-1].is_error, outputs
    return str(outputs[-1].output)


async def test_brunch_at_half_ten_on_a_sunday_is_booked_for_half_past_ten(
    phone_call: Call, service: ReservationService, notices: Notices
) -> None:
    # A literal model passes the day first and the time when the caller says it, as said.
    model = script(
        Rule(
            user="brunch",
            then=[call("transfer_to_reservation", date="Sunday", **BRUNCH_DETAILS)],
        ),
        Rule(user="half ten", then=[call("record_booking_details", time="half ten")]),
        Rule(user="available", then=[call("check_availability")]),
        Rule(user="yes", then=[call("confirm_booking")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="Brunch on Sunday for two please, Sarah Lim, 9123 4567")
        await session.run(user_input="At half ten")
        checked: RunResult[None] = await session.run(user_input="Is it available?")
        await session.run(user_input="Yes please")
    assert "Available" in last_output(checked) and "10:30 am" in last_output(checked)
    [row] = (await service.list_for_date(SUNDAY, status="confirmed")).items
    assert (row.reservation_time, row.party_size, row.name) == (time(10, 30), 2, "Sarah Lim")
    assert [n.type for n in notices] == ["reservation.created"]


async def test_a_day_and_time_said_together_are_read_together(
    phone_call: Call, service: ReservationService
) -> None:
    model = script(
        Rule(
            user="brunch",
            then=[
                call("transfer_to_reservation", date="Sunday", time="half ten", **BRUNCH_DETAILS)
            ],
        ),
        Rule(user="available", then=[call("check_availability")]),
        Rule(user="yes", then=[call("confirm_booking")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="Brunch on Sunday at half ten, two, Sarah Lim, 9123 4567")
        await session.run(user_input="Is it available?")
        await session.run(user_input="Yes please")
    [row] = (await service.list_for_date(SUNDAY, status="confirmed")).items
    assert row.reservation_time == time(10, 30)


async def test_a_time_said_before_the_day_is_read_again_against_that_day(
    phone_call: Call, service: ReservationService
) -> None:
    model = script(
        Rule(
            user="brunch",
            then=[call("transfer_to_reservation", time="half ten", **BRUNCH_DETAILS)],
        ),
        Rule(user="sunday", then=[call("record_booking_details", date="Sunday")]),
        Rule(user="available", then=[call("check_availability")]),
        Rule(user="yes", then=[call("confirm_booking")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="Brunch at half ten for two please, Sarah Lim, 9123 4567")
        await session.run(user_input="On Sunday")
        await session.run(user_input="Is it available?")
        await session.run(user_input="Yes please")
    [row] = (await service.list_for_date(SUNDAY, status="confirmed")).items
    assert row.reservation_time == time(10, 30)
