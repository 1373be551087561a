"""Scripted calls to the real agents in-process: a scripted model that greets and follows a
test's rules, what the agents publish to the room, and the booking a caller asks for."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from livekit.agents import AgentSession, llm

from agent.call.room_messages import ReservationNotice
from agent.call.state import CallLimits, CallState
from agent.hooks.call_record import CallRecorder, attach_call_record
from agent.hooks.handoff_log import attach_handoff_log
from core.db.call_log import CallLog, Channel
from core.models import Reservation
from core.services.reservations import ReservationService
from core.settings import Settings
from testkit.scripted_llm import Rule, ScriptedLLM, call, say
from tests.support.days import DINNER, SATURDAY

SESSION_ID = "room-test-call"
# The default limits of one call, whatever a developer's environment or .env sets.
LIMITS = CallLimits.of(Settings.model_construct())
# Any per-turn instructions: rules name the agent, not a phrase of what it was told.
ANY = re.compile(".")
# The greeter's per-turn instructions are its greeting (and, on a return, "anything else?").
GREETING = Rule(agent="greeter", prompt=ANY, then=[say("Thank you for calling, how can I help?")])
# Any other agent's first words on entry, when a test does not care what they are.
ENTRY = Rule(prompt=ANY, then=[say("Sure, I can help with that.")])

# What the greeter hands over for a booking (test_booking_calls.py, test_turn_taking.py).
DETAILS: dict[str, Any] = {
    "party_size": "4",
    "date": "Saturday",
    "time": "7pm",
    "name": "Mei Ling",
    "phone": "9820 7272",
}


def books_a_table(**details: str) -> list[Rule]:
    """A caller's "a table ..." handed over with `details`, "available?" checked, "yes" booked."""
    return [
        Rule(user="table", then=[call("transfer_to_reservation", **details)]),
        Rule(user="available", then=[call("check_availability")]),
        Rule(user="yes", then=[call("confirm_booking")]),
    ]


def leaves_a_message(user: str, summary: str) -> list[Rule]:
    """The caller's `user` handed to the escalation agent with a high-urgency complaint, and
    "Aisha" (her name and number) recorded as a message for staff."""
    return [
        Rule(
            user=user,
            then=[
                call("transfer_to_escalation", reason="complaint", summary=summary, urgency="high")
            ],
        ),
        Rule(
            user="Aisha",
            then=[
                call("record_message_for_staff", name="Aisha", phone="9123 4567", summary=summary)
            ],
        ),
    ]


async def booked_before_the_drop(
    service: ReservationService, caller_key: str | None = None
) -> Reservation:
    """DETAILS' booking, as this call's lost agent made it before its job died (for the caller
    `caller_key` names, if given)."""
    return await service.create(
        phone_number="+6598207272",
        name="Mei Ling",
        reservation_date=SATURDAY,
        reservation_time=DINNER,
        party_size=4,
        session_id=SESSION_ID,
        caller_key=caller_key,
    )


def script(*rules: Rule) -> ScriptedLLM:
    """A model that greets, follows `rules`, and answers every agent's entry prompt."""
    return ScriptedLLM([GREETING, *rules, ENTRY])


class Notices(list[ReservationNotice]):
    """Everything the agent published to the room."""

    async def __call__(self, notice: ReservationNotice) -> None:
        self.append(notice)


@asynccontextmanager
async def in_call(state: CallState, model: llm.LLM[Any]) -> AsyncIterator[AgentSession[CallState]]:
    """One call at the greeter with `model`, as the worker's entrypoint runs it; waits for its
    background writes after."""
    async with recorded_call(state, model, None) as (session, _):
        yield session


@asynccontextmanager
async def recorded_call(
    state: CallState, model: llm.LLM[Any], log: CallLog | None, channel: Channel = "web"
) -> AsyncIterator[tuple[AgentSession[CallState], CallRecorder | None]]:
    """`in_call`, with the call's record written to `log` when given; the record finished and
    background writes awaited after."""
    async with AgentSession[CallState](llm=model, userdata=state) as session:
        # As the worker's entrypoint does.
        attach_handoff_log(session)
        recorder = None if log is None else attach_call_record(session, log, channel)
        await session.start(state.agents["greeter"])
        yield session, recorder
    if recorder is not None:
        await recorder.finish()
    await asyncio.gather(*state.background)


# The `phone_call` fixture (tests/agent/conftest.py): starts a call at the greeter with a model.
Call = Callable[[llm.LLM[Any]], AbstractAsyncContextManager[AgentSession[CallState]]]
