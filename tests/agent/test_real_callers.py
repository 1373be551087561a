"""What real callers say, played by a literal model (issue 24): it calls the tools as their
docstrings invite and does what each tool result tells it; the rows it leaves are asserted in the
real database. Each scenario is also in the evals (tests/agent/test_evals_callers.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from livekit.agents import RunResult

from agent.agents.information import InformationAgent
from agent.call.state import CallState
from core.models import Reservation
from core.services.reservations import ReservationService
from testkit.scripted_llm import Request, Rule, Step, call, say
from tests.support.calls import ANY, DETAILS, Call, books_a_table, script
from tests.support.days import DINNER, SATURDAY

SUNDAY = SATURDAY + timedelta(days=1)
CALLER_ID = "+6591234567"


def outputs(result: RunResult[None]) -> list[Any]:
    return [e.item for e in result.events if e.type == "function_call_output"]


def spoken(result: RunResult[None]) -> str:
    return "\n".join(
        e.item.text_content or ""
        for e in result.events
        if e.type == "message" and e.item.role == "assistant"
    )


async def confirmed(service: ReservationService, *days: Any) -> list[Reservation]:
    rows: list[Reservation] = []
    for day in days:
        rows += (await service.list_for_date(day, status="confirmed")).items
    return rows


async def made(service: ReservationService, **changes: Any) -> Reservation:
    booking: dict[str, Any] = {
        "phone_number": "+6598207272",
        "name": "Mei Ling",
        "reservation_date": SATURDAY,
        "reservation_time": DINNER,
        "party_size": 4,
    }
    return await service.create(**(booking | changes))


async def test_an_allergy_then_a_birthday_are_both_noted_and_seen(
    phone_call: Call, service: ReservationService
) -> None:
    model = script(
        *books_a_table(**DETAILS, notes="nut allergy"),
        Rule(user="birthday", then=[call("record_booking_details", notes="birthday")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="A table please, one of us has a nut allergy")
        await session.run(user_input="And it's a birthday")
        await session.run(user_input="Is it available?")
        await session.run(user_input="Yes")
    [row] = await confirmed(service, SATURDAY)
    assert row.other_info["notes"] == "nut allergy; birthday"

    # Found again in a later call, the booking as the model hears it carries its notes, and a
    # note added then is added to them.
    code = row.confirmation_code
    later = script(
        Rule(user="my booking", then=[call("transfer_to_reservation", intent="change")]),
        Rule(user="code", then=[call("find_booking", confirmation_code=code)]),
        Rule(user="window", then=[call("change_booking", notes="window seat")]),
        Rule(user="yes", then=[call("change_booking", notes="window seat")]),
    )
    async with phone_call(later) as session:
        await session.run(user_input="About my booking")
        found: RunResult[None] = await session.run(user_input=f"The code is {code}")
        await session.run(user_input="Could we have a window table?")
        await session.run(user_input="Yes")
    assert "notes: nut allergy; birthday" in outputs(found)[0].output
    changed = await service.by_code(code)
    assert changed.other_info["notes"] == "nut allergy; birthday; window seat"


def moved_by_recording() -> list[Rule]:
    return [Rule(user="sunday", then=[call("record_booking_details", date="Sunday")])]


def moved_by_changing() -> list[Rule]:
    return [
        Rule(user="sunday", then=[call("change_booking", date="Sunday")]),
        Rule(user="sure", then=[call("change_booking", date="Sunday")]),
    ]


@pytest.mark.parametrize("path", [moved_by_recording, moved_by_changing])
async def test_actually_sunday_moves_the_booking_made_in_this_call(
    phone_call: Call, service: ReservationService, path: Callable[[], list[Rule]]
) -> None:
    model = script(*path(), *books_a_table(**DETAILS))
    async with phone_call(model) as session:
        await session.run(user_input="A table please")
        await session.run(user_input="Is it available?")
        await session.run(user_input="Yes")
        await session.run(user_input="Oh, actually, Sunday instead")
        # The literal model follows either path's next step: a check and a yes, or a yes.
        await session.run(user_input="Is it available?")
        await session.run(user_input="Yes, sure")
    rows = await confirmed(service, SATURDAY, SUNDAY)
    assert [(r.reservation_date, r.reservation_time) for r in rows] == [(SUNDAY, DINNER)]


def follows_its_briefing(request: Request) -> list[Step]:
    """A literal model's first words: it asks for what its briefing says is still needed."""
    briefing = "\n".join(t for t in request.texts("system") if t != request.instructions)
    if "party size" in briefing:
        return [say("How many guests will there be?")]
    return [say("Of course. What is the booking's confirmation code?")]


async def test_a_caller_who_wants_to_cancel_is_asked_for_the_booking_not_a_party_size(
    phone_call: Call, service: ReservationService
) -> None:
    booking = await made(service)
    code = booking.confirmation_code
    model = script(
        Rule(user="cancel my", then=[call("transfer_to_reservation", intent="cancel")]),
        Rule(agent="reservation", prompt=ANY, then=follows_its_briefing),
        Rule(user="code is", then=[call("find_booking", confirmation_code=code)]),
        Rule(user="cancel it", then=[call("cancel_booking")]),
    )
    async with phone_call(model) as session:
        entry: RunResult[None] = await session.run(user_input="I need to cancel my booking")
        await session.run(user_input=f"The code is {code}")
        await session.run(user_input="Yes, cancel it please")
    assert "guests" not in spoken(entry) and "confirmation code" in spoken(entry)
    assert (await service.by_code(code)).status == "cancelled"


async def test_two_transfers_in_one_response_hand_over_once_and_the_other_waits(
    phone_call: Call, service: ReservationService, state: CallState
) -> None:
    model = script(
        Rule(
            user="open on monday",
            then=[
                call("transfer_to_information", query_type="hours", items=["Monday"]),
                call("transfer_to_reservation", date="Tuesday", party_size="2", time="7pm"),
            ],
        ),
        Rule(user="book tuesday", then=[call("transfer_to_reservation")]),
        Rule(user="Ravi", then=[call("record_booking_details", name="Ravi", phone="91234567")]),
        Rule(user="available", then=[call("check_availability")]),
        Rule(user="yes", then=[call("confirm_booking")]),
    )
    async with phone_call(model) as session:
        asked: RunResult[None] = await session.run(
            user_input="Are you open on Monday? If not, I'll book Tuesday for two at 7"
        )
        assert isinstance(session.current_agent, InformationAgent)
        await session.run(user_input="OK, book Tuesday then")
        await session.run(user_input="Ravi, 9123 4567")
        await session.run(user_input="Is it available?")
        await session.run(user_input="Yes")
    [won, waited] = outputs(asked)
    assert not won.is_error and waited.output.startswith("One thing at a time")
    # The information desk was told what else the caller wants.
    entry = model.requests_for("information")[0]
    assert "also wants a booking" in "\n".join(entry.texts("system"))
    tuesday = state.booking.date
    assert tuesday is not None and tuesday.weekday() == 1
    [row] = await confirmed(service, tuesday)
    assert (row.party_size, row.name) == (2, "Ravi")


async def test_numbers_sent_as_numbers_are_taken(
    phone_call: Call, service: ReservationService
) -> None:
    model = script(
        Rule(
            user="table",
            then=[call("transfer_to_reservation", **(DETAILS | {"party_size": 3}))],
        ),
        Rule(user="four", then=[call("record_booking_details", party_size=4)]),
        Rule(user="available", then=[call("check_availability")]),
        Rule(user="yes", then=[call("confirm_booking")]),
        Rule(user="five", then=[call("change_booking", party_size=5)]),
        Rule(user="right", then=[call("change_booking", party_size=5)]),
    )
    async with phone_call(model) as session:
        handed: RunResult[None] = await session.run(user_input="A table please")
        await session.run(user_input="Sorry, four of us")
        await session.run(user_input="Is it available?")
        await session.run(user_input="Yes")
        await session.run(user_input="Make that five")
        await session.run(user_input="That's right")
    assert not outputs(handed)[0].is_error
    [row] = await confirmed(service, SATURDAY)
    assert row.party_size == 5


async def test_results_name_the_next_step_and_never_sound_booked(
    phone_call: Call, service: ReservationService
) -> None:
    without_phone = {k: v for k, v in DETAILS.items() if k != "phone"}
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", **without_phone)]),
        Rule(user="9820", then=[call("record_booking_details", phone="9820 7272")]),
        # It does what the result says next.
        Rule(
            after_tool="record_booking_details",
            tool_output="check availability",
            once=True,
            then=[call("check_availability")],
        ),
    )
    async with phone_call(model) as session:
        await session.run(user_input="A table please")
        recorded: RunResult[None] = await session.run(user_input="It's 9820 7272")
        assert await confirmed(service, SATURDAY) == []
    result = outputs(recorded)[0].output
    assert "All set" not in result and "Nothing is booked yet" in result
    called = [e.item.name for e in recorded.events if e.type == "function_call"]
    assert called == ["record_booking_details", "check_availability"]


async def test_a_model_that_read_back_is_not_told_to_read_back_again(
    phone_call: Call, service: ReservationService
) -> None:
    # It read the booking back before checking, and books on the caller's yes.
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", **DETAILS)]),
        Rule(user="book it", then=[call("confirm_booking")]),
        Rule(
            after_tool="confirm_booking",
            tool_output="check_availability",
            once=True,
            then=[call("check_availability")],
        ),
        Rule(user="yes", then=[call("confirm_booking")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="A table please")
        first: RunResult[None] = await session.run(user_input="That's right, book it")
        await session.run(user_input="Yes")
    refusal = outputs(first)[0]
    assert refusal.is_error and "read" not in refusal.output.lower()
    assert len(await confirmed(service, SATURDAY)) == 1


async def test_just_book_it_books_only_after_the_read_back_is_answered(
    phone_call: Call, service: ReservationService
) -> None:
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", **DETAILS)]),
        Rule(user="just book it", then=[call("check_availability")]),
        # It books straight after the check, as "just book it" asks.
        Rule(after_tool="check_availability", once=True, then=[call("confirm_booking")]),
        Rule(user="yes", then=[call("confirm_booking")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="A table for 4 on Saturday at 7pm, Mei Ling, 9820 7272")
        rushed: RunResult[None] = await session.run(user_input="Just book it")
        assert await confirmed(service, SATURDAY) == []
        await session.run(user_input="Yes")
    assert "read it back" in outputs(rushed)[1].output
    assert len(await confirmed(service, SATURDAY)) == 1


def acts_on_what_was_found(request: Request) -> list[Step]:
    """Having found the booking, it does at once what the caller asked in the same breath."""
    if request.tool_outputs[-1].name != "find_booking":
        return [say(request.trigger)]
    if "cancel" in request.texts("user")[-1]:
        return [call("cancel_booking")]
    return [call("change_booking", time="8pm")]


async def test_a_change_and_a_cancellation_wait_for_the_callers_yes(
    phone_call: Call, service: ReservationService
) -> None:
    booking = await made(service)
    code = booking.confirmation_code
    model = script(
        Rule(user="yes, move", then=[call("change_booking", time="8pm")]),
        Rule(user="yes, cancel", then=[call("cancel_booking")]),
        Rule(user="my booking", then=[call("transfer_to_reservation", intent="change")]),
        # Told the code and the change in one breath, it finds the booking and changes it.
        Rule(user="8pm", then=[call("find_booking", confirmation_code=code)]),
        Rule(after_tool="find_booking", then=acts_on_what_was_found),
        Rule(user="cancel", then=[call("find_booking", confirmation_code=code)]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="About my booking")
        await session.run(user_input=f"Code {code}, move it to 8pm")
        assert (await service.by_code(code)).reservation_time == DINNER
        await session.run(user_input="Yes, move it")
        assert (await service.by_code(code)).reservation_time.hour == 20
        await session.run(user_input=f"Actually, cancel {code}")
        assert (await service.by_code(code)).status == "confirmed"
        await session.run(user_input="Yes, cancel it")
    assert (await service.by_code(code)).status == "cancelled"


async def test_results_read_aloud_mask_the_callers_number_in_12_hour_times_and_accuse_no_one(
    phone_call: Call, service: ReservationService, state: CallState
) -> None:
    state.caller_number = CALLER_ID
    state.booking.phone = CALLER_ID  # as the phone line pre-fills it
    someone = await made(service, phone_number=CALLER_ID, name="Sarah Lim")
    details = {k: v for k, v in DETAILS.items() if k != "phone"} | {"time": "4pm"}
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", **details)]),
        Rule(user="available", then=[call("check_availability")]),
        Rule(user="7pm", then=[call("record_booking_details", time="7pm")]),
        Rule(user="my booking", then=[call("find_booking")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="A table please")
        closed: RunResult[None] = await session.run(user_input="Is it available?")
        await session.run(user_input="7pm then")
        quoted: RunResult[None] = await session.run(user_input="Is that available?")
        found: RunResult[None] = await session.run(user_input="And what about my booking?")
    refusal = outputs(closed)[0].output
    assert "5:30 pm" in refusal and "17:30" not in refusal
    read_back = outputs(quoted)[0].output
    assert "ending 4567" in read_back and CALLER_ID not in read_back and "91234567" not in read_back
    lookup = outputs(found)[0].output
    assert "not shown" not in lookup and "say nothing more" not in lookup
    assert someone.name not in lookup


async def test_a_move_on_a_full_evening_does_not_count_the_bookings_own_seats(
    phone_call: Call, service: ReservationService
) -> None:
    capacity = service.restaurant.booking.capacity_covers
    for index in range(capacity // 4 - 1):
        await made(service, phone_number=f"+659000{index:04d}", name="Regular")
    model = script(
        Rule(user="7:15", then=[call("record_booking_details", time="7:15pm")]),
        *books_a_table(**DETAILS),
    )
    async with phone_call(model) as session:
        await session.run(user_input="A table please")
        await session.run(user_input="Is it available?")
        await session.run(user_input="Yes")
        await session.run(user_input="Could we come at 7:15 instead?")
        checked: RunResult[None] = await session.run(user_input="Is it available?")
        await session.run(user_input="Yes")
    assert outputs(checked)[0].output.startswith("Available.")
    [ours] = [r for r in await confirmed(service, SATURDAY) if r.name == "Mei Ling"]
    assert ours.reservation_time.strftime("%H:%M") == "19:15"
