"""Every call leaves a record for staff, written as it goes: real agents, scripted model, the
real database."""

from __future__ import annotations

from datetime import UTC, datetime, time

from livekit.agents import CloseEvent, CloseReason

from agent.call.start import resume
from agent.call.state import CallState
from core.db.call_log import CallLog
from core.models import Call, CallLine
from core.services.reservations import ReservationService
from testkit.scripted_llm import Rule, say
from tests.support.calls import (
    DETAILS,
    SESSION_ID,
    books_a_table,
    leaves_a_message,
    recorded_call,
    script,
)
from tests.support.days import SATURDAY


async def record_of(log: CallLog) -> tuple[Call, list[CallLine]]:
    call_id = await log.call_of_session(SESSION_ID)
    assert call_id is not None
    found = await log.call(call_id)
    assert found is not None
    return found


async def test_a_booking_call_is_recorded_turn_by_turn(
    state: CallState, call_log: CallLog, service: ReservationService
) -> None:
    model = script(*books_a_table(**DETAILS))
    async with recorded_call(state, model, call_log) as (session, recorder):
        assert recorder is not None
        await session.run(user_input="A table for 4 on Saturday at 7pm, Mei Ling, 9820 7272")
        await session.run(user_input="Is it available?")
        await session.run(user_input="Yes, book it")
        # Written as the call goes: a job that died now would leave all of this.
        await recorder.written()
        during, lines = await record_of(call_log)
        assert during.outcome == "in_progress" and during.ended_at is None
        assert [line.text for line in lines if line.speaker == "caller"] == [
            "A table for 4 on Saturday at 7pm, Mei Ling, 9820 7272",
            "Is it available?",
            "Yes, book it",
        ]
    [booking] = (await service.list_for_date(SATURDAY, status="confirmed")).items
    record, lines = await record_of(call_log)
    code = booking.confirmation_code
    assert (record.outcome, record.channel, record.booked, record.covers_booked) == (
        "booked",
        "web",
        [code],
        4,
    )
    assert record.agents == ["greeter", "reservation"]
    assert record.ended_at is not None and record.duration_seconds is not None
    said = [(line.speaker, line.text) for line in lines]
    # Both sides, and the booking inline where it was made.
    assert ("agent", "Thank you for calling, how can I help?") in said
    booked_at = said.index(("tool", f"booked {code} for 4 on Sat 19:00"))
    assert said.index(("caller", "Yes, book it")) < booked_at
    assert ("tool", "check_availability") in said[:booked_at]
    assert [line.at for line in lines] == sorted(line.at for line in lines)


async def test_a_message_for_staff_is_a_callback(state: CallState, call_log: CallLog) -> None:
    model = script(*leaves_a_message("complain", "Cold food."))
    async with recorded_call(state, model, call_log, "phone") as (session, _):
        await session.run(user_input="I want to complain")
        await session.run(user_input="I'm Aisha, 9123 4567")
    record, lines = await record_of(call_log)
    assert (record.outcome, record.channel, record.callbacks) == ("callback", "phone", 1)
    assert ("tool", "record_message_for_staff") in [(x.speaker, x.text) for x in lines]


async def test_a_caller_who_hangs_up_before_anything_is_done(
    state: CallState, call_log: CallLog
) -> None:
    async with recorded_call(state, script(), call_log) as (session, _):
        session.emit("close", CloseEvent(reason=CloseReason.PARTICIPANT_DISCONNECTED, error=None))
    record, _ = await record_of(call_log)
    assert (record.outcome, record.caller_hung_up, record.failed) == ("hung_up", True, None)


async def test_a_resumed_call_continues_its_record(state: CallState, call_log: CallLog) -> None:
    # The lost agent's record, as far as it got before its job died.
    first = await call_log.open_call(SESSION_ID, "web", None)
    await call_log.add_line(first, datetime.now(UTC), "caller", "greeter", "I'd like a table")
    await call_log.mark_dropped(SESSION_ID)
    dropped, _ = await record_of(call_log)
    assert (dropped.outcome, dropped.drops) == ("dropped", 1)

    await resume(state)
    model = script(Rule(user="still there", then=[say("Yes, I'm here.")]))
    async with recorded_call(state, model, call_log) as (session, _):
        await session.run(user_input="Hello? Are you still there?")
    record, lines = await record_of(call_log)
    assert record.id == first and record.resumptions == 1 and record.dropped_at is None
    assert record.drops == 1
    callers = [x.text for x in lines if x.speaker == "caller"]
    assert callers == ["I'd like a table", "Hello? Are you still there?"]
    assert record.outcome == "no_action" and record.ended_at is not None


async def test_a_booking_the_lost_agent_never_wrote_down_is_on_the_resumed_record_once(
    state: CallState, call_log: CallLog, service: ReservationService
) -> None:
    # The lost agent booked, and its job died before the record heard of it.
    await call_log.open_call(SESSION_ID, "web", None)
    made = await service.create(
        phone_number="+6598207272",
        name="Mei Ling",
        reservation_date=SATURDAY,
        reservation_time=time(19, 0),
        party_size=4,
        session_id=SESSION_ID,
    )
    await call_log.mark_dropped(SESSION_ID)
    model = script(Rule(user="still there", then=[say("Yes, I'm here.")]))
    # Picked up twice: the second agent finds the code already there and adds nothing.
    for _ in range(2):
        await resume(state)
        async with recorded_call(state, model, call_log) as (session, _):
            await session.run(user_input="Hello? Are you still there?")
    record, _ = await record_of(call_log)
    assert (record.booked, record.covers_booked) == ([made.confirmation_code], 4)
    assert record.outcome == "booked"
