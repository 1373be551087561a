"""A caller who tries to flood the book or the staff's phone from one call: the agent books and
takes messages only up to the call's limits, and says why (real agents and database, scripted
model; a tool's refusal the script does not answer is what the agent says)."""

from __future__ import annotations

from livekit.agents import RunResult

from agent.agents.prompts import booking_limit, callback_limit
from agent.call.start import resume
from agent.call.state import CallLimits, CallState
from core.services.calls import CallService
from core.services.reservations import ReservationService
from testkit.scripted_llm import Rule, call
from tests.support.calls import DETAILS, Call, booked_before_the_drop, script
from tests.support.days import SATURDAY

BOOKING = [
    Rule(user="table", then=[call("transfer_to_reservation", **DETAILS)]),
    Rule(user="available", then=[call("check_availability")]),
    Rule(user="yes", then=[call("confirm_booking")]),
    # Each under another number, as a flood would be (one phone books once a day).
    Rule(user="8pm", then=[call("record_booking_details", time="8pm", phone="9123 4567")]),
    Rule(user="6pm", then=[call("record_booking_details", time="6pm", phone="9345 6789")]),
]


def refused_aloud(result: RunResult[None], tool: str, refusal: str) -> None:
    """`tool` refused with `refusal`, and the agent said it: why, and what the caller can do."""
    result.expect.next_event().is_function_call(name=tool)
    result.expect.next_event().is_function_call_output(output=refusal, is_error=True)
    spoken = result.expect.next_event().is_message(role="assistant").event().item
    assert refusal in (spoken.text_content or "")


async def saturday_bookings(service: ReservationService) -> list[str]:
    page = await service.list_for_date(SATURDAY, status="confirmed")
    return [f"{row.reservation_time:%H:%M}" for row in page.items]


async def test_a_booking_past_the_calls_limit_is_refused_and_explained(
    phone_call: Call, state: CallState, service: ReservationService
) -> None:
    state.limits = CallLimits(bookings=2, callbacks=2)
    async with phone_call(script(*BOOKING)) as session:
        for said in ["A table for 4 on Saturday at 7pm, Mei Ling, 9820 7272", "Also at 8pm"]:
            await session.run(user_input=said)
            await session.run(user_input="Is it available?")
            await session.run(user_input="Yes, book it")
        await session.run(user_input="And another at 6pm")
        third: RunResult[None] = await session.run(user_input="Is it available?")
        again: RunResult[None] = await session.run(user_input="Yes, book it")

    refusal = booking_limit(state.restaurant, 2)
    assert "at most 2 bookings" in refusal and state.restaurant.identity.phone in refusal
    refused_aloud(third, "check_availability", refusal)
    # Nothing was read back, so nothing can be confirmed either.
    again.expect.next_event().is_function_call(name="confirm_booking")
    again.expect.next_event().is_function_call_output(is_error=True)
    assert sorted(await saturday_bookings(service)) == ["19:00", "20:00"]
    assert len(state.booked) == 2


async def test_bookings_made_before_the_call_was_picked_up_again_count(
    phone_call: Call, state: CallState, service: ReservationService
) -> None:
    await booked_before_the_drop(service)
    state.limits = CallLimits(bookings=1, callbacks=1)
    await resume(state)
    async with phone_call(script(*BOOKING)) as session:
        await session.run(user_input="A table for 4 on Saturday at 7pm, Mei Ling, 9820 7272")
        await session.run(user_input="Make it 8pm")
        checked: RunResult[None] = await session.run(user_input="Is it available?")
    refused_aloud(checked, "check_availability", booking_limit(state.restaurant, 1))
    assert await saturday_bookings(service) == ["19:00"]


async def test_messages_for_staff_past_the_calls_limit_are_refused_and_explained(
    phone_call: Call, state: CallState, calls: CallService
) -> None:
    state.limits = CallLimits(bookings=3, callbacks=1)

    def message(name: str, summary: str) -> Rule:
        return Rule(
            user=name,
            then=[call("record_message_for_staff", name=name, phone="9123 4567", summary=summary)],
        )

    model = script(
        Rule(
            user="manager",
            then=[call("transfer_to_escalation", reason="complaint", summary="Cold food.")],
        ),
        message("Aisha", "Cold food last Friday."),
        message("Bala", "Call me about a refund too."),
    )
    async with phone_call(model) as session:
        await session.run(user_input="I want the manager to call me")
        first: RunResult[None] = await session.run(user_input="I'm Aisha, 9123 4567")
        second: RunResult[None] = await session.run(user_input="And one from my friend Bala")

    first.expect.next_event().is_function_call(name="record_message_for_staff")
    first.expect.next_event().is_function_call_output(is_error=False)
    refusal = callback_limit(state.restaurant, 1)
    assert "within two hours" in refusal and state.restaurant.identity.phone in refusal
    refused_aloud(second, "record_message_for_staff", refusal)
    [taken] = await calls.store.open_escalations()
    assert taken.name == "Aisha"
    assert state.callbacks == 1
