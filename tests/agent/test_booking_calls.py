"""Booking, changing and cancelling in a call: real database, scripted model."""

from __future__ import annotations

from datetime import time
from typing import Any

from livekit.agents import RunResult

from agent.agents.information import InformationAgent
from agent.agents.phrasing import spell_code
from agent.agents.prompts import database_down
from agent.agents.reservation import ReservationAgent
from agent.call.state import CallLimits, CallState
from core.db.pool import create_pool
from core.db.reservations import ReservationStore
from core.services.reservations import ReservationService
from testkit.scripted_llm import Rule, call
from tests.support.calls import DETAILS, SESSION_ID, Call, Notices, script
from tests.support.days import DINNER, SATURDAY


def booking_rules(**details: Any) -> list[Rule]:
    """Greeter hands over `details`; then "check", "yes" and "again" drive the booking."""
    return [
        Rule(user="table", then=[call("transfer_to_reservation", **details)]),
        Rule(user="available", then=[call("check_availability")]),
        Rule(user="yes", then=[call("confirm_booking")]),
    ]


async def confirmed_rows(service: ReservationService) -> list[Any]:
    page = await service.list_for_date(SATURDAY, status="confirmed")
    return page.items


async def test_happy_path_books_once_and_tells_the_room_once(
    phone_call: Call, service: ReservationService, notices: Notices
) -> None:
    model = script(*booking_rules(**DETAILS))
    async with phone_call(model) as session:
        await session.run(user_input="A table for 4 on Saturday at 7pm, Mei Ling, 9820 7272")
        checked: RunResult[None] = await session.run(user_input="Is it available?")
        booked: RunResult[None] = await session.run(user_input="Yes, book it")
    checked.expect.next_event().is_function_call(name="check_availability")
    quote = checked.expect.next_event().is_function_call_output(is_error=False).event().item
    assert "read them back" in quote.output and "Saturday 28 November at 7 pm" in quote.output

    booked.expect.next_event().is_function_call(name="confirm_booking")
    output = booked.expect.next_event().is_function_call_output(is_error=False).event().item
    [row] = await confirmed_rows(service)
    assert (row.phone_number, row.party_size, row.reservation_time) == ("+6598207272", 4, DINNER)
    assert row.session_id == SESSION_ID
    assert spell_code(row.confirmation_code) in output.output
    assert [n.type for n in notices] == ["reservation.created"]
    assert notices[0].confirmation_code == row.confirmation_code
    assert notices[0].reservation_time == "19:00"


async def test_a_repeated_tool_call_books_once(
    phone_call: Call, service: ReservationService, notices: Notices, state: CallState
) -> None:
    # At the call's limit of bookings too: a repeat is the same booking, not one more.
    state.limits = CallLimits(bookings=1, callbacks=1)
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", **DETAILS)]),
        Rule(user="available", then=[call("check_availability")]),
        Rule(user="yes", then=[call("confirm_booking"), call("confirm_booking")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="A table please")
        await session.run(user_input="Is it available?")
        result: RunResult[None] = await session.run(user_input="Yes")
    outputs = [
        e.item.output
        for e in result.events
        if e.type == "function_call_output" and not e.item.is_error
    ]
    assert len(outputs) == 2 and outputs[0] == outputs[1]
    assert len(await confirmed_rows(service)) == 1
    assert len(notices) == 1


async def test_booking_needs_a_check_and_read_back_first(
    phone_call: Call, service: ReservationService
) -> None:
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", **DETAILS)]),
        Rule(user="yes", then=[call("confirm_booking")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="A table please")
        result: RunResult[None] = await session.run(user_input="yes")
    result.expect.next_event().is_function_call(name="confirm_booking")
    result.expect.next_event().is_function_call_output(
        output=(
            "Not booked: availability has not been checked for these exact details. "
            "Call check_availability now."
        ),
        is_error=True,
    )
    assert await confirmed_rows(service) == []


async def test_a_full_slot_offers_the_nearest_times(
    phone_call: Call, service: ReservationService
) -> None:
    for i in range(4):
        await service.create(
            phone_number=f"+659000000{i}",
            name="Regular",
            reservation_date=SATURDAY,
            reservation_time=DINNER,
            party_size=10,
        )
    model = script(*booking_rules(**DETAILS))
    async with phone_call(model) as session:
        await session.run(user_input="A table please")
        result: RunResult[None] = await session.run(user_input="available?")
    output = result.expect.next_event(type="function_call_output").event().item
    assert output.output.startswith("Not available: That time is fully booked.")
    assert "Offer the nearest times: Saturday 28 November at 5:30 pm" in output.output


async def test_invalid_phone_and_date_are_asked_again_and_nothing_is_lost(
    phone_call: Call, state: CallState
) -> None:
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", party_size="2")]),
        Rule(
            user="Tan",
            then=[
                call(
                    "record_booking_details",
                    name="Tan",
                    phone="12345",
                    date="30 February",
                    time="8pm",
                )
            ],
        ),
    )
    async with phone_call(model) as session:
        await session.run(user_input="A table please")
        result: RunResult[None] = await session.run(user_input="Tan, 12345, 30 Feb at 8")
    output = result.expect.next_event(type="function_call_output").event().item
    assert output.is_error
    assert (
        "Not understood, ask again: date (30 February doesn't exist.), phone number."
        in output.output
    )
    assert (state.booking.name, state.booking.time, state.booking.party_size) == (
        "Tan",
        time(20, 0),
        2,
    )


async def test_database_down_is_said_honestly_and_nothing_is_claimed(
    phone_call: Call, state: CallState, service: ReservationService, notices: Notices
) -> None:
    model = script(*booking_rules(**DETAILS))
    async with phone_call(model) as session:
        await session.run(user_input="A table please")
        await session.run(user_input="available?")
        # The database goes away between the quote and the caller's yes.
        dead = await create_pool(
            "postgresql://postgres@/postgres?host=/nonexistent", min_size=0, max_size=1, timeout=1
        )
        state.service = ReservationService(
            ReservationStore(dead, timeout=1), service.restaurant, clock=service.now
        )
        failed: RunResult[None] = await session.run(user_input="yes")
        assert notices == [] and await confirmed_rows(service) == []
        # Back again: the caller's "try again" books what was read back, once.
        state.service = service
        retried: RunResult[None] = await session.run(user_input="yes, try again")
    await dead.close()
    output = failed.expect.next_event(type="function_call_output").event().item
    assert output.is_error and output.output == database_down(service.restaurant)
    assert "nothing was saved" in output.output
    booked = retried.expect.next_event(type="function_call_output").event().item
    assert not booked.is_error and booked.output.startswith("Booked.")
    [row] = await confirmed_rows(service)
    assert row.confirmation_code in booked.output
    assert [n.type for n in notices] == ["reservation.created"]


async def test_change_then_cancel_by_confirmation_code(
    phone_call: Call, service: ReservationService, notices: Notices
) -> None:
    made = await service.create(
        phone_number="+6598207272",
        name="Mei Ling",
        reservation_date=SATURDAY,
        reservation_time=DINNER,
        party_size=4,
    )
    code = made.confirmation_code
    model = script(
        Rule(
            user="change",
            then=[call("transfer_to_reservation", intent="change", confirmation_code=code)],
        ),
        Rule(user="code", then=[call("find_booking", confirmation_code=code.lower())]),
        Rule(user="8pm", then=[call("change_booking", time="8pm", party_size="5")]),
        Rule(user="yes", then=[call("change_booking", time="8pm", party_size=5)]),
        Rule(user="cancel", then=[call("cancel_booking")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="I need to change my booking")
        found: RunResult[None] = await session.run(user_input=f"The code is {code}")
        asked: RunResult[None] = await session.run(user_input="Make it 8pm for 5")
        changed: RunResult[None] = await session.run(user_input="Yes, do it")
        moved = await service.by_code(code)
        cancelled: RunResult[None] = await session.run(user_input="Actually, cancel it")

    def tool_output(result: RunResult[None]) -> Any:
        return result.expect.next_event(type="function_call_output").event().item

    assert tool_output(found).output.startswith("Found: code")
    assert tool_output(asked).output.startswith("Not changed yet.")
    assert not tool_output(changed).is_error
    assert (moved.reservation_time, moved.party_size) == (time(20, 0), 5)
    assert tool_output(cancelled).output.startswith("Cancelled:")
    assert (await service.by_code(code)).status == "cancelled"
    assert [n.type for n in notices] == ["reservation.updated", "reservation.cancelled"]


async def test_switching_topic_mid_booking_keeps_what_was_collected(
    phone_call: Call, state: CallState, service: ReservationService
) -> None:
    model = script(
        Rule(
            user="table",
            then=[call("transfer_to_reservation", party_size="4", date="Saturday", name="Ali")],
        ),
        Rule(user="parking", then=[call("transfer_to_information", query_type="parking")]),
        Rule(user="back", then=[call("transfer_to_reservation")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="A table for 4 on Saturday, I'm Ali")
        reservation_agent = session.current_agent
        asked: RunResult[None] = await session.run(user_input="Wait, is there parking?")
        back: RunResult[None] = await session.run(user_input="OK, back to my booking")
        assert session.current_agent is reservation_agent
    asked.expect.contains_agent_handoff(new_agent_type=InformationAgent)
    back.expect.contains_agent_handoff(new_agent_type=ReservationAgent)
    assert (state.booking.party_size, state.booking.date, state.booking.name) == (
        4,
        SATURDAY,
        "Ali",
    )
    # On return, its context still states what the caller had said before the detour.
    latest = model.requests_for("reservation")[-1]
    assert "party of 4" in "\n".join(latest.texts("system"))
    assert "name Ali" in "\n".join(latest.texts("system"))
