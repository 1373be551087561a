"""Real speech over a real phone line, both ways: a baresip phone speaks the caller's lines in
a Piper voice through livekit-sip (G.711, 8 kHz), the worker hears them through the local
Whisper and answers in the local Piper voice, and the phone's recording of the agent is heard
by the test's own Whisper.

The stand-in language model (tests/support/e2e_speech.py) passes what was recognized into the
tools. The phone's caller ID is an office number; the caller, offered it, reads another in two
groups, and the booking must be under the number they said. The phone answers when the agent
has asked (baresip switches its microphone mid-call), however long a busy machine took.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from datetime import time as clock
from pathlib import Path

import pytest

from core.db.reservations import ReservationStore
from testkit.voices import hear, speak_lines, stretches
from tests.support import e2e_speech as speech
from tests.support.phone import Listener, compose, recording
from tests.support.stacks import (
    PhoneStack,
    call_session,
    records,
    until,
    until_no_rooms,
)

# The line's caller ID, and the number the caller reads out instead.
OFFICE = "+6562345678"
SAID = "+6598207272"
# Recognizing a segment takes about its length again on a busy machine, on top of the call.
TURN_TIMEOUT = 120
# The microphone after each line: it never runs out while the test waits for the agent.
QUIET = 2.5 * TURN_TIMEOUT


@pytest.fixture(scope="module")
def phone_models() -> str:
    return "tests.support.e2e_speech:heard_booking"


@pytest.fixture(scope="module")
def phone_settings() -> dict[str, str]:
    # The agent speaks Piper too. A caller waiting on a slow recognizer is not a silent one.
    return {**speech.REAL_SPEECH, "TTS_PROVIDER": "local", "PHONE_SILENCE_SECONDS": "120"}


def microphones(workdir: Path) -> dict[str, Path]:
    """Each of the caller's answers as a microphone: the line, then quiet."""
    request, at, first, second, yes = speak_lines(
        speech.REQUEST,
        speech.TIME,
        speech.FIRST_GROUP,
        speech.SECOND_GROUP,
        speech.YES,
        sample_rate=8000,
    )
    # The number in two groups, with the pause of someone reading it off a card.
    answers: dict[str, list[str | float | bytes]] = {
        "request": [request],
        "time": [at],
        "number": [first, 0.8, second],
        "yes": [yes],
    }
    files = {}
    for name, parts in answers.items():
        files[name] = workdir / f"line-{name}.wav"
        compose(files[name], [*parts, QUIET])
    return files


def words(text: str) -> str:
    return re.sub(r"[^a-z0-9' ]", "", text.lower())


async def test_a_phone_booking_is_what_the_caller_said_and_the_agent_is_heard(
    phone_stack: PhoneStack, store: ReservationStore
) -> None:
    stack, since = phone_stack, len(phone_stack.worker.records())
    lines = microphones(stack.workdir)
    phone, _ = stack.phone("real-speech", OFFICE, [QUIET])
    listener = Listener()
    caller = f"sip_{OFFICE}"

    async def agent_says(text: str, what: str) -> None:
        def said() -> bool:
            return any(
                text in line or speech.ASK_AGAIN in line for line in listener.said_to(caller)
            )

        try:
            await until(said, what, timeout=TURN_TIMEOUT)
        except TimeoutError as timeout:
            raise AssertionError(f"{timeout}; the worker heard {heard()}") from None
        assert speech.ASK_AGAIN not in listener.said_to(caller), heard()

    def heard() -> list[str]:
        """What the worker's recognizer wrote for the caller's lines."""
        return [line for speaker, line in listener.lines if speaker == caller]

    started = time.monotonic()
    # baresip's own limit: the call and six waits at most.
    phone.start(f"/dial {stack.dial}", seconds=6 * TURN_TIMEOUT + 60)
    try:
        await until(lambda: bool(records(stack, "phone call", since)), "the call", TURN_TIMEOUT)
        session = call_session(stack, since)
        await listener.join(stack.livekit.url, session)
        # The greeting spoken: its turn is logged once it has played.
        await until(
            lambda: any(
                r.get("session") == session and r.get("role") == "assistant"
                for r in records(stack, "turn", since)
            ),
            "the greeting",
            TURN_TIMEOUT,
        )
        phone.speak(lines["request"])
        await agent_says(speech.ASK_TIME, "the agent to ask the time")
        phone.speak(lines["time"])
        await agent_says("calling from", "the agent to offer the caller ID")
        phone.speak(lines["number"])
        await agent_says(speech.READ_BACK_END, "the read-back")
        phone.speak(lines["yes"])
        await agent_says(speech.BOOKED_START, "the booking's code")
        took = time.monotonic() - started
    finally:
        phone.stop()
        await listener.leave()
    await until_no_rooms(stack, 60)
    print(f"real-speech phone call: {took:.1f} s; the worker heard {heard()}")

    # Booked under the number said, not the one the line gave.
    assert not await store.upcoming_by_phone(OFFICE, datetime(2026, 1, 1)), heard()
    [booked] = await store.upcoming_by_phone(SAID, datetime(2026, 1, 1))
    assert (booked.name, booked.party_size, booked.reservation_time) == (
        "Mei Ling",
        4,
        clock(19, 30),
    ), heard()
    assert booked.session_id == session
    # The two groups made one turn, and the yes to the read-back booked it.
    turns = speech.taken_turns(stack.worker, session)
    assert [t["expected"] for t in turns] == ["free_text", "datetime", "phone", "yes_no"], heard()
    assert turns[2]["reason"] == "whole_phone", heard()

    # What the phone recorded of the agent, heard by the test's own Whisper: the Piper voice
    # came through G.711 as words, not a tone.
    [recorded] = phone.heard()
    agent = [hear(stretch) for stretch in stretches(recording(recorded))]
    print(f"the phone heard the agent say {agent}")
    spoken = " | ".join(words(line) for line in agent)
    # Whisper tiny.en on 8 kHz audio may miss one phrase (under two busy loops it once heard
    # the read-back without its "Shall I book it?"); a tone or silence would miss them all.
    phrases = [
        "thank you for calling",
        "what time would you like",
        "table for four",
        "shall i book it",
        "confirmation code",
    ]
    missed = [phrase for phrase in phrases if phrase not in spoken]
    assert len(missed) <= 1, (missed, agent)
