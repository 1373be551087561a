"""The real agents, driven by a scripted model, against the real test database."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from livekit.agents import AgentSession, llm

from agent.call.room_messages import ReservationNotice
from agent.call.start import new_call
from agent.call.state import CallState
from agent.hooks.handoff_log import attach_handoff_log
from core.services.calls import CallService
from core.services.reservations import ReservationService
from tests.support import Rule, ScriptedLLM, say

SESSION_ID = "room-test-call"
# Any per-turn instructions: rules name the agent, not a phrase of what it was told.
ANY = re.compile(".")
# The greeter's per-turn instructions are its greeting (and, on a return, "anything else?").
GREETING = Rule(agent="greeter", prompt=ANY, then=[say("Thank you for calling, how can I help?")])
# Any other agent's first words on entry, when a test does not care what they are.
ENTRY = Rule(prompt=ANY, then=[say("Sure, I can help with that.")])


def script(*rules: Rule) -> ScriptedLLM:
    """A model that greets, follows `rules`, and answers every agent's entry prompt."""
    return ScriptedLLM([GREETING, *rules, ENTRY])


class Notices(list[ReservationNotice]):
    """Everything the agent published to the room."""

    async def __call__(self, notice: ReservationNotice) -> None:
        self.append(notice)


@pytest.fixture
def notices() -> Notices:
    return Notices()


@pytest.fixture
def state(service: ReservationService, calls: CallService, notices: Notices) -> CallState:
    return new_call(service, calls, SESSION_ID, notices)


Call = Callable[[llm.LLM[Any]], AbstractAsyncContextManager[AgentSession[CallState]]]


@pytest.fixture
def phone_call(state: CallState) -> Call:
    """Start a call at the greeter with `model`; waits for background writes after."""

    @asynccontextmanager
    async def start(model: llm.LLM[Any]) -> AsyncIterator[AgentSession[CallState]]:
        async with AgentSession[CallState](llm=model, userdata=state) as session:
            attach_handoff_log(session)  # as the worker's entrypoint does
            await session.start(state.agents["greeter"])
            yield session
        await asyncio.gather(*state.background)

    return start
