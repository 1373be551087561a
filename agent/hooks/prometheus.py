"""The call's Prometheus metrics: calls under way and ended by outcome, reply delays, tools that
failed. Recorded in the call's job process; with WORKER_METRICS_PORT set the worker serves every
job process's metrics together (agent/worker.py, docs/operations.md)."""

from __future__ import annotations

from livekit.agents import AgentSession, ConversationItemAddedEvent, FunctionToolsExecutedEvent
from livekit.agents.llm import ChatMessage, FunctionCallOutput
from prometheus_client import Counter, Gauge, Histogram

from agent.call.state import CallState
from agent.hooks.call_record import CallRecorder, reply_delay

# A job process that ended (or died) takes its calls with it: "livesum" counts only live ones.
IN_PROGRESS = Gauge(
    "receptionist_worker_calls_in_progress",
    "Calls this worker's job processes carry now.",
    multiprocess_mode="livesum",
)
ENDED = Counter(
    "receptionist_worker_calls_ended",
    "Calls ended, by their record's outcome ('unrecorded': the record could not be ended).",
    ["outcome"],
)
REPLY_DELAY = Histogram(
    "receptionist_worker_reply_delay_seconds",
    "Seconds from the caller's end of turn to the agent's reply (as the call record has them).",
    buckets=(0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0),
)
TOOL_ERRORS = Counter(
    "receptionist_worker_tool_errors",
    "Tool calls that ended in an error: 'refused' (the tool said why, for the caller), "
    "'failed' (it raised something unexpected).",
    ["tool", "kind"],
)
# What livekit-agents gives the model in place of an unexpected exception's text
# (llm.utils.make_function_call_output); a ToolError's is its own message.
UNEXPECTED = "An internal error occurred"


def tool_error(output: FunctionCallOutput | None) -> str | None:
    """'refused', 'failed', or None for a tool call that did not end in an error."""
    if output is None or not output.is_error:
        return None
    return "failed" if output.output == UNEXPECTED else "refused"


class CallMetrics:
    """One call's share of the worker's metrics; `ended()` at the job's end."""

    def __init__(self, session: AgentSession[CallState], recorder: CallRecorder) -> None:
        self._recorder = recorder
        IN_PROGRESS.inc()
        session.on("conversation_item_added", self._item)
        session.on("function_tools_executed", self._tools)

    def _item(self, event: ConversationItemAddedEvent) -> None:
        item = event.item
        if isinstance(item, ChatMessage) and item.role == "assistant":
            if (delay := reply_delay(item)) is not None:
                REPLY_DELAY.observe(delay)

    def _tools(self, event: FunctionToolsExecutedEvent) -> None:
        for call, output in zip(event.function_calls, event.function_call_outputs, strict=False):
            if kind := tool_error(output):
                TOOL_ERRORS.labels(call.name, kind).inc()

    async def ended(self) -> None:
        """Count the call by its record's outcome, once the record is finished."""
        await self._recorder.finish()
        ENDED.labels(self._recorder.outcome or "unrecorded").inc()
        IN_PROGRESS.dec()
