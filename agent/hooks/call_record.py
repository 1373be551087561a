"""The call's record for staff, written as the call goes: each line of both sides and each tool
the agent ran as it happens, so a job that dies loses at most its last turn.

Writes go through one queue, in order, off the call's path: a database that is slow or down
costs the record, never the caller their call.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from livekit.agents import (
    AgentSession,
    CloseEvent,
    CloseReason,
    ConversationItemAddedEvent,
    FunctionToolsExecutedEvent,
)
from livekit.agents.llm import AgentHandoff, ChatMessage

from agent.call.state import CallState
from core.db.call_log import CallFacts, CallLog, Channel, Speaker, no_facts
from core.models import CallOutcome, Reservation

logger = logging.getLogger(__name__)

Write = Callable[[int], Awaitable[None]]
# The tools whose work is said by the booking change they made (CallState.done).
BOOKING_TOOLS = {"confirm_booking", "change_booking", "cancel_booking"}
# What failed, by the error livekit reports when it closes a session.
FAILURES = {
    "llm_error": "llm",
    "realtime_model_error": "llm",
    "stt_error": "stt",
    "tts_error": "tts",
}


def _at(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC)


def _when(reservation: Reservation) -> str:
    return f"{reservation.party_size} on {reservation.starts_at:%a %H:%M}"


def reply_delay(item: ChatMessage) -> float | None:
    """Seconds from the caller's end of turn to this reply, if livekit measured it."""
    delay = item.metrics.get("e2e_latency")
    return float(delay) if isinstance(delay, int | float) else None


def booking_line(kind: str, reservation: Reservation) -> str:
    """A booking change as the transcript shows it: "booked K7M3QX for 4 on Sat 19:30"."""
    code = reservation.confirmation_code
    if kind == "created":
        return f"booked {code} for {_when(reservation)}"
    if kind == "updated":
        return f"changed {code} to {_when(reservation)}"
    return f"cancelled {code}"


class CallRecorder:
    """One call's record: opened at its first write, continued by a resumed call's agent."""

    def __init__(self, log: CallLog, state: CallState, channel: Channel) -> None:
        self.log = log
        self.state = state
        self.channel = channel
        self.call_id: int | None = None
        # The agent the caller is talking to now.
        self.agent: str | None = None
        self.ended = False
        # The record's outcome once its end is written; None before, or if it could not be.
        self.outcome: CallOutcome | None = None
        self._closing = False
        self._queue: asyncio.Queue[Write | None] = asyncio.Queue()
        self._writer = asyncio.create_task(self._write_all())

    def put(self, write: Write) -> None:
        self._queue.put_nowait(write)

    async def _write_all(self) -> None:
        while (write := await self._queue.get()) is not None:
            try:
                if self.call_id is None:
                    self.call_id = await self.log.open_call(
                        self.state.session_id, self.channel, self.state.caller_number
                    )
                await write(self.call_id)
            except Exception as exc:
                logger.warning(
                    "call record not written",
                    extra={"session": self.state.session_id, "error": type(exc).__name__},
                )
            finally:
                self._queue.task_done()

    async def _nothing(self, call_id: int) -> None:
        """Opens the record (on the queue's first write) and writes nothing more."""

    def start(self) -> None:
        self.put(self._nothing)

    def line(self, at: float, speaker: Speaker, text: str, agent: str | None = None) -> None:
        who, when = agent or self.agent, _at(at)
        self.put(lambda call_id: self.log.add_line(call_id, when, speaker, who, text))

    def facts(self, facts: CallFacts) -> None:
        self.put(lambda call_id: self.log.note_facts(call_id, facts))

    def end(self, *, caller_hung_up: bool, failed: str | None) -> None:
        if self.ended:
            return
        self.ended = True

        async def write(call_id: int) -> None:
            self.outcome = await self.log.end_call(
                call_id, caller_hung_up=caller_hung_up, failed=failed
            )

        self.put(write)

    async def written(self) -> None:
        """Wait until everything queued so far is written (or given up on)."""
        await self._queue.join()

    async def finish(self) -> None:
        """Everything queued written (the call ended by the job's end if not before); as often
        as asked."""
        self.end(caller_hung_up=False, failed=None)
        if not self._closing:
            self._closing = True
            self._queue.put_nowait(None)
        await self._writer


def attach_call_record(
    session: AgentSession[CallState], log: CallLog, channel: Channel
) -> CallRecorder:
    """Record the call on `log` from the session's events; await `finish()` at the job's end."""
    state = session.userdata
    recorder = CallRecorder(log, state, channel)
    recorder.start()
    if state.resumed:
        # What the lost agent booked is in the database even if its record never heard of it.
        recorder.put(log.note_bookings_of_session)

    @session.on("conversation_item_added")
    def _item(event: ConversationItemAddedEvent) -> None:
        item = event.item
        if isinstance(item, AgentHandoff):
            recorder.agent = agent = item.new_agent_id
            recorder.put(lambda call_id: log.note_agent(call_id, agent))
            return
        if not isinstance(item, ChatMessage) or not (text := item.text_content):
            return
        if item.role == "user":
            recorder.line(item.created_at, "caller", text)
        elif item.role == "assistant":
            recorder.line(item.created_at, "agent", text)
            if (delay := reply_delay(item)) is not None:
                recorder.put(lambda call_id: log.note_reply_delay(call_id, delay))
            if recorder.agent == "information":
                recorder.facts(no_facts() | {"questions": 1})

    @session.on("function_tools_executed")
    def _tools(event: FunctionToolsExecutedEvent) -> None:
        facts = no_facts()
        done, state.done = state.done, []
        for kind, reservation in done:
            recorder.line(event.created_at, "tool", booking_line(kind, reservation))
            if kind == "created":
                facts["booked"].append(reservation.confirmation_code)
                facts["covers"] += reservation.party_size
            else:
                facts["changed" if kind == "updated" else "cancelled"].append(
                    reservation.confirmation_code
                )
        for call, output in zip(event.function_calls, event.function_call_outputs, strict=False):
            ok = output is not None and not output.is_error
            if call.name not in BOOKING_TOOLS or not ok:
                recorder.line(event.created_at, "tool", call.name + ("" if ok else " (refused)"))
            if ok and call.name == "record_message_for_staff":
                facts["callbacks"] += 1
            if ok and call.name == "put_through_to_staff":
                facts["transferred"] = True
        if facts != no_facts():
            recorder.facts(facts)

    @session.on("close")
    def _closed(event: CloseEvent) -> None:
        failed = None
        if event.error is not None:
            failed = FAILURES.get(getattr(event.error, "type", ""), "agent")
        elif event.reason == CloseReason.ERROR:
            failed = "agent"
        recorder.end(
            caller_hung_up=event.reason == CloseReason.PARTICIPANT_DISCONNECTED, failed=failed
        )

    return recorder
