"""At every handoff: a structured log line, and an analytics row written off the call's path."""

from __future__ import annotations

import asyncio
import logging

from agent.handoff_data import HandoffData
from agent.state import CallState

logger = logging.getLogger(__name__)


def on_handoff(state: CallState, from_agent: str, to_agent: str, data: HandoffData) -> None:
    """Log the extracted entities (personal data masked); record the handoff in the background."""
    entities = data.entities()
    logger.info(
        "handoff",
        extra={"session": state.session_id, "from_agent": from_agent, "to_agent": to_agent}
        | {f"entity_{k}": v for k, v in entities.items() if v not in (None, [], False)},
    )
    task = asyncio.create_task(_record(state, from_agent, to_agent, entities))
    state.background.add(task)
    task.add_done_callback(state.background.discard)


async def _record(
    state: CallState, from_agent: str, to_agent: str, entities: dict[str, object]
) -> None:
    try:
        await state.service.record_handoff(
            session_id=state.session_id, from_agent=from_agent, to_agent=to_agent, entities=entities
        )
    except Exception as exc:
        # Analytics must never cost a caller their call.
        logger.warning(
            "handoff not recorded",
            extra={"session": state.session_id, "error": type(exc).__name__},
        )
