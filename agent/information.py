"""Answers questions about the restaurant from its configuration: the facts are data."""

from __future__ import annotations

from livekit.agents import ToolError, function_tool

from agent.entities import EntityError, resolve_date
from agent.handoffs import ToEscalation, ToReservation
from agent.phrasing import say_date
from agent.state import CallState, RunContext_T
from core.restaurant import WEEKDAYS, Restaurant


def fact_sheet(restaurant: Restaurant) -> str:
    """Everything the information agent may say, rendered from restaurant.toml."""
    identity, info, rules = restaurant.restaurant, restaurant.info, restaurant.booking
    hours = "; ".join(restaurant.describe_hours(day) for day in WEEKDAYS)
    closed = ", ".join(say_date(day) for day in sorted(rules.closed_dates)) or "none"
    lines = [
        f"Name: {identity.name}. Cuisine: {info.cuisine}",
        f"Address: {identity.address}. Phone: {identity.phone}.",
        f"Directions: {identity.directions}",
        f"Parking: {identity.parking}",
        f"Opening hours: {hours}. Also closed on: {closed}.",
        f"Bookings: up to {rules.max_party_size} guests, up to {rules.max_days_ahead} days "
        f"ahead, at least {rules.min_notice_minutes} minutes' notice; tables for about "
        f"{rules.dining_minutes} minutes.",
        "Menu highlights: " + "; ".join(info.menu_highlights),
        "Dietary: " + " ".join(info.dietary),
        "Policies: " + " ".join(info.policies),
        f"Payment: {info.payment}",
    ]
    return "\n".join(lines)


class InformationAgent(ToReservation, ToEscalation):
    label = "information"

    def __init__(self, state: CallState) -> None:
        super().__init__(
            state,
            f"You answer questions about {state.restaurant.name} using only these facts. "
            "If the answer is not here, say you don't know and offer to take a message for "
            "the staff (escalation). If the caller wants to book or change a booking, "
            "transfer them to reservations.\n\nFACTS\n" + fact_sheet(state.restaurant),
        )

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

    @function_tool
    async def opening_hours_on(self, ctx: RunContext_T, date: str) -> str:
        """Whether we are open on a given day, and when. Use for questions like "are you open
        this Sunday" or "on Christmas Day".

        Args:
            date: the day as said ("Sunday", "25/12", "tomorrow") or YYYY-MM-DD.
        """
        restaurant = self.state.restaurant
        try:
            day = resolve_date(date, self.state.service.now(), restaurant.tz)
        except EntityError as exc:
            raise ToolError(f"{exc.message} Ask which day they mean.") from exc
        services = restaurant.services_on(day)
        if not services:
            return f"We are closed on {say_date(day)}."
        spans = ", ".join(f"{s.service} {s.opens:%H:%M} to {s.closes:%H:%M}" for s in services)
        return f"On {say_date(day)} we are open for {spans}."
