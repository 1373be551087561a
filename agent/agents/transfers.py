"""The transfer tools, one per destination: each agent lists those it may use, so it names
exactly where it can send a caller. Where to transfer is said by these docstrings, which the
model reads with every tool list (agent/agents/prompts.py repeats none of it)."""

from __future__ import annotations

from typing import Annotated

from livekit.agents import Agent, function_tool
from pydantic import Field

from agent.agents.handoff_data import (
    BookingIntent,
    EscalationHandoffData,
    EscalationReason,
    HandoffData,
    InformationHandoffData,
    QueryType,
    ReservationHandoffData,
)
from agent.call.state import RunContext_T
from core.models import Urgency


@function_tool
async def transfer_to_reservation(
    context: RunContext_T,
    intent: BookingIntent = "book",
    party_size: int | str | None = None,
    date: str | None = None,
    time: str | None = None,
    name: str | None = None,
    phone: str | None = None,
    notes: str | None = None,
    confirmation_code: str | None = None,
) -> tuple[Agent, str] | str:
    """Hand the caller to the reservations desk to book a table, or to find, change or
    cancel a booking. Pass every detail the caller has already given, so they need not
    repeat it; leave out what they have not said.

    Args:
        intent: book a new table, or change, cancel or look up an existing booking.
        party_size: how many guests: a number, or as the caller said it ("four of us").
        date: the day as said in English ("Saturday", "the 25th", "tomorrow"), or in
            any language as its weekday and YYYY-MM-DD ("Friday 2026-12-04").
        time: the time as said ("7pm", "half past seven") or HH:MM (24-hour).
        name: the name for the booking.
        phone: the caller's phone number as said.
        notes: occasion, allergies or seating wishes.
        confirmation_code: the code of an existing booking, if given.
    """
    state = context.userdata
    details = state.read_details(
        party_size=party_size,
        date=date,
        time=time,
        name=name,
        phone=phone,
        notes=notes,
        confirmation_code=confirmation_code,
    )
    state.take(details)
    # What the caller wants shapes the desk's briefing (ReservationAgent.briefing).
    state.intent = intent
    data = ReservationHandoffData(
        intent=intent,
        details=details,
        identity=state.identity.strongest(state.attested_number),
    )
    return _hand_off(context, "reservation", data, "One moment, I'll help with the booking.")


@function_tool
async def transfer_to_information(
    context: RunContext_T,
    query_type: QueryType,
    items: list[str] | None = None,
) -> tuple[Agent, str] | str:
    """Hand the caller to the information desk for questions about opening hours,
    location and directions, parking, the menu, dietary needs or policies.

    Args:
        query_type: what the question is about.
        items: the specific things asked about, e.g. ["vegan options", "Sunday"].
    """
    data = InformationHandoffData(query_type=query_type, items=items or [])
    context.userdata.information = data
    return _hand_off(context, "information", data, "Let me find that out for you.")


@function_tool
async def transfer_to_escalation(
    context: RunContext_T,
    reason: EscalationReason,
    summary: Annotated[str, Field(max_length=1000)],
    urgency: Urgency = "normal",
) -> tuple[Agent, str] | str:
    """Hand the caller to a colleague who takes a message for the staff: complaints,
    groups larger than we book by phone, private events, special requests, or anything
    you cannot do.

    Args:
        reason: why the caller needs a person.
        summary: one or two sentences on what the caller wants, in their words.
        urgency: high only when it cannot wait until later today.
    """
    data = EscalationHandoffData(reason=reason, urgency=urgency, summary=summary)
    context.userdata.escalation = data
    return _hand_off(context, "escalation", data, "I'll take a message for our team.")


# What each desk does, as the caller may hear it; as its agent is told; its transfer tool.
_PURPOSE = {
    "reservation": ("the booking", "a booking", "transfer_to_reservation"),
    "information": (
        "your question",
        "a question for the information desk",
        "transfer_to_information",
    ),
    "escalation": ("the message for our team", "a message for our team", "transfer_to_escalation"),
}


def _hand_off(
    context: RunContext_T, to: str, data: HandoffData, line: str
) -> tuple[Agent, str] | str:
    """The next agent with a line for the caller; `data` goes to the handoff log.

    A model may call several transfer tools in one response ("are you open Monday? if not,
    book Tuesday"), and livekit then makes no handoff at all. So the first transfer of a
    turn wins; each later one says what comes after it, in words the caller may hear, and
    leaves a note for the agent the caller goes to (ReceptionAgent.on_enter)."""
    state = context.userdata
    turn = context.speech_handle.id
    if state.handoff_turn == turn and state.last_handoff is not None:
        first = _PURPOSE[_destination(state.last_handoff)][0]
        wanted, noted, tool = _PURPOSE[to]
        state.handoff_waiting.append(
            f"The caller also wants {noted} (what they said is kept): once this is done, "
            f"send them on with {tool}."
        )
        return f"One thing at a time: first {first}, then {wanted}."
    state.handoff_turn = turn
    state.handoff_waiting = []
    state.last_handoff = data
    # The agent running the tool is the one handing off: the next agent carries its
    # conversation over (ReceptionAgent.on_enter).
    state.previous_agent = context.session.current_agent
    return state.agents[to], line


def _destination(data: HandoffData) -> str:
    if isinstance(data, ReservationHandoffData):
        return "reservation"
    return "information" if isinstance(data, InformationHandoffData) else "escalation"
