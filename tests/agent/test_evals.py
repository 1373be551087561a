"""Evals: the real agents with a real language model, whose answers that model then judges.

Not part of the default run or CI: no model can be reached there. Run them after changing a
prompt, a tool or the model:

    OPENAI_API_KEY=sk-... uv run pytest -m evals
    OPENAI_BASE_URL=http://... LLM_MODEL=... uv run pytest -m evals    # another provider

They use the pipeline's language model (`LLM_MODEL`), in text, against the real test database,
with the tests' clock: Tuesday 24 November 2026, 10:00 in Singapore, so "Saturday" is the 28th.
A model answers differently from run to run: read a failure's reason before changing a prompt.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from livekit.agents import FunctionCallEvent, RunResult, llm

from agent.agents.escalation import EscalationAgent
from agent.agents.information import InformationAgent
from agent.agents.reservation import ReservationAgent
from agent.call.start import new_call
from agent.call.state import CallState
from core.models import Reservation
from core.services.calls import CallService
from core.services.proofs import FailedProofs
from core.services.reservations import ReservationService
from tests.support.calls import LIMITS, SESSION_ID, Call, Notices, in_call
from tests.support.days import LUNCH_BEGUN, SATURDAY, TODAY, book_regulars, service_at
from tests.support.evals import judge_last_reply, say

pytestmark = pytest.mark.evals

TOMORROW = date(2026, 11, 25)


def checked_availability(result: RunResult[None]) -> bool:
    return any(
        isinstance(event, FunctionCallEvent) and event.item.name == "check_availability"
        for event in result.events
    )


async def test_a_booking_request_goes_to_reservations_with_what_was_said(
    phone_call: Call, model: llm.LLM[Any], state: CallState
) -> None:
    async with phone_call(model) as session:
        result = await say(
            session, "Hi, can I book a table for four this Saturday at 7pm? The name's Mei Ling."
        )
    result.expect.contains_function_call(name="transfer_to_reservation")
    result.expect.contains_agent_handoff(new_agent_type=ReservationAgent)
    draft = state.booking
    assert (draft.party_size, draft.date, draft.time, draft.name) == (
        4,
        SATURDAY,
        time(19, 0),
        "Mei Ling",
    )
    await judge_last_reply(
        result,
        model,
        "Shows it already has a table for four on Saturday at 7 pm for Mei Ling, "
        "and asks for what is still missing (the phone number) without asking again for "
        "what was given.",
    )


async def test_a_whole_booking_ends_with_a_row_and_a_spoken_code(
    phone_call: Call, model: llm.LLM[Any], notices: Notices, service: ReservationService
) -> None:
    async with phone_call(model) as session:
        await say(session, "I'd like to book a table for two tomorrow at 8pm, please.")
        await say(session, "My name is Tan, and my number is 9820 7272.")
        result = await say(session, "Yes, that's all correct, please book it.")
        if not notices:
            # Some models read back once more before booking.
            result = await say(session, "Yes, please go ahead and book it.")
    assert [n.type for n in notices] == ["reservation.created"]
    booked = await service.by_code(notices[0].confirmation_code)
    assert (booked.phone_number, booked.party_size, booked.name) == ("+6598207272", 2, "Tan")
    assert (booked.reservation_date, booked.reservation_time) == (TOMORROW, time(20, 0))
    await judge_last_reply(
        result,
        model,
        "Confirms the booking and gives the confirmation code "
        f"{booked.confirmation_code}, in a way that is easy to follow when heard.",
    )


async def test_parking_is_answered_from_the_restaurant_file(
    phone_call: Call, model: llm.LLM[Any], state: CallState
) -> None:
    async with phone_call(model) as session:
        result = await say(session, "Hi, where can I park when I come for dinner?")
    result.expect.contains_agent_handoff(new_agent_type=InformationAgent)
    await judge_last_reply(
        result,
        model,
        "Answers where to park, in line with these facts and adding none: "
        f"{state.restaurant.identity.parking}",
    )


async def test_a_full_evening_gets_the_nearest_times(
    phone_call: Call, model: llm.LLM[Any], service: ReservationService
) -> None:
    # Fill Saturday 19:00 to the last cover.
    capacity = service.restaurant.booking.capacity_covers
    parties = [8] * (capacity // 8) + [capacity % 8] * bool(capacity % 8)
    await book_regulars(service, SATURDAY, time(19, 0), parties)
    async with phone_call(model) as session:
        await say(session, "A table for four on Saturday at 7pm please.")
        result = await say(session, "It's for Lee, 8123 4567.")
        if not checked_availability(result):
            result = await say(session, "Yes. Is 7pm on Saturday free?")
    assert checked_availability(result)
    await judge_last_reply(
        result,
        model,
        "Says 7 pm on Saturday is fully booked and offers one or more other times "
        "instead, without claiming anything is booked.",
    )


async def test_a_complaint_goes_to_staff(phone_call: Call, model: llm.LLM[Any]) -> None:
    async with phone_call(model) as session:
        result = await say(
            session, "I ate there last night and was charged twice. I'm really not happy."
        )
    result.expect.contains_agent_handoff(new_agent_type=EscalationAgent)
    await judge_last_reply(
        result,
        model,
        "Acknowledges the problem with empathy and starts taking the details staff "
        "need to call back (such as a name or phone number), without promising a refund.",
    )


# --- issue 24: what real callers say (tests/agent/test_said_times.py,
# test_callers_with_bookings.py and test_callers_languages.py script the same calls) ---------


async def sarah_lims_booking(service: ReservationService, day: date, at: time) -> Reservation:
    return await service.create(
        phone_number="+6591234567",
        name="Sarah Lim",
        reservation_date=day,
        reservation_time=at,
        party_size=2,
    )


async def test_brunch_at_half_ten_on_a_sunday_is_half_past_ten(
    phone_call: Call, model: llm.LLM[Any], state: CallState
) -> None:
    async with phone_call(model) as session:
        result = await say(session, "Can I book brunch on Sunday at half ten for two? Sarah Lim.")
    assert state.booking.time == time(10, 30)
    await judge_last_reply(
        result, model, "Treats the time as 10:30 in the morning, not 10:30 at night."
    )


async def test_a_surname_alone_is_asked_for_the_whole_name(
    phone_call: Call, model: llm.LLM[Any], service: ReservationService, state: CallState
) -> None:
    booked = await sarah_lims_booking(service, SATURDAY, time(19, 0))
    async with phone_call(model) as session:
        await say(session, "I need to check my booking, my number is 9123 4567.")
        result = await say(session, "It's under Mrs Lim.")
    assert not state.may_know(booked) and state.identity.failed_checks == 0
    await judge_last_reply(
        result,
        model,
        "Asks for the whole name the booking is under (or its confirmation code), without "
        "accusing the caller and without saying anything about the booking.",
    )


async def test_a_caller_running_late_is_found_after_the_booking_began(
    model: llm.LLM[Any], service: ReservationService, calls: CallService, proofs: FailedProofs
) -> None:
    booked = await sarah_lims_booking(service, TODAY, time(11, 45))
    later = service_at(service, LUNCH_BEGUN)
    state = new_call(later, calls, proofs, SESSION_ID, Notices(), LIMITS)
    async with in_call(state, model) as session:
        await say(session, "Hi, I'm running about 20 minutes late for my lunch booking.")
        await say(session, "My number is 9123 4567.")
        result = await say(session, "It's under Sarah Lim.")
    assert state.may_know(booked)
    await judge_last_reply(
        result, model, "Has found the caller's lunch booking for two today at 11:45."
    )


async def test_a_mandarin_caller_is_booked_for_friday_next_week(
    phone_call: Call, model: llm.LLM[Any], state: CallState
) -> None:
    async with phone_call(model) as session:
        result = await say(session, "你好，我想订下周五晚上七点半，四个人，名字是王伟。")
    draft = state.booking
    # Tuesday 24 November: Friday of next week is 4 December, not the 27th.
    assert (draft.party_size, draft.date, draft.time) == (4, date(2026, 12, 4), time(19, 30))
    await judge_last_reply(
        result, model, "Answers in Mandarin and asks for what is still missing (a phone number)."
    )
