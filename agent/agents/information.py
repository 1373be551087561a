"""Answers questions about the restaurant from its configuration: the facts are data."""

from __future__ import annotations

from livekit.agents import ToolError, function_tool

from agent.agents.base import ReceptionAgent
from agent.agents.phrasing import say_date, say_time
from agent.agents.transfers import transfer_to_escalation, transfer_to_reservation
from agent.call.state import RunContext_T
from core.errors import InvalidValue
from core.spoken.details import read_date


@function_tool
async def opening_hours_on(context: RunContext_T, date: str) -> str:
    """Whether we are open on a given day, and when. Use for questions like "are you open
    this Sunday" or "on Christmas Day".

    Args:
        date: the day as said in English ("Sunday", "the 25th", "tomorrow"), or in any
            language as its weekday and YYYY-MM-DD ("Sunday 2026-11-29").
    """
    state = context.userdata
    restaurant = state.restaurant
    try:
        day = read_date(restaurant, state.service.now(), date)
    except InvalidValue as exc:
        raise ToolError(f"{exc.message} Ask which day they mean.") from exc
    services = restaurant.services_on(day)
    if not services:
        return f"We are closed on {say_date(day)}."
    spans = ", ".join(f"{s.service} {say_time(s.opens)} to {say_time(s.closes)}" for s in services)
    return f"On {say_date(day)} we are open for {spans}."


class InformationAgent(ReceptionAgent):
    role = "information"
    offers = (opening_hours_on, transfer_to_reservation, transfer_to_escalation)

    def briefing(self) -> str | None:
        question = self.state.information
        if question is None:
            return None
        items = ", ".join(question.items) or "nothing specific"
        return f"The caller asked about {question.query_type} (specifically: {items})."

    def entry_instructions(self) -> str:
        if self.state.information is None:
            return "Ask what the caller would like to know."
        return "Answer the caller's question first, in one or two sentences, from the facts."
