"""Callers in the restaurant's other languages (`[locale] languages`: Mandarin, Malay, Tamil in
the sample): what they say reaches the booking whether the model passes their words on as said
or converts them as the tools ask, and the keypad and every agent answer in their language."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from livekit.agents import RunResult, llm

from agent.agents.prompts import callers_language
from agent.call.state import CallState
from agent.phone.keypad import keypad_task
from core.services.reservations import ReservationService
from testkit.scripted_llm import Rule, call
from tests.support.calls import Call, Notices, script

# The tests' clock is Tuesday 24 November 2026: "下周五" (Friday of next week) is 4 December,
# where "next Friday" would be the 27th, a week early.
FRIDAY_NEXT_WEEK = date(2026, 12, 4)


def outputs(result: RunResult[None]) -> list[Any]:
    return [event.item for event in result.events if event.type == "function_call_output"]


def books(**details: Any) -> Any:
    return script(
        Rule(user="订", then=[call("transfer_to_reservation", **details)]),
        Rule(user="tempah", then=[call("transfer_to_reservation", **details)]),
        Rule(user="有位", then=[call("check_availability")]),
        Rule(user="ada meja", then=[call("check_availability")]),
        Rule(user="好的", then=[call("confirm_booking")]),
        Rule(user="ya", then=[call("confirm_booking")]),
    )


async def the_booking(service: ReservationService) -> Any:
    [row] = (await service.list_for_date(FRIDAY_NEXT_WEEK, status="confirmed")).items
    return row


async def test_a_mandarin_callers_words_passed_on_as_said_reach_the_booking(
    phone_call: Call, service: ReservationService, notices: Notices
) -> None:
    model = books(
        party_size="四个人",
        date="下周五",
        time="晚上七点半",
        name="王伟",
        phone="九一二三四五六七",
    )
    async with phone_call(model) as session:
        await session.run(user_input="你好，我想订下周五晚上七点半，四个人，王伟，九一二三四五六七")
        checked: RunResult[None] = await session.run(user_input="有位吗？")
        await session.run(user_input="好的")
    assert not outputs(checked)[0].is_error
    row = await the_booking(service)
    assert (row.party_size, row.reservation_time, row.phone_number, row.name) == (
        4,
        time(19, 30),
        "+6591234567",
        "王伟",
    )
    assert [n.type for n in notices] == ["reservation.created"]


async def test_a_malay_callers_words_passed_on_as_said_reach_the_booking(
    phone_call: Call, service: ReservationService
) -> None:
    model = books(
        party_size="empat orang",
        date="Jumaat minggu depan",
        time="pukul 7 malam",
        name="Siti Aminah",
        phone="sembilan satu dua tiga empat lima enam tujuh",
    )
    async with phone_call(model) as session:
        await session.run(user_input="Saya nak tempah meja untuk empat orang")
        await session.run(user_input="Ada meja?")
        await session.run(user_input="Ya")
    row = await the_booking(service)
    assert (row.party_size, row.reservation_time, row.phone_number) == (
        4,
        time(19, 0),
        "+6591234567",
    )


async def test_canonical_values_from_the_model_are_booked_and_a_wrong_weekday_is_caught(
    phone_call: Call, service: ReservationService, state: CallState
) -> None:
    # The model converts as the tools ask, but gets the weekday wrong once; the tool result
    # says why, and the model passes the date again.
    model = script(
        Rule(
            user="订",
            then=[
                call(
                    "transfer_to_reservation",
                    party_size="4",
                    date="Thursday 2026-12-04",
                    time="19:30",
                    name="王伟",
                    phone="91234567",
                )
            ],
        ),
        Rule(user="星期五", then=[call("record_booking_details", date="Friday 2026-12-04")]),
        Rule(user="有位", then=[call("check_availability")]),
        Rule(user="好的", then=[call("confirm_booking")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="我想订十二月四号星期四晚上七点半，四个人")
        assert state.unclear == [
            "date (The 4th of December is a Friday, not a Thursday. Which did you mean?)"
        ]
        asked: RunResult[None] = await session.run(user_input="是星期五")
        await session.run(user_input="有位吗？")
        await session.run(user_input="好的")
    assert not outputs(asked)[0].is_error and state.unclear == []
    row = await the_booking(service)
    assert (row.party_size, row.reservation_time) == (4, time(19, 30))


async def test_a_wrong_weekday_with_an_iso_date_is_asked_about(state: CallState) -> None:
    details = state.read_details(date="Thursday 2026-12-04")
    assert details.date is None
    assert details.unclear_details() == [
        "date (The 4th of December is a Friday, not a Thursday. Which did you mean?)"
    ]


def test_the_keypad_and_every_agent_answer_in_the_callers_language(state: CallState) -> None:
    rule = callers_language(state.restaurant)
    assert "Mandarin" in rule and "Malay" in rule and "Tamil" in rule
    for agent in state.agents.values():
        assert rule in str(agent.instructions), agent.id
    conversation = llm.ChatContext()
    conversation.add_message(role="user", content="我的电话号码可以按键输入吗？")
    task = keypad_task(state, "phone number", 8, conversation)
    assert rule in str(task.instructions)
    heard = [item.text_content for item in task.chat_ctx.items if item.type == "message"]
    assert "我的电话号码可以按键输入吗？" in heard
