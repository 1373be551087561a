"""Transfer tools, one mixin per destination, so each agent lists exactly where it can send."""

from __future__ import annotations

from typing import Annotated

from livekit.agents import Agent, function_tool
from pydantic import Field

from agent.agents.base import ReceptionAgent
from agent.agents.handoff_data import (
    BookingIntent,
    EscalationHandoffData,
    EscalationReason,
    InformationHandoffData,
    QueryType,
    ReservationHandoffData,
)
from agent.call.state import RunContext_T
from core.models import Urgency


class ToReservation(ReceptionAgent):
    @function_tool
    async def transfer_to_reservation(
        self,
        ctx: RunContext_T,
        intent: BookingIntent = "book",
        party_size: str | None = None,
        date: str | None = None,
        time: str | None = None,
        name: str | None = None,
        phone: str | None = None,
        notes: str | None = None,
        confirmation_code: str | None = None,
    ) -> tuple[Agent, str]:
        """Hand the caller to the reservations desk to book a table, or to find, change or
        cancel a booking. Pass every detail the caller has already given, so they need not
        repeat it; leave out what they have not said.

        Args:
            intent: book a new table, or change, cancel or look up an existing booking.
            party_size: how many guests, as the caller said it, e.g. "4" or "four of us".
            date: the day as said ("Saturday", "the 25th", "tomorrow") or YYYY-MM-DD.
            time: the time as said ("7pm", "half past seven") or HH:MM (24-hour).
            name: the name for the booking.
            phone: the caller's phone number as said.
            notes: occasion, allergies or seating wishes.
            confirmation_code: the code of an existing booking, if given.
        """
        details = self.read_details(
            party_size=party_size,
            date=date,
            time=time,
            name=name,
            phone=phone,
            notes=notes,
            confirmation_code=confirmation_code,
        )
        self.state.take(details)
        data = ReservationHandoffData(
            intent=intent,
            details=details,
            identity=self.state.identity.strongest(self.state.caller_number),
        )
        return self.hand_off("reservation", data, "One moment, I'll help with the booking.")


class ToInformation(ReceptionAgent):
    @function_tool
    async def transfer_to_information(
        self,
        ctx: RunContext_T,
        query_type: QueryType,
        items: list[str] | None = None,
    ) -> tuple[Agent, str]:
        """Hand the caller to the information desk for questions about opening hours,
        location and directions, parking, the menu, dietary needs or policies.

        Args:
            query_type: what the question is about.
            items: the specific things asked about, e.g. ["vegan options", "Sunday"].
        """
        data = InformationHandoffData(query_type=query_type, items=items or [])
        self.state.information = data
        return self.hand_off("information", data, "Let me find that out for you.")


class ToEscalation(ReceptionAgent):
    @function_tool
    async def transfer_to_escalation(
        self,
        ctx: RunContext_T,
        reason: EscalationReason,
        summary: Annotated[str, Field(max_length=1000)],
        urgency: Urgency = "normal",
    ) -> tuple[Agent, str]:
        """Hand the caller to a colleague who takes a message for the staff: complaints,
        groups larger than we book by phone, private events, special requests, or anything
        you cannot do.

        Args:
            reason: why the caller needs a person.
            summary: one or two sentences on what the caller wants, in their words.
            urgency: high only when it cannot wait until later today.
        """
        data = EscalationHandoffData(reason=reason, urgency=urgency, summary=summary)
        self.state.escalation = data
        return self.hand_off("escalation", data, "I'll take a message for our team.")
