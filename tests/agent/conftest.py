"""Fixtures for the real agents, driven by a scripted model, against the real test database (the
helpers they share are in tests/support/calls.py)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from livekit.agents import AgentSession, llm

from agent.call.start import new_call
from agent.call.state import CallState
from core.services.calls import CallService
from core.services.proofs import FailedProofs
from core.services.reservations import ReservationService
from tests.support.calls import LIMITS, SESSION_ID, Call, Notices, in_call


@pytest.fixture
def notices() -> Notices:
    return Notices()


@pytest.fixture
def state(
    service: ReservationService, calls: CallService, proofs: FailedProofs, notices: Notices
) -> CallState:
    return new_call(service, calls, proofs, SESSION_ID, notices, LIMITS)


@pytest.fixture
def phone_call(state: CallState) -> Call:
    """Start a call at the greeter with `model`; waits for background writes after."""

    def start(model: llm.LLM[Any]) -> AbstractAsyncContextManager[AgentSession[CallState]]:
        return in_call(state, model)

    return start
