"""Every handoff: a structured log line, and an analytics row written off the call's path."""

from __future__ import annotations

import asyncio
import logging

from livekit.agents import AgentSession, ConversationItemAddedEvent
from livekit.agents.llm import AgentHandoff

from agent.call.state import CallState

logger = logging.getLogger(__name__)


def attach_handoff_log(session: AgentSession[CallState]) -> None:
    """Log each handoff's entities (personal data masked) and record it in the background."""

    @session.on("conversation_item_added")
    def _handed_off(event: ConversationItemAddedEvent) -> None:
        item = event.item
        # The first agent's start is a handoff from nobody; only transfers count.
        if not isinstance(item, AgentHandoff) or item.old_agent_id is None:
            return
        state = session.userdata
        entities = state.last_handoff.entities() if state.last_handoff else {}
        logger.info(
            "handoff",
            extra={
                "session": state.session_id,
                "from_agent": item.old_agent_id,
                "to_agent": item.new_agent_id,
            }
            | {f"entity_{k}": v for k, v in entities.items() if v not in (None, [], False)},
        )
        task = asyncio.create_task(_record(state, item.old_agent_id, item.new_agent_id, entities))
        state.background.add(task)
        task.add_done_callback(state.background.discard)


async def _record(
    state: CallState, from_agent: str, to_agent: str, entities: dict[str, object]
) -> None:
    try:
        await state.calls.record_handoff(
            session_id=state.session_id, from_agent=from_agent, to_agent=to_agent, entities=entities
        )
    except Exception as exc:
        # Analytics must never cost a caller their call.
        logger.warning(
            "handoff not recorded",
            extra={"session": state.session_id, "error": type(exc).__name__},
        )
