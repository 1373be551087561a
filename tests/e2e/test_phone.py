"""Phone calls: a real SIP phone (baresip) dials the restaurant's number through livekit-sip.

Each call is one scenario on one shared stack (tests/e2e/conftest.py: phone_stack): the phone
plays its microphone script (8 kHz fixtures and silences, tests/support/phone.py) and records what
it hears; the worker is the real one, dispatched by the provisioned dispatch rule, with the
stand-in models of tests/support/e2e_models.py:phone_calls.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from datetime import datetime

from core.db.reservations import ReservationStore
from testkit.stack import start_api, wait_for
from tests.support.phone import loudest
from tests.support.stacks import (
    PHONE_AGENT,
    PhoneStack,
    call_session,
    hung_up,
    records,
    service_env,
    until_no_rooms,
)

CALLER = "+6598207272"
# What sndfile records of the agent's tone (ToneTTS, amplitude 0.2) after G.711 is ~0.14 RMS;
# the codec's idle noise is below 0.001.
NOT_SILENCE = 0.02


async def test_a_caller_books_under_their_caller_id_and_the_agent_hangs_up(
    phone_stack: PhoneStack, store: ReservationStore
) -> None:
    stack, since = phone_stack, len(phone_stack.worker.records())
    phone, seconds = stack.phone(
        "booker", CALLER, [3.0, "phone_booking", 5.0, "confirm", 5.0, "thanks", 30.0]
    )
    started = time.monotonic()
    phone.start(f"/dial {stack.dial}", seconds=seconds + 30)
    try:
        # The agent ends the call after "that's all, thanks": long before the script's end.
        wait_for(lambda: hung_up(phone), "the agent to hang up", seconds + 20)
        took = time.monotonic() - started
    finally:
        phone.stop()
    print(f"phone booking scenario: {took:.1f} s")
    assert "audio error" not in phone.output(), "the phone's script ran out: nobody hung up"
    session = call_session(stack, since)
    tools = [r["tool"] for r in records(stack, "tool", since) if r.get("session") == session]
    assert tools[-1] == "end_call" and "confirm_booking" in tools
    assert not records(stack, "caller silent, ending the call", since)
    await until_no_rooms(stack)

    # The agent's voice reached the phone, over G.711.
    [heard] = phone.heard()
    assert loudest(heard) > NOT_SILENCE
    # The caller never said a number: the booking is under their caller ID.
    [booked] = await store.upcoming_by_phone(CALLER, datetime(2026, 1, 1))
    assert (booked.name, booked.party_size, f"{booked.reservation_time:%H:%M}") == (
        "Mei Ling",
        4,
        "19:00",
    )
    assert booked.session_id == session and session.startswith("call_+6562214780_")
    # The caller's number is in no log line, only masked.
    [line] = records(stack, "phone call", since)
    assert line["caller"] == "+65******72" and CALLER not in stack.worker.output()
    # Phone audio: each line the caller said was one VAD segment, understood.
    heard_lines = [
        r for r in stack.worker.records()[since:] if "scripted stt recognized" in str(r["message"])
    ]
    assert [r["answered"] for r in heard_lines] == [True, True, True]


async def test_a_caller_without_caller_id_keys_in_their_number_and_silence_ends_the_call(
    phone_stack: PhoneStack,
) -> None:
    stack, since = phone_stack, len(phone_stack.worker.records())
    phone, seconds = stack.phone("keypad", "anonymous", [3.0, "phone_booking", 60.0])
    phone.start(f"/dial {stack.dial}", seconds=seconds + 30)
    try:
        wait_for(
            lambda: bool(records(stack, "keypad entry started", since)),
            "the agent to ask for the keypad",
            45,
        )
        phone.send("/sndcode 98207272#")
        wait_for(lambda: bool(records(stack, "keypad entry", since)), "the digits to arrive", 30)
        # Then nothing more is said: after PHONE_SILENCE_SECONDS the agent ends the call.
        wait_for(lambda: hung_up(phone), "the agent to hang up on the silence", 60)
    finally:
        phone.stop()
    [keyed] = records(stack, "keypad entry", since)
    assert (keyed["what"], keyed["digits"], keyed["understood"]) == ("phone number", 8, True)
    assert records(stack, "caller silent, ending the call", since)
    [line] = records(stack, "phone call", since)
    assert line["withheld"] is True
    assert "audio error" not in phone.output()
    await until_no_rooms(stack)


async def test_a_caller_asking_for_a_person_is_put_through_to_the_staff_phone(
    phone_stack: PhoneStack,
) -> None:
    stack, since = phone_stack, len(phone_stack.worker.records())
    staff = stack.staff
    staff.start(seconds=120)
    phone, seconds = stack.phone("transfer", CALLER, [3.0, "person", 8.0, "booking", 20.0])
    # Long enough for the script twice: once to the agent, once again to the staff phone.
    phone.start(f"/dial {stack.dial}", seconds=2 * seconds + 60)
    try:
        # The caller's phone follows the REFER and calls the staff phone, which answers.
        wait_for(lambda: bool(staff.heard()), "the staff phone to answer", 60)
        wait_for(lambda: bool(records(stack, "transferred to staff", since)), "the transfer", 30)
        # The first leg leaves the room, and the room goes with it.
        await until_no_rooms(stack)
        # The staff phone hears the caller (their microphone script, from the start again).
        wait_for(
            lambda: "audio error" in phone.output(), "the caller's script to end", seconds + 30
        )
    finally:
        phone.stop()
        staff.stop()
    [heard] = staff.heard()
    assert loudest(heard) > NOT_SILENCE
    # livekit-sip itself saw the REFER accepted (not only our leg ending afterwards).
    sip_log = stack.sip.output()
    assert "inbound call transferred" in sip_log and "failed to transfer" not in sip_log


# Last in this module: it kills the stack's worker.
async def test_a_phone_caller_whose_agent_is_lost_is_put_through_to_the_staff_phone(
    phone_stack: PhoneStack, migrated_url: str
) -> None:
    stack, staff, since = phone_stack, phone_stack.staff, len(phone_stack.worker.records())
    env = service_env(
        migrated_url,
        stack.livekit.url,
        AGENT_NAME=PHONE_AGENT,
        RESTAURANT_CONFIG=str(stack.restaurant_file),
    )
    (stack.workdir / "api").mkdir()
    watch, _ = start_api(env, stack.workdir / "api", stack.livekit.api_ports[0])
    answered_before = len(staff.heard())
    staff.start(seconds=150)
    # Quiet on the line, so that neither the agent nor PHONE_SILENCE_SECONDS ends the call first.
    phone, seconds = stack.phone("lost", CALLER, [90.0])
    phone.start(f"/dial {stack.dial}", seconds=seconds + 30)
    try:
        # The agent's greeting: by then livekit-sip has answered the call.
        wait_for(lambda: bool(records(stack, "turn", since)), "the agent to answer", 60)
        [started] = records(stack, "call started", since)
        # The worker and the call's job process die (the machine's agent side is gone): the
        # API's call watch is what is left to help the caller.
        assert stack.worker.process is not None
        stack.worker.process.kill()
        stack.worker.process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(str(started["pid"])), signal.SIGKILL)
        wait_for(lambda: len(staff.heard()) > answered_before, "the staff phone to answer", 120)
        await until_no_rooms(stack, 60)
    finally:
        phone.stop()
        staff.stop()
        watch.stop()
    log = watch.output()
    assert "phone caller put through to staff: no agent" in log, log[-3000:]
    assert "hung up on" not in log
