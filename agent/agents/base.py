"""What every agent of the receptionist does: carry the conversation over, and hand off."""

from __future__ import annotations

from livekit.agents import Agent

from agent.agents.handoff_data import HandoffData
from agent.agents.prompts import instructions, voice_style
from agent.call.state import CallState
from core.spoken.details import BookingDetails, read_details

# Enough of the previous agent's conversation to keep context, little enough to stay cheap.
CARRIED_ITEMS = 8


class ReceptionAgent(Agent):
    """Base of the greeter and the specialists; `id` names the agent in handoffs and logs."""

    def __init__(self, state: CallState, *, id: str) -> None:
        standing = instructions(id, state.restaurant)
        style = voice_style(state.restaurant, state.service.now())
        super().__init__(id=id, instructions=f"{standing}\n\n{style}")
        self.state = state

    def read_details(self, **said: str | None) -> BookingDetails:
        """What the caller just said about a booking, read with the restaurant's locale."""
        return read_details(self.state.restaurant, self.state.service.now(), **said)

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
        """The next agent with a line for the caller; `data` goes to the handoff log."""
        self.state.last_handoff = data
        self.state.previous_agent = self
        return self.state.agents[to], line
