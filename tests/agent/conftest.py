"""Fixtures for the real agents, driven by a scripted model, against the real test database (the
helpers they share are in tests/support/calls.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from livekit.agents import AgentSession, llm

from agent.call.start import new_call
from agent.call.state import CallState
from agent.hooks.handoff_log import attach_handoff_log
from core.services.calls import CallService
from core.services.reservations import ReservationService
from tests.support.calls import LIMITS, SESSION_ID, Call, Notices


@pytest.fixture
def notices() -> Notices:
    return Notices()


@pytest.fixture
def state(service: ReservationService, calls: CallService, notices: Notices) -> CallState:
    return new_call(service, calls, SESSION_ID, notices, LIMITS)


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
