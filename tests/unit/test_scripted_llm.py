"""ScriptedLLM against livekit-agents' own testing API (AgentSession.run + RunResult.expect)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Literal

import pytest
from livekit.agents import (
    Agent,
    AgentSession,
    RunContext,
    RunResult,
    ToolError,
    function_tool,
    llm,
)
from livekit.agents import mock_tools as lk_mock_tools
from pydantic import Field

from testkit.scripted_llm import Request, Rule, ScriptedLLM, ScriptError, Step, call, say

DESK_INSTRUCTIONS = "You are the front desk of a toy restaurant. Greet the caller."


@dataclass
class Tally:
    bookings: list[int] = field(default_factory=list)


class DeskAgent(Agent):
    def __init__(self) -> None:
        super().__init__(id="front_desk", instructions=DESK_INSTRUCTIONS)

    async def on_enter(self) -> None:
        self.session.generate_reply(instructions="Greet the caller warmly.")


class ToyAgent(Agent):
    def __init__(self) -> None:
        super().__init__(instructions="You are a toy weather agent.")

    @function_tool
    async def lookup_weather(self, city: str) -> str:
        """Look up today's weather.

        Args:
            city: The city to look up.
        """
        return f"sunny in {city}"

    @function_tool
    async def book_table(
        self,
        ctx: RunContext[Tally],
        party_size: Annotated[int, Field(ge=1, le=12, description="Number of guests")],
        seating: Literal["inside", "terrace"] = "inside",
    ) -> str:
        """Book a table."""
        ctx.disallow_interruptions()
        assert not ctx.speech_handle.interrupted
        ctx.userdata.bookings.append(party_size)
        return f"booked {party_size} {seating}"

    @function_tool
    async def cancel_booking(self, code: str) -> str:
        """Cancel a booking by its code."""
        raise ToolError(f"no booking with code {code}")

    @function_tool
    async def transfer_to_desk(self) -> tuple[Agent, str]:
        """Hand the caller to the front desk."""
        return DeskAgent(), "transferring"


@asynccontextmanager
async def toy_session(model: ScriptedLLM) -> AsyncIterator[AgentSession[Tally]]:
    async with AgentSession[Tally](llm=model, userdata=Tally()) as session:
        await session.start(ToyAgent())
        yield session


async def test_tool_call_then_echoed_reply_and_scripted_judge() -> None:
    model = ScriptedLLM([Rule(user="weather", then=[call("lookup_weather", city="Paris")])])
    async with toy_session(model) as session:
        result: RunResult[None] = await session.run(user_input="What's the weather in Paris?")

    result.expect.next_event().is_function_call(name="lookup_weather", arguments={"city": "Paris"})
    result.expect.next_event().is_function_call_output(output="sunny in Paris", is_error=False)
    reply = result.expect.next_event().is_message(role="assistant")
    assert reply.event().item.text_content == "sunny in Paris"
    result.expect.no_more_events()

    first, second = model.requests
    assert (first.kind, first.trigger) == ("user", "What's the weather in Paris?")
    assert set(first.tool_names) == {
        "lookup_weather",
        "book_table",
        "cancel_booking",
        "transfer_to_desk",
    }
    assert first.instructions == "You are a toy weather agent."
    assert first.agent == "toy_agent"  # livekit's id for an agent class that names none
    assert (second.kind, second.trigger) == ("tool_output", "sunny in Paris")

    def verdict(request: Request) -> list[Step]:
        return [call("check_intent", success="sunny" in request.trigger, reason="scripted")]

    judge = ScriptedLLM([Rule(user="Intent:", then=verdict)])
    await reply.judge(judge, intent="tells the caller the weather")
    assert judge.requests[0].tool_choice == "required"


async def test_handoff_then_on_enter_reply_land_in_the_same_run() -> None:
    model = ScriptedLLM(
        [
            Rule(user="front desk", then=[say("One moment."), call("transfer_to_desk")]),
            Rule(prompt="greet", agent="front_desk", then=[say("Front desk, hello!")]),
        ]
    )
    async with toy_session(model) as session:
        result: RunResult[None] = await session.run(user_input="Put me through to the front desk")
        desk = session.current_agent

    result.expect.next_event().is_message(role="assistant")  # "One moment."
    result.expect.next_event().is_function_call(name="transfer_to_desk")
    result.expect.next_event().is_function_call_output(output="transferring")
    result.expect.next_event().is_message(role="assistant")  # the old agent's echo reply
    handoff = result.expect.next_event().is_agent_handoff(new_agent_type=DeskAgent)
    assert isinstance(handoff.event().old_agent, ToyAgent)
    greeting = result.expect.next_event().is_message(role="assistant")
    assert greeting.event().item.text_content == "Front desk, hello!"
    result.expect.no_more_events()

    assert isinstance(desk, DeskAgent)
    (entered,) = model.requests_for("front_desk")
    assert entered is model.requests[-1]
    assert (entered.kind, entered.trigger) == ("instructions", "Greet the caller warmly.")
    assert entered.instructions == DESK_INSTRUCTIONS
    assert entered.tool_names == []
    assert entered.texts("user") == []  # a new agent starts without the caller's history
    assert model.requests[-2].tool_choice == "none"  # the old agent's reply after handing off
    assert [i.text_content for i in desk.chat_ctx.items if isinstance(i, llm.ChatMessage)] == [
        DESK_INSTRUCTIONS,
        "Front desk, hello!",
    ]


async def test_mock_tools_replaces_execution_only() -> None:
    model = ScriptedLLM([Rule(user="weather", then=[call("lookup_weather", city="Oslo")])])
    async with toy_session(model) as session:
        with lk_mock_tools(ToyAgent, {"lookup_weather": lambda city: f"snowing in {city}"}):
            result: RunResult[None] = await session.run(user_input="weather in Oslo?")

    result.expect.next_event().is_function_call(name="lookup_weather")
    result.expect.next_event().is_function_call_output(output="snowing in Oslo")
    result.expect.next_event().is_message(role="assistant")
    result.expect.no_more_events()


async def test_same_call_twice_in_one_turn_runs_twice() -> None:
    twice = [call("book_table", party_size=4, seating="terrace")] * 2
    model = ScriptedLLM([Rule(user="book", then=[*twice, say("Booked.")], once=True)])
    async with toy_session(model) as session:
        result: RunResult[None] = await session.run(
            user_input="book a table for four on the terrace"
        )
        bookings = session.userdata.bookings

    calls = [ev.item for ev in result.events if ev.type == "function_call"]
    assert [c.name for c in calls] == ["book_table", "book_table"]
    assert len({c.call_id for c in calls}) == 2
    assert bookings == [4, 4]  # livekit does not deduplicate (on_duplicate="allow")
    result.expect[:].contains_function_call_output(output="booked 4 terrace")
    result.expect[-1].is_message(role="assistant")


async def test_tool_errors_become_error_outputs() -> None:
    model = ScriptedLLM(
        [
            Rule(user="cancel", then=[call("cancel_booking", code="X1")]),
            Rule(user="roof", then=[call("book_table", party_size=2, seating="roof")]),
        ]
    )
    async with toy_session(model) as session:
        cancelled: RunResult[None] = await session.run(user_input="cancel X1")
        invalid: RunResult[None] = await session.run(user_input="a roof table for 2")
        bookings = session.userdata.bookings

    cancelled.expect.next_event().is_function_call(name="cancel_booking")
    cancelled.expect.next_event().is_function_call_output(
        output="no booking with code X1", is_error=True
    )
    invalid.expect.next_event().is_function_call(arguments={"seating": "roof"})
    out = invalid.expect.next_event().is_function_call_output(is_error=True).event().item
    assert out.output.startswith("Error parsing arguments for `book_table`")
    assert bookings == []


async def test_unoffered_tool_and_unscripted_turn_fail_readably() -> None:
    model = ScriptedLLM([Rule(user="reserve", then=[call("make_reservation", party_size=2)])])
    async with toy_session(model) as session:
        with pytest.raises(ScriptError, match="'make_reservation' is not offered"):
            await session.run(user_input="reserve a table")
    async with toy_session(ScriptedLLM()) as session:
        with pytest.raises(ScriptError, match="no rule matches request.*'hello'"):
            await session.run(user_input="hello")


def test_rules_match_by_turn_kind_and_once() -> None:
    ctx = llm.ChatContext()
    ctx.add_message(role="system", content="You are Bob.", id="lk.agent_task.instructions")
    ctx.add_message(role="user", content="Table for 4 on Saturday")
    request = Request(ctx, (), None, agent="bob")
    regex = Rule(user=re.compile(r"for (\d+)"), then=[say("ok")], once=True)
    assert (request.kind, request.instructions) == ("user", "You are Bob.")
    assert not Rule(tool_output="", then=[]).matches(request)
    assert not Rule(user="saturday", agent="alice", then=[]).matches(request)
    assert Rule(user="saturday", agent="bob", then=[]).matches(request)
    assert regex.matches(request)
    assert regex.steps(request) == [say("ok")]
    assert not regex.matches(request)
    with pytest.raises(ScriptError, match="no rule matches"):
        ScriptedLLM([regex]).answer(request)
