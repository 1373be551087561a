"""Real speech over a real room: the caller speaks in a Piper voice, the worker hears it through
the local Whisper, and the booking holds what was heard.

A worker of its own (dispatched by name) runs with STT_PROVIDER=local and the stand-ins of
tests/support/e2e_speech.py, whose language model passes the recognized text into the tools
unchanged. Everything between the caller's voice and the booking is real: WebRTC and Opus,
the native VAD, Whisper tiny.en, our endpointing, the readers in core/spoken/, PostgreSQL.
Few turns and generous timeouts: each turn is recognized on a busy 2-core machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time

import pytest

from core.db.reservations import ReservationStore
from testkit.caller import Caller
from testkit.stack import Process, api_and_worker
from testkit.voices import speak_lines
from tests.support.e2e_speech import (
    ASK_AGAIN,
    ASK_PHONE,
    ASK_TIME,
    FIRST_GROUP,
    READ_BACK_END,
    REAL_SPEECH,
    REQUEST,
    SECOND_GROUP,
    TIME,
    YES,
    taken_turns,
)
from tests.support.stacks import Stack, service_env, until

AGENT_NAME = "real-speech-e2e"
MODELS = "tests.support.e2e_speech:heard_booking"
# Recognizing a segment takes about its length again on a busy machine, on top of the call.
TURN_TIMEOUT = 120


@pytest.fixture(scope="module")
def speech_worker(stack: Stack, migrated_url: str) -> Iterator[tuple[str, Process]]:
    env = service_env(
        migrated_url,
        stack.livekit.url,
        AGENT_NAME=AGENT_NAME,
        models=MODELS,
        **REAL_SPEECH,
    )
    with api_and_worker(env, stack.workdir / "real-speech", stack.livekit.api_ports[1]) as started:
        yield started


async def test_a_booking_is_what_the_caller_said(
    speech_worker: tuple[str, Process], store: ReservationStore
) -> None:
    api_base, worker = speech_worker
    request, at, first, second, yes = speak_lines(
        REQUEST, TIME, FIRST_GROUP, SECOND_GROUP, YES, sample_rate=16000
    )
    caller = Caller()

    async def agent_says(text: str, what: str) -> None:
        try:
            await until(
                lambda: any(text in line or ASK_AGAIN in line for line in caller.said_by("agent")),
                what,
                timeout=TURN_TIMEOUT,
            )
        except TimeoutError as timeout:
            heard = caller.said_by("caller")
            raise AssertionError(f"{timeout}; the worker heard {heard}") from None
        # What the worker's recognizer wrote, for the failure message.
        assert ASK_AGAIN not in caller.said_by("agent"), caller.said_by("caller")

    try:
        await caller.join(api_base)
        await until(lambda: caller.agent_voiced_frames > 0, "the greeting", timeout=TURN_TIMEOUT)
        await caller.silence(1.0)
        await caller.send(request, trailing_silence=1.0)
        await agent_says(ASK_TIME, "the agent to ask the time")
        await caller.send(at, trailing_silence=1.0)
        await agent_says(ASK_PHONE, "the agent to ask the number")
        # The number in two groups, with the pause of someone reading it off a card.
        await caller.send(first, trailing_silence=0.8)
        await caller.send(second, trailing_silence=2.0)
        await agent_says(READ_BACK_END, "the read-back")
        await caller.send(yes, trailing_silence=1.5)
        await until(lambda: bool(caller.notices), "the booking", timeout=TURN_TIMEOUT)
    finally:
        await caller.leave()

    heard = caller.said_by("caller")
    [booked] = [n for n in caller.notices if n["type"] == "reservation.created"]
    row = await store.get_by_code(str(booked["confirmation_code"]))
    assert row is not None, heard
    assert (row.party_size, row.reservation_time, row.phone_number) == (
        4,
        time(19, 30),
        "+6598207272",
    ), heard
    # The two groups made one turn, ended as a whole number once the second came.
    turns = taken_turns(worker, caller.room.name)
    assert [t["expected"] for t in turns] == ["free_text", "datetime", "phone", "yes_no"], heard
    assert turns[2]["reason"] == "whole_phone", heard
