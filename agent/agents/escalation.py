"""Takes a message for the staff when the other agents cannot help."""

from __future__ import annotations

from typing import Annotated

from livekit.agents import ToolError, function_tool
from pydantic import Field

from agent.agents import prompts
from agent.agents.base import ReceptionAgent
from agent.agents.transfers import transfer_to_information, transfer_to_reservation
from agent.call.state import RunContext_T
from core.errors import DatabaseUnavailable, InvalidValue
from core.spoken.details import read_phone


@function_tool
async def record_message_for_staff(
    context: RunContext_T,
    name: Annotated[str, Field(min_length=1, max_length=100)],
    phone: str,
    summary: Annotated[str, Field(min_length=1, max_length=1000)],
) -> str:
    """Record the message for the staff, once the caller has confirmed their name, phone
    number and summary.

    Args:
        name: the caller's name.
        phone: the caller's phone number as said.
        summary: what the caller needs, in one or two sentences.
    """
    state = context.userdata
    if state.callbacks >= state.limits.callbacks:
        raise ToolError(prompts.callback_limit(state.restaurant, state.limits.callbacks))
    try:
        phone_number = read_phone(state.restaurant, phone)
    except InvalidValue as exc:
        raise ToolError(f"{exc.message} Ask for the number again.") from exc
    issue = state.escalation
    try:
        await state.calls.create_escalation(
            name=name,
            phone_number=phone_number,
            reason=issue.reason if issue else "other",
            summary=summary,
            urgency=issue.urgency if issue else "normal",
            session_id=state.session_id,
        )
    except DatabaseUnavailable as exc:
        raise ToolError(prompts.database_down(state.restaurant)) from exc
    state.callbacks += 1
    promise = state.restaurant.identity.callback_promise
    return f"Message recorded. Tell the caller our team will call them back {promise}."


class EscalationAgent(ReceptionAgent):
    role = "escalation"
    offers = (record_message_for_staff, transfer_to_reservation, transfer_to_information)

    def briefing(self) -> str | None:
        known = []
        if issue := self.state.escalation:
            known.append(f"Reason: {issue.reason} ({issue.urgency} urgency). {issue.summary}")
        if self.state.oversized_party:
            known.append(f"The caller wants a table for {self.state.oversized_party}.")
        if self.state.booking.name:
            known.append(f"Name: {self.state.booking.name}.")
        if self.state.booking.phone:
            known.append(f"Phone: {self.state.booking.phone}.")
        return "Already known: " + " ".join(known) if known else None

    def entry_instructions(self) -> str:
        return (
            "Acknowledge what the caller needs, then ask only for what is still missing "
            "(name, phone number, summary)."
        )
