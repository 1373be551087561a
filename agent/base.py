"""What every agent of the receptionist does: carry the conversation over, and hand off."""

from __future__ import annotations

from typing import ClassVar

from livekit.agents import Agent

from agent.handoff_callbacks import on_handoff
from agent.handoff_data import HandoffData
from agent.state import CallState

# Enough of the previous agent's conversation to keep context, little enough to stay cheap.
CARRIED_ITEMS = 8

VOICE_STYLE = (
    "You are on a phone call: answer in one or two short, warm sentences, no lists, no "
    "markdown, no emoji. Say dates like 'Saturday the 28th' and times like '7 pm'. "
    "Never invent facts, availability or bookings; only a tool result makes them true. "
    "Answer in the language the caller speaks (Singapore callers may use English, Mandarin, "
    "Malay or Tamil); give tools dates as YYYY-MM-DD and times as HH:MM when the caller "
    "did not speak English."
)


class ReceptionAgent(Agent):
    """Base of the greeter and the specialists."""

    label: ClassVar[str]

    def __init__(self, state: CallState, instructions: str) -> None:
        # The model's own idea of today is its training date: "this Saturday" needs the real one.
        local = state.restaurant.local_now(state.service.now())
        clock = f"It is now {local:%A} {local.day} {local:%B %Y, %H:%M} at the restaurant."
        super().__init__(instructions=f"{instructions}\n\n{VOICE_STYLE} {clock}")
        self.state = state

    def briefing(self) -> str | None:
        """A system note for this agent on entry: what the caller has already said."""
        return None

    def entry_instructions(self) -> str:
        """What to say first on entry."""
        return "Continue the conversation: briefly say how you can help."

    async def on_enter(self) -> None:
        chat_ctx = self.chat_ctx.copy()
        previous = self.state.previous_agent
        if previous is not None and previous is not self:
            carried = previous.chat_ctx.copy(
                exclude_instructions=True,
                exclude_function_call=True,
                exclude_handoff=True,
                exclude_config_update=True,
            ).truncate(max_items=CARRIED_ITEMS)
            seen = {item.id for item in chat_ctx.items}
            chat_ctx.items.extend(item for item in carried.items if item.id not in seen)
        if note := self.briefing():
            chat_ctx.add_message(role="system", content=note)
        await self.update_chat_ctx(chat_ctx)
        self.session.generate_reply(instructions=self.entry_instructions())

    def hand_off(self, to: str, data: HandoffData, line: str) -> tuple[Agent, str]:
        """Record the handoff and return the next agent with a line for the caller."""
        on_handoff(self.state, self.label, to, data)
        self.state.previous_agent = self
        return self.state.agents[to], line
