"""A caller books a table over real WebRTC, through the real LiveKit server and worker."""

from __future__ import annotations

import asyncio
import time

from livekit import api

from core.db.call_log import CallLog
from core.db.call_records import CallRecords
from core.db.reservations import ReservationStore
from testkit.caller import Caller
from testkit.stack import LIVEKIT_KEY, LIVEKIT_SECRET, wait_for
from tests.support.stacks import Stack, booked_by_voice, until, until_async


async def room_open(stack: Stack, name: str) -> bool:
    async with api.LiveKitAPI(
        stack.livekit.url.replace("ws://", "http://"), LIVEKIT_KEY, LIVEKIT_SECRET
    ) as server:
        rooms = await server.room.list_rooms(api.ListRoomsRequest(names=[name]))
        return bool(rooms.rooms)


async def book_a_table(caller: Caller, stack: Stack) -> None:
    await caller.join(stack.api_base)
    await until(lambda: caller.agent() is not None, "the agent to join the room")
    await until(lambda: caller.agent_voiced_frames > 0, "the agent's greeting")


async def test_a_caller_books_a_table_by_voice(
    stack: Stack, store: ReservationStore, call_records: CallRecords, call_log: CallLog
) -> None:
    caller = Caller()
    try:
        await book_a_table(caller, stack)
        greeted = len(caller.agent_voiced_at)

        # Silence alone is not a turn: Silero hears nothing, so the STT is never asked.
        await caller.silence(3.0)
        assert caller.said_by("caller") == []

        await booked_by_voice(caller)
    finally:
        await caller.leave()

    # Hanging up ends the call: the agent deletes the room rather than holding its job process
    # for the room's departure timeout (10 s in livekit.yaml).
    hung_up = time.monotonic()
    while await room_open(stack, caller.room.name):
        assert time.monotonic() - hung_up < 5, "the room outlived the call"
        await asyncio.sleep(0.2)

    # The agent spoke over WebRTC, after the greeting too.
    assert len(caller.agent_voiced_at) > greeted > 0
    assert "speaking" in caller.agent_states and "listening" in caller.agent_states
    # Transcriptions of both sides arrived on LiveKit's transcription topic.
    assert len(caller.said_by("caller")) == 2
    notice = caller.notices[0]
    assert len(caller.notices) == 1 and notice["type"] == "reservation.created"
    code = str(notice["confirmation_code"])
    assert any(code in line for line in caller.said_by("agent"))

    # The booking is in PostgreSQL, made in this room, with what the caller said.
    booked = await store.get_by_code(code)
    assert booked is not None
    assert (booked.phone_number, booked.party_size, booked.name) == ("+6598207272", 4, "Mei Ling")
    assert f"{booked.reservation_time:%H:%M}" == "19:00" and booked.status == "confirmed"
    assert booked.session_id == caller.room.name
    # The handoff was recorded with the extracted entities.
    summary = await call_records.handoff_routes()
    assert [(r.from_agent, r.to_agent) for r in summary] == [("greeter", "reservation")]
    # The handoff's log record carries the entities as fields, the phone number masked.
    [handoff] = [
        r
        for r in stack.worker.records()
        if r.get("message") == "handoff" and r.get("session") == caller.room.name
    ]
    assert (handoff["entity_party_size"], handoff["entity_time"]) == (4, "19:00")
    assert handoff["entity_phone"] == "+65******72"
    # No log line of the call, the worker's or the API's, carries the caller's number.
    assert "98207272" not in stack.worker.output() and "98207272" not in stack.api.output()
    # Per-turn latency and tool timings are logged as fields; usage when the call ends.
    mine = [r for r in stack.worker.records() if r.get("session") == caller.room.name]
    turns = [r for r in mine if r["message"] == "turn" and r["role"] == "user"]
    assert len(turns) == 2 and all(float(str(t["end_of_turn_delay"])) > 0 for t in turns)
    tools = {str(r["tool"]) for r in mine if r["message"] == "tool"}
    assert {"transfer_to_reservation", "check_availability", "confirm_booking"} <= tools
    wait_for(
        lambda: any(
            r.get("message") == "usage" and r.get("session") == caller.room.name
            for r in stack.worker.records()
        ),
        "the call's usage summary",
        20,
    )
    await the_call_is_recorded(call_log, caller.room.name, code)


async def the_call_is_recorded(log: CallLog, room: str, code: str) -> None:
    """The call's record: what it did, both sides in order, the booking inline, its length."""
    call_id = await log.call_of_session(room)
    assert call_id is not None

    async def ended() -> bool:
        found = await log.call(call_id)
        return found is not None and found[0].ended_at is not None

    await until_async(ended, "the call's record to end")
    found = await log.call(call_id)
    assert found is not None
    record, lines = found
    assert (record.outcome, record.channel, record.booked, record.covers_booked) == (
        "booked",
        "web",
        [code],
        4,
    )
    assert record.caller_hung_up and record.agents == ["greeter", "reservation"]
    assert record.duration_seconds is not None and record.duration_seconds > 5
    # A reply delay for each of the agent's answers to the caller.
    assert record.reply_delay_p50 is not None and record.reply_delay_worst is not None
    said = [(line.speaker, line.text) for line in lines]
    speakers = [speaker for speaker, _ in said if speaker != "tool"]
    # The greeting, then the caller and the agent in turn.
    assert speakers[:3] == ["agent", "caller", "agent"] and speakers.count("caller") == 2
    booked_at = said.index(("tool", f"booked {code} for 4 on Sat 19:00"))
    assert [s for s, _ in said[:booked_at]].count("caller") == 2
    assert any(code in text for speaker, text in said[booked_at:] if speaker == "agent")


async def test_the_worker_survives_a_livekit_server_restart(
    stack: Stack, store: ReservationStore
) -> None:
    stack.livekit.stop()
    stack.livekit.start()
    # The worker notices and registers again by itself.
    registrations = stack.worker.output().count("registered worker")
    wait_for(
        lambda: stack.worker.output().count("registered worker") > registrations,
        "the worker to register again",
        60,
    )
    caller = Caller()
    try:
        # Dispatched, joined and greeting over WebRTC again.
        await book_a_table(caller, stack)
    finally:
        await caller.leave()
