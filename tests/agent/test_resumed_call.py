"""A new agent in a call whose agent was lost picks up what the call already did."""

from __future__ import annotations

from livekit.agents import RunResult

from agent.call.start import caller_key, resume
from agent.call.state import CallState
from core.services.calls import CallService
from core.services.reservations import ReservationService
from testkit.scripted_llm import Rule, call
from tests.support.calls import SESSION_ID, Call, booked_before_the_drop, script


async def test_a_resumed_call_apologises_and_knows_what_it_booked(
    phone_call: Call, service: ReservationService, calls: CallService, state: CallState
) -> None:
    # What the lost agent did in this room, for this caller, before its job died.
    state.caller_key = caller_key("RM_live", "caller-1")
    booked = await booked_before_the_drop(service, caller_key=state.caller_key)
    await calls.record_handoff(
        session_id=SESSION_ID, from_agent="greeter", to_agent="reservation", entities={}
    )
    await resume(state)
    assert state.resumed and state.booked_earlier == [booked]

    model = script(
        Rule(user="change", then=[call("transfer_to_reservation", intent="change")]),
        Rule(user="eight", then=[call("change_booking", time="8pm")]),
        Rule(user="yes", then=[call("change_booking", time="8pm")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="Hello? Can I change the time?")
        await session.run(user_input="Make it eight")
        changed: RunResult[None] = await session.run(user_input="Yes please")
    greeting = model.requests_for("greeter")[0]
    assert greeting.kind == "instructions" and "cut off" in greeting.trigger
    assert booked.confirmation_code in greeting.trigger and "Do not offer to book" in (
        greeting.trigger
    )
    # The booking is the caller's own: changed without asking them to prove it again.
    output = changed.expect.next_event(type="function_call_output").event().item
    assert not output.is_error and output.output.startswith("Changed.")
    assert (await service.by_code(booked.confirmation_code)).reservation_time.hour == 20


async def test_a_new_call_is_not_resumed(state: CallState) -> None:
    await resume(state)
    assert not state.resumed and state.booked_earlier == []
    assert "cut off" not in state.agents["greeter"].entry_instructions()  # type: ignore[attr-defined]
