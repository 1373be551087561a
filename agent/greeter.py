"""The first voice a caller hears: finds out what they want and hands them on."""

from __future__ import annotations

from agent.handoffs import ToEscalation, ToInformation, ToReservation
from agent.state import CallState


class Greeter(ToReservation, ToInformation, ToEscalation):
    label = "greeter"

    def __init__(self, state: CallState) -> None:
        name = state.restaurant.name
        super().__init__(
            state,
            f"You answer the phone for {name}, a restaurant. Find out what the caller needs "
            "and transfer them straight away with the right tool: bookings (new, change, "
            "cancel, look up) go to reservations; questions about hours, location, parking, "
            "menu, dietary needs or policies go to information; complaints, events, very large "
            "groups and anything else go to escalation. When you transfer, pass every detail "
            "the caller already gave (party size, date, time, name, phone, notes, or what "
            "they asked about). Do not answer questions or take bookings yourself.",
        )

    def entry_instructions(self) -> str:
        if self.state.previous_agent is None:
            return (
                f"Greet the caller: thank them for calling {self.state.restaurant.name} "
                "and ask how you can help."
            )
        return "Ask what else you can help with."
