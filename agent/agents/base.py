"""What every agent of the receptionist does: speak in the restaurant's voice, carry the
conversation over from the agent before, and use the tools it is given."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from livekit.agents import Agent, llm

from agent.agents.prompts import instructions, voice_style
from agent.call.state import CallState

# Enough of the previous agent's conversation to keep context, little enough to stay cheap.
CARRIED_ITEMS = 8


class ReceptionAgent(Agent):
    """Base of the greeter and the specialists; `role` names the agent in handoffs and logs.

    Each agent lists its tools: module-level function tools that read the call from their
    `RunContext`, so a tool several agents share is written once (agent/agents/transfers.py,
    agent/agents/existing_bookings.py). A phone line adds its own (agent/phone/line.py).
    """

    # Each agent names itself (in handoffs and logs) and lists every tool it offers.
    role: ClassVar[str]
    offers: ClassVar[Sequence[llm.Tool]]

    def __init__(self, state: CallState) -> None:
        standing = instructions(self.role, state.restaurant)
        style = voice_style(state.restaurant, state.service.now())
        # By name, the order livekit gives a class's own tool methods: the list the model sees
        # stays the same whatever order an agent names its tools in.
        listed: list[llm.Tool | llm.Toolset] = sorted(self.offers, key=lambda tool: tool.id)
        super().__init__(id=self.role, instructions=f"{standing}\n\n{style}", tools=listed)
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
        if self.state.handoff_waiting:
            # What a transfer that lost to this one in the same turn wanted
            # (agent/agents/transfers.py:_hand_off).
            chat_ctx.add_message(role="system", content=" ".join(self.state.handoff_waiting))
            self.state.handoff_waiting = []
        await self.update_chat_ctx(chat_ctx)
        self.session.generate_reply(instructions=self.entry_instructions())
