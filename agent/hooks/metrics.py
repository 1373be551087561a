"""Per-turn latency and tool timings as structured log fields; usage at the end of the call."""

from __future__ import annotations

import logging
import time
from typing import Any

from livekit.agents import AgentSession, ConversationItemAddedEvent
from livekit.agents.llm import ChatMessage
from livekit.agents.voice.events import ToolExecutionUpdatedEvent

logger = logging.getLogger("agent.hooks.metrics")

# ChatMessage.metrics keys worth a log line, in seconds.
TURN_FIELDS = (
    "end_of_turn_delay",
    "transcription_delay",
    "llm_node_ttft",
    "tts_node_ttfb",
    "e2e_latency",
)


def attach_metrics(session: AgentSession[Any], session_id: str) -> None:
    tool_started: dict[str, tuple[str, float]] = {}

    @session.on("conversation_item_added")
    def _turn(event: ConversationItemAddedEvent) -> None:
        item = event.item
        if not isinstance(item, ChatMessage):
            return
        fields: dict[str, object] = {
            k: round(v, 4)
            for k, v in item.metrics.items()
            if k in TURN_FIELDS and isinstance(v, int | float)
        }
        if fields:
            logger.info("turn", extra={"session": session_id, "role": item.role, **fields})

    @session.on("tool_execution_updated")
    def _tool(event: ToolExecutionUpdatedEvent) -> None:
        update = event.update
        if update.type == "tool_call_started":
            call = update.function_call
            tool_started[call.call_id] = (call.name, time.perf_counter())
        elif update.type == "tool_call_ended" and update.call_id in tool_started:
            name, started = tool_started.pop(update.call_id)
            logger.info(
                "tool",
                extra={
                    "session": session_id,
                    "tool": name,
                    "status": update.status,
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )


def log_usage(session: AgentSession[Any], session_id: str) -> None:
    """One line per model used in the call, with its token, audio and character counts."""
    for usage in session.usage.model_usage:
        fields = {k: v for k, v in usage.model_dump().items() if v not in (None, 0, 0.0, "")}
        logger.info("usage", extra={"session": session_id} | fields)
