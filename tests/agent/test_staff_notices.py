"""The voice agent's writes announce themselves to staff: a call that books, cancels and leaves a
message writes one outbox notice each, with the row, in the same statement."""

from __future__ import annotations

import asyncpg

from core.services.reservations import ReservationService
from testkit.scripted_llm import Rule, call
from tests.support.calls import SESSION_ID, Call, leaves_a_message, script
from tests.support.database import outbox
from tests.support.days import DINNER, SATURDAY

DETAILS = {
    "party_size": "4",
    "date": "Saturday",
    "time": "7pm",
    "name": "Mei Ling",
    "phone": "9820 7272",
}


async def test_a_call_that_books_cancels_and_asks_for_a_callback_leaves_a_notice_each(
    phone_call: Call, service: ReservationService, pool: asyncpg.Pool
) -> None:
    earlier = await service.create(
        phone_number="+6591112222",
        name="Rajesh",
        reservation_date=SATURDAY,
        reservation_time=DINNER,
        party_size=2,
        session_id="room-earlier-call",
    )
    code = earlier.confirmation_code
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", **DETAILS)]),
        Rule(user="available", then=[call("check_availability")]),
        # The model repeats its booking call: still one booking, and one notice.
        Rule(user="yes", then=[call("confirm_booking"), call("confirm_booking")]),
        Rule(user="code", then=[call("find_booking", confirmation_code=code)]),
        Rule(user="cancel", then=[call("cancel_booking")]),
        *leaves_a_message("manager", "Cold food last Friday."),
    )
    async with phone_call(model) as session:
        await session.run(user_input="A table for 4 on Saturday at 7pm, Mei Ling, 9820 7272")
        await session.run(user_input="Is it available?")
        await session.run(user_input="Yes, book it")
        await session.run(user_input=f"My friend's booking has the code {code}")
        await session.run(user_input="Please cancel it")
        await session.run(user_input="And I want the manager to call me")
        await session.run(user_input="I'm Aisha, 9123 4567")
    notices = await outbox(pool)
    assert [n["event_type"] for n in notices] == [
        "reservation.created",
        "reservation.created",
        "reservation.cancelled",
        "escalation.created",
    ]
    _, booked, cancelled, callback = (n["subject"] for n in notices)
    assert booked["session_id"] == SESSION_ID and booked["status"] == "confirmed"
    assert (cancelled["confirmation_code"], cancelled["status"]) == (code, "cancelled")
    assert (callback["phone_number"], callback["urgency"]) == ("+6591234567", "high")
    assert {n["state"] for n in notices} == {"pending"}
