"""Greeter to specialists: typed data extracted, normalised, stated to the next agent, recorded."""

from __future__ import annotations

import asyncio
from datetime import time

from livekit.agents import RunResult

from agent.agents.escalation import EscalationAgent
from agent.agents.information import InformationAgent
from agent.agents.reservation import ReservationAgent
from agent.call.state import CallState
from core.services.calls import CallService
from testkit.scripted_llm import Rule, ScriptedLLM, call, say
from tests.support.calls import ANY, GREETING, SESSION_ID, Call, leaves_a_message, script
from tests.support.days import SATURDAY


async def test_greeter_hands_a_booking_over_with_what_was_said(
    phone_call: Call, state: CallState
) -> None:
    model = ScriptedLLM(
        [
            GREETING,
            Rule(
                user="table for four",
                then=[
                    call(
                        "transfer_to_reservation",
                        party_size="four",
                        date="Saturday",
                        time="7pm",
                        name="Mei Ling",
                    )
                ],
            ),
            Rule(agent="reservation", prompt=ANY, then=[say("Saturday at 7 for four.")]),
        ]
    )
    async with phone_call(model) as session:
        result: RunResult[None] = await session.run(
            user_input="Hi, a table for four this Saturday at 7pm please, it's Mei Ling"
        )
    result.expect.next_event().is_function_call(name="transfer_to_reservation")
    result.expect.next_event().is_function_call_output()
    result.expect.skip_next_event_if(type="message")
    result.expect.next_event().is_agent_handoff(new_agent_type=ReservationAgent)
    result.expect.next_event().is_message(role="assistant")
    result.expect.no_more_events()

    draft = state.booking
    assert (draft.party_size, draft.date, draft.time, draft.name) == (
        4,
        SATURDAY,
        time(19, 0),
        "Mei Ling",
    )
    # The reservation agent's context states what is known and what is missing.
    entry = model.requests_for("reservation")[0]
    context = "\n".join(entry.texts("system"))
    assert "party of 4" in context and "Saturday 28 November" in context and "7 pm" in context
    assert "Still needed for a new booking: phone number" in context
    # And it continues the conversation it joined.
    assert any("table for four" in text for text in entry.texts("user"))


async def test_a_bad_extraction_is_dropped_and_asked_again(
    phone_call: Call, state: CallState
) -> None:
    model = script(
        Rule(
            user="table",
            then=[
                call(
                    "transfer_to_reservation",
                    party_size="4",
                    date="31st of February",
                    phone="12345",
                    name="Ravi",
                )
            ],
        )
    )
    async with phone_call(model) as session:
        result: RunResult[None] = await session.run(user_input="A table on 31 February, 12345")
    result.expect.contains_agent_handoff(new_agent_type=ReservationAgent)
    assert state.booking.party_size == 4 and state.booking.name == "Ravi"
    assert state.booking.date is None and state.booking.phone is None
    context = "\n".join(model.requests_for("reservation")[0].texts("system"))
    assert (
        "Said but unclear, ask again: date (31 February doesn't exist.), phone number." in context
    )


async def test_a_group_too_large_is_pointed_to_staff(phone_call: Call, state: CallState) -> None:
    model = script(Rule(user="fifteen", then=[call("transfer_to_reservation", party_size="15")]))
    async with phone_call(model) as session:
        await session.run(user_input="Can I book for fifteen people?")
    assert state.booking.party_size is None and state.oversized_party == 15
    context = "\n".join(model.requests_for("reservation")[0].texts("system"))
    assert "table for 15" in context and "transfer_to_escalation" in context


async def test_information_handoff_answers_the_question_asked(
    phone_call: Call, state: CallState
) -> None:
    model = script(
        Rule(
            user="park",
            then=[call("transfer_to_information", query_type="parking", items=["car park"])],
        ),
        Rule(agent="information", prompt=ANY, then=[say("Duxton Plain Park.")]),
    )
    async with phone_call(model) as session:
        result: RunResult[None] = await session.run(user_input="Where can I park?")
    result.expect.contains_agent_handoff(new_agent_type=InformationAgent)
    result.expect.contains_message(role="assistant")
    entry = model.requests_for("information")[0]
    assert "asked about parking (specifically: car park)" in "\n".join(entry.texts("system"))
    # The facts come from restaurant.toml, not from the prompt's author.
    assert state.restaurant.identity.parking in entry.instructions
    assert entry.kind == "instructions"


async def test_escalation_handoff_records_a_message_for_staff(
    phone_call: Call, state: CallState, calls: CallService
) -> None:
    model = script(*leaves_a_message("complain", "Cold food at dinner last Friday."))
    async with phone_call(model) as session:
        first: RunResult[None] = await session.run(user_input="I want to complain")
        first.expect.contains_agent_handoff(new_agent_type=EscalationAgent)
        second: RunResult[None] = await session.run(user_input="I'm Aisha, 9123 4567")
    second.expect.next_event().is_function_call(name="record_message_for_staff")
    output = second.expect.next_event().is_function_call_output().event().item
    assert "call them back within two hours" in output.output
    [escalation] = await calls.store.open_escalations()
    assert (escalation.phone_number, escalation.reason, escalation.urgency) == (
        "+6591234567",
        "complaint",
        "high",
    )
    assert escalation.session_id == SESSION_ID


async def test_every_handoff_is_recorded_and_summarised(
    phone_call: Call, state: CallState, calls: CallService
) -> None:
    model = script(
        Rule(user="book", then=[call("transfer_to_reservation", party_size="2")]),
        Rule(user="menu", then=[call("transfer_to_information", query_type="menu")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="I'd like to book")
        await session.run(user_input="What's on the menu?")
    await asyncio.gather(*state.background)
    summary = await calls.handoff_summary()
    routes = {(r.from_agent, r.to_agent): r.handoffs for r in summary.routes}
    assert routes == {("greeter", "reservation"): 1, ("reservation", "information"): 1}
    assert summary.reservation_sessions == 1 and summary.booked_sessions == 0


def test_every_agent_knows_the_date_and_time_at_the_restaurant(state: CallState) -> None:
    # NOW is 02:00 UTC: 10:00 in Singapore.
    for agent in state.agents.values():
        assert isinstance(agent.instructions, str)
        assert "It is now Tuesday 24 November 2026, 10:00 at the restaurant." in agent.instructions
