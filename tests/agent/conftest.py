"""Fixtures for the real agents, driven by a scripted model, against the real test database (the
helpers they share are in tests/support/calls.py)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from livekit.agents import AgentSession, llm

from agent.call.start import new_call
from agent.call.state import CallState
from agent.speech_models import speech_models
from core.services.calls import CallService
from core.services.proofs import FailedProofs
from core.services.reservations import ReservationService
from core.settings import Settings
from tests.support.calls import LIMITS, SESSION_ID, Call, Notices, in_call


@pytest.fixture(scope="module")
def model() -> llm.LLM[Any]:
    """The pipeline's real language model, for the evals (tests/agent/test_evals*.py)."""
    settings = Settings(speech_mode="pipeline")
    if settings.openai_api_key is None or not settings.openai_api_key.get_secret_value():
        pytest.fail(
            "The evals talk to a real language model: set OPENAI_API_KEY (and LLM_MODEL and "
            "OPENAI_BASE_URL for another OpenAI-compatible provider).",
            pytrace=False,
        )
    chosen = speech_models(settings)["llm"]
    assert isinstance(chosen, llm.LLM)
    return chosen


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
