"""What a phone line adds to the agents: caller ID for the booking, phone-only tools, and the
transfer's fallback; a browser call has none of it."""

from __future__ import annotations

from livekit.agents import RunResult

from agent.call.state import CallState
from agent.phone.line import PhoneLine, attach_phone_line
from testkit.scripted_llm import Rule, ScriptedLLM, call, say
from tests.support.calls import ANY, Call, script

CALLER = PhoneLine(identity="sip_caller", caller_number="+6598207272")
WITHHELD = PhoneLine(identity="sip_anonymous", caller_number=None)
# The greeter hands over a booking in which the caller gave no number.
NO_NUMBER = Rule(
    user="table for four",
    then=[
        call(
            "transfer_to_reservation", party_size="4", date="Saturday", time="7pm", name="Mei Ling"
        )
    ],
)
PHONE_TOOLS = {"end_call", "key_in_on_keypad", "put_through_to_staff"}


def reservation_entry(model: ScriptedLLM) -> tuple[str, list[str]]:
    entry = model.requests_for("reservation")[0]
    return "\n".join(entry.texts("system")), entry.tool_names


async def test_the_caller_id_is_the_booking_phone_and_the_agent_confirms_it(
    phone_call: Call, state: CallState
) -> None:
    model = script(NO_NUMBER, Rule(agent="reservation", prompt=ANY, then=[say("Shall I...?")]))
    async with phone_call(model) as session:
        await attach_phone_line(session, CALLER)
        await session.run(user_input="A table for four on Saturday at 7pm, I'm Mei Ling")
    assert state.caller_number == "+6598207272" and state.booking.phone == "+6598207272"
    briefing, tools = reservation_entry(model)
    assert "calling from, ending 7272" in briefing
    # Nothing is missing: the caller is not asked for a number.
    assert "Still needed for a new booking" not in briefing
    assert "key_in_on_keypad" in tools
    # end_call is the agent's, but hidden while it enters (EndCallTool's ignore_on_enter).
    assert "end_call" not in tools
    assert "end_call" in {tool.id for tool in state.agents["reservation"].tools}


async def test_a_withheld_number_is_asked_for_and_the_keypad_is_offered(
    phone_call: Call, state: CallState
) -> None:
    model = script(NO_NUMBER, Rule(agent="reservation", prompt=ANY, then=[say("Your number?")]))
    async with phone_call(model) as session:
        await attach_phone_line(session, WITHHELD)
        await session.run(user_input="A table for four on Saturday at 7pm, I'm Mei Ling")
    assert state.caller_number is None and state.booking.phone is None
    briefing, tools = reservation_entry(model)
    assert (
        "calling from" not in briefing
        and "Still needed for a new booking: phone number" in briefing
    )
    assert "key_in_on_keypad" in tools


async def test_a_browser_call_has_no_phone_tools(phone_call: Call, state: CallState) -> None:
    model = script(NO_NUMBER, Rule(agent="reservation", prompt=ANY, then=[say("Your number?")]))
    async with phone_call(model) as session:
        await session.run(user_input="A table for four on Saturday at 7pm, I'm Mei Ling")
    _, tools = reservation_entry(model)
    assert not PHONE_TOOLS & set(tools)
    assert not any(PHONE_TOOLS & set(r.tool_names) for r in model.requests)


async def test_with_no_staff_on_the_line_now_the_agent_takes_a_message(
    phone_call: Call, state: CallState
) -> None:
    # The test clock is Tuesday 10:00, before lunch: restaurant.toml has no after-hours line.
    model = script(
        Rule(
            user="speak to someone",
            then=[call("transfer_to_escalation", reason="other", summary="Wants a person.")],
        ),
        Rule(agent="escalation", prompt=ANY, then=[call("put_through_to_staff")]),
        Rule(after_tool="put_through_to_staff", then=[say("Nobody's free; may I take a message?")]),
    )
    async with phone_call(model) as session:
        await attach_phone_line(session, CALLER)
        result: RunResult[None] = await session.run(user_input="Can I speak to someone?")
    [output] = [
        r.tool_outputs[-1]
        for r in model.requests
        if r.kind == "tool_output" and r.tool_outputs[-1].name == "put_through_to_staff"
    ]
    assert output.is_error and "Nobody can take calls right now" in output.output
    assert "take a message" in output.output
    result.expect.contains_message(role="assistant")
