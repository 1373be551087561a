"""Evals for what real callers say (issue 24), each the scenario a literal model plays in
tests/agent/test_real_callers.py, here with the real language model (`-m evals`; see
tests/agent/test_evals.py for how to run them). The rows are asserted; the words are judged.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from livekit.agents import llm

from agent.agents.greeter import Greeter
from agent.call.state import CallState
from core.models import Reservation
from core.services.reservations import ReservationService
from tests.support.calls import Call, Notices
from tests.support.days import DINNER, SATURDAY
from tests.support.evals import judge_last_reply, say

pytestmark = pytest.mark.evals

SUNDAY = SATURDAY + timedelta(days=1)
BOOKING = "A table for four this Saturday at 7pm please. I'm Mei Ling, 9820 7272."


async def rows(service: ReservationService, *days: Any) -> list[Reservation]:
    found: list[Reservation] = []
    for day in days:
        found += (await service.list_for_date(day, status="confirmed")).items
    return found


async def test_an_allergy_then_a_birthday_are_both_noted(
    phone_call: Call, model: llm.LLM[Any], service: ReservationService
) -> None:
    async with phone_call(model) as session:
        await say(session, BOOKING + " One of us is allergic to peanuts.")
        await say(session, "Oh, and it's my wife's birthday.")
        await say(session, "Yes, that's all correct, please book it.")
        if not await rows(service, SATURDAY):
            await say(session, "Yes, please go ahead and book it.")
    [row] = await rows(service, SATURDAY)
    notes = str(row.other_info.get("notes", "")).lower()
    assert "peanut" in notes and "birthday" in notes


async def test_actually_sunday_moves_the_booking(
    phone_call: Call, model: llm.LLM[Any], service: ReservationService
) -> None:
    async with phone_call(model) as session:
        await say(session, BOOKING)
        await say(session, "Yes, please book it.")
        await say(session, "Oh wait, actually, can we make it Sunday instead? Same time.")
        for _ in range(2):
            if [r.reservation_date for r in await rows(service, SATURDAY, SUNDAY)] == [SUNDAY]:
                break
            await say(session, "Yes, that's right, Sunday please.")
    assert [
        (r.reservation_date, r.reservation_time) for r in await rows(service, SATURDAY, SUNDAY)
    ] == [(SUNDAY, DINNER)]


async def test_a_caller_who_wants_to_cancel_is_asked_what_finds_the_booking(
    phone_call: Call, model: llm.LLM[Any], service: ReservationService
) -> None:
    booking = await service.create(
        phone_number="+6598207272",
        name="Mei Ling",
        reservation_date=SATURDAY,
        reservation_time=DINNER,
        party_size=4,
    )
    async with phone_call(model) as session:
        asked = await say(session, "Hi, I need to cancel my booking.")
        await judge_last_reply(
            asked,
            model,
            "Asks for the booking's confirmation code or phone number, and does not ask how "
            "many guests, the date or the time.",
        )
        await say(session, f"The code is {' '.join(booking.confirmation_code)}.")
        await say(session, "Yes, please cancel it.")
        if (await service.by_code(booking.confirmation_code)).status != "cancelled":
            await say(session, "Yes, I'm sure, cancel it.")
    assert (await service.by_code(booking.confirmation_code)).status == "cancelled"


async def test_two_questions_at_once_still_hand_over(phone_call: Call, model: llm.LLM[Any]) -> None:
    async with phone_call(model) as session:
        await say(session, "Are you open on Monday? If not, I'd like to book Tuesday at 7 for 2.")
        assert not isinstance(session.current_agent, Greeter)


async def test_saved_details_never_sound_booked(
    phone_call: Call, model: llm.LLM[Any], service: ReservationService
) -> None:
    async with phone_call(model) as session:
        result = await say(session, BOOKING)
    assert await rows(service, SATURDAY) == []
    await judge_last_reply(
        result,
        model,
        "Does not say or suggest the table is booked; reads the booking back or checks it, "
        "and asks the caller to confirm.",
    )


async def test_just_book_it_is_read_back_first(
    phone_call: Call, model: llm.LLM[Any], service: ReservationService, notices: Notices
) -> None:
    async with phone_call(model) as session:
        result = await say(session, BOOKING + " Just book it, no need to check with me.")
        assert await rows(service, SATURDAY) == []
        await judge_last_reply(
            result, model, "Reads the booking back and asks the caller to confirm it."
        )
        await say(session, "Yes, correct.")
    assert len(await rows(service, SATURDAY)) == 1


async def test_the_callers_own_number_is_read_back_by_its_last_digits(
    phone_call: Call, model: llm.LLM[Any], state: CallState, service: ReservationService
) -> None:
    state.caller_number = "+6591234567"
    state.booking.phone = state.caller_number  # as the phone line pre-fills it
    async with phone_call(model) as session:
        await say(session, "A table for four this Saturday at 7pm please, for Mei Ling.")
        result = await say(session, "Yes, the number I'm calling from is fine.")
    await judge_last_reply(
        result,
        model,
        "If it mentions the phone number, it says only that it ends in 4567 and never the "
        "whole number; any time is said like '7 pm', not '19:00'.",
    )
