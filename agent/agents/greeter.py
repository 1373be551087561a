"""The first voice a caller hears: finds out what they want and hands them on."""

from __future__ import annotations

from agent.agents import prompts
from agent.agents.base import ReceptionAgent
from agent.agents.phrasing import describe_booking
from agent.agents.transfers import (
    transfer_to_escalation,
    transfer_to_information,
    transfer_to_reservation,
)


class Greeter(ReceptionAgent):
    role = "greeter"
    offers = (transfer_to_reservation, transfer_to_information, transfer_to_escalation)

    def entry_instructions(self) -> str:
        if self.state.previous_agent is None and self.state.resumed:
            booked = [describe_booking(r) for r in self.state.booked_earlier]
            return prompts.resumed_call(booked)
        if self.state.previous_agent is None:
            # Callers must know before they say anything (docs/privacy.md, "Recording calls").
            recorded = ", tell them that this call is recorded," if self.state.recorded else ""
            return (
                f"Greet the caller: thank them for calling {self.state.restaurant.name}"
                f"{recorded} and ask how you can help."
            )
        return "Ask what else you can help with."
