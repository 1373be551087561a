"""The caller's next turn is endpointed for what the agent asked: real agents, scripted model."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from livekit.agents import AgentSession, llm
from livekit.agents.voice.events import UserInputTranscribedEvent

from agent.call.state import CallState
from agent.turns.detection import TurnTaking, attach_turn_taking
from agent.turns.endpointing import AnswerKind
from core.settings import Settings
from testkit.scripted_llm import Rule, call, say
from tests.support.calls import ANY, DETAILS, script

SETTINGS = Settings(
    turn_quick_seconds=0.2, turn_default_seconds=0.5, turn_patient_seconds=1.2, turn_hold_seconds=2
)
WITHOUT_PHONE = {k: v for k, v in DETAILS.items() if k != "phone"}


@asynccontextmanager
async def listening(
    model: llm.LLM[Any], state: CallState
) -> AsyncIterator[tuple[AgentSession[CallState], TurnTaking]]:
    """A call whose turn taking is attached as the worker's entrypoint attaches it."""
    async with AgentSession[CallState](llm=model, userdata=state) as session:
        turns = attach_turn_taking(session, SETTINGS)
        await session.start(state.agents["greeter"])
        yield session, turns
    await asyncio.gather(*state.background)


def min_delay(session: AgentSession[CallState]) -> float:
    return session.options.endpointing["min_delay"]


async def test_asking_for_the_phone_number_makes_the_next_turn_patient(state: CallState) -> None:
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", **WITHOUT_PHONE)]),
        Rule(agent="reservation", prompt=ANY, then=[say("Thanks, Mei Ling. What's your number?")]),
    )
    async with listening(model, state) as (session, turns):
        greeted = turns.expected  # the greeter asked how it can help
        await session.run(user_input="A table for four on Saturday at 7pm, for Mei Ling")
        assert (greeted, turns.expected) == ("free_text", "phone")
        assert min_delay(session) == SETTINGS.turn_patient_seconds


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        # "Available. ... read them back: ... Ask the caller to confirm": a yes or a no.
        (DETAILS, "yes_no"),
        # "Available. Before booking, ask for: phone number."
        (WITHOUT_PHONE, "phone"),
    ],
)
async def test_the_tool_result_says_what_to_expect_when_the_words_do_not(
    state: CallState, details: dict[str, Any], expected: AnswerKind
) -> None:
    # The model echoes the tool result: no question the patterns recognise.
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", **details)]),
        Rule(user="available", then=[call("check_availability")]),
    )
    async with listening(model, state) as (session, turns):
        await session.run(user_input="A table please")
        await session.run(user_input="Is it available?")
        assert turns.expected == expected
        assert state.expected_answer is None  # used once, for this question only
    if expected == "yes_no":
        assert min_delay(session) == SETTINGS.turn_quick_seconds


async def test_the_agents_own_question_wins_over_the_tool_result(state: CallState) -> None:
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", **DETAILS)]),
        Rule(user="available", then=[call("check_availability")]),
        Rule(
            after_tool="check_availability", then=[say("Before I book, how do I spell the name?")]
        ),
    )
    async with listening(model, state) as (session, turns):
        await session.run(user_input="A table please")
        await session.run(user_input="Is it available?")
        assert turns.expected == "name"


async def test_a_missing_detail_recorded_asks_for_the_next_one(state: CallState) -> None:
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", party_size="2")]),
        Rule(user="Tan", then=[call("record_booking_details", name="Tan")]),
    )
    async with listening(model, state) as (session, turns):
        await session.run(user_input="A table please")
        # "Known: party of 2, name Tan. Still needed: phone number, date, time."
        await session.run(user_input="It's under Tan")
        assert turns.expected == "phone"


async def test_what_the_caller_says_holds_the_turn_until_the_number_is_whole(
    state: CallState,
) -> None:
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", **WITHOUT_PHONE)]),
        Rule(agent="reservation", prompt=ANY, then=[say("And your phone number?")]),
    )
    async with listening(model, state) as (session, turns):
        await session.run(user_input="A table please")
        # Final transcripts as the pipeline's speech-to-text sends them, before the turn ends.
        session.emit("user_input_transcribed", heard("nine eight two zero"))
        assert (turns.wait.reason, min_delay(session)) == ("partial_phone", 2.0)
        session.emit("user_input_transcribed", heard("seven two seven two"))
        assert (turns.wait.reason, min_delay(session)) == ("whole_phone", 0.2)


def heard(transcript: str) -> UserInputTranscribedEvent:
    return UserInputTranscribedEvent(transcript=transcript, is_final=True)


async def test_a_number_typed_on_the_keypad_is_the_callers_turn(state: CallState) -> None:
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", **WITHOUT_PHONE)]),
        Rule(user="98207272", then=[call("record_booking_details", phone="98207272")]),
    )
    async with listening(model, state) as (session, turns):
        await session.run(user_input="A table please")
        await turns.keypad_entry("98207272#")
        assert state.booking.phone == "+6598207272"
        with pytest.raises(ValueError, match="digits ending on '#'"):
            turns.keypad_entry("9820*7272")
