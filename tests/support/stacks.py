"""The end-to-end stacks the fixtures of tests/e2e/conftest.py start, and the tests' defaults
for testkit.stack: which stand-in models a worker runs unless a test names others, waiting
inside a test, and what to do when a program is missing."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from livekit import api

from testkit import stack
from testkit.caller import Caller
from testkit.stack import LIVEKIT_KEY, LIVEKIT_SECRET, LiveKitServer, Process
from tests.support.phone import Phone, Telephony, compose

# The stand-ins every end-to-end worker runs unless a test names others (tests/support/).
BOOKING_CALL = "tests.support.e2e_models:booking_call"
PHONE_CALLS = "tests.support.e2e_models:phone_calls"
NUMBER_IN_GROUPS = "tests.support.e2e_turns:number_in_groups"
PHONE_AGENT = "receptionist-phone"
# A deployment on the shared LiveKit server whose calls end by themselves, and which carries one
# call at a time (tests/e2e/test_attack_limits.py).
CALLS_THAT_END = "tests.support.e2e_models:web_calls_that_end"
LIMITED_AGENT = "receptionist-limited"
LIMITED = {"WEB_SILENCE_SECONDS": "4", "MAX_CALL_SECONDS": "40", "MAX_CONCURRENT_CALLS": "1"}
# A deployment on the shared LiveKit server that records its calls (tests/e2e/test_recording.py).
RECORDING_AGENT = "receptionist-recording"
# One that keeps them in an S3-compatible bucket (RECORDINGS_BUCKET) instead of a folder.
BUCKET_RECORDING_AGENT = "receptionist-recording-bucket"
# The product's bounds are for a restaurant's server; on CI's two busy cores a database call
# took over DB_TIMEOUT_SECONDS' 2 s (the booking was refused as "not answering"), and a caller
# waiting on another's turn in a two-caller test sat silent past WEB_SILENCE_SECONDS' 30 s.
PATIENT = {"DB_TIMEOUT_SECONDS": "20", "WEB_SILENCE_SECONDS": "300"}
# (fault, seconds until the caller was served or told), filled by tests/e2e/test_faults.py and
# printed at the end of the run by tests/e2e/conftest.py.
TIME_TO_SERVICE: list[tuple[str, float]] = []


def service_env(
    database_url: str, livekit_url: str, *, models: str = BOOKING_CALL, **extra: str
) -> dict[str, str]:
    """testkit.stack's environment, with the scripted booking call as the models by default,
    and bounds for a shared, busy machine unless a test sets its own."""
    return stack.service_env(database_url, livekit_url, models=models, **{**PATIENT, **extra})


async def until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Wait, without blocking the event loop the caller runs on, until `condition` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def until_async(
    condition: Callable[[], Awaitable[bool]], what: str, timeout: float = 30
) -> None:
    """`until` for a condition that must be awaited (a database read)."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def book_by_voice(caller: Caller, timeout: float = 45) -> None:
    """The scripted booking call's two turns (BOOKING_CALL): the booking, which the agent reads
    back; then the confirmation, after which the booking's room message arrives."""
    await caller.say("booking.wav", trailing_silence=1.5)
    await until(
        lambda: any("Shall I book it?" in t for t in caller.said_by("agent")),
        "the agent to read the booking back",
        timeout,
    )
    await caller.say("confirm.wav", trailing_silence=1.5)
    await until(lambda: bool(caller.notices), "the confirmation message", timeout)


async def book_and_hear_the_code(caller: Caller) -> None:
    """`book_by_voice`, until the agent has said the booking's confirmation code."""
    await book_by_voice(caller)
    await until(
        lambda: any("confirmation code is" in t for t in caller.said_by("agent")),
        "the spoken confirmation code",
        20,
    )


def missing(reason: str) -> None:
    """Skip for want of a program; in CI, fail."""
    if os.environ.get("CI"):
        # In CI a missing program is a broken machine, not a reason to skip.
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@dataclass
class Stack:
    livekit: LiveKitServer
    api: Process
    api_base: str
    worker: Process
    workdir: Path


@dataclass
class PhoneStack:
    """A LiveKit server with Redis and livekit-sip, a worker dispatched by the dispatch rule,
    and the restaurant's number to dial."""

    livekit: LiveKitServer
    telephony: Telephony
    worker: Process
    sip: Process
    staff: Phone
    workdir: Path
    dial: str
    trunk_id: str
    rule_id: str
    # The sample restaurant, with the staff phone taking transferred calls at every hour.
    restaurant_file: Path

    def phone(self, name: str, user: str, parts: list[str | float | bytes]) -> tuple[Phone, float]:
        """A caller's phone with this microphone script, configured, and the script's length."""
        microphone = self.workdir / f"{name}.wav"
        seconds = compose(microphone, parts)
        caller = Phone(name, self.workdir, user, microphone)
        caller.configure()
        return caller, seconds


@dataclass
class Deployment:
    """Another API and worker on a stack's LiveKit server, under their own agent name."""

    api_base: str
    worker: Process


@dataclass
class StaffStack:
    api: Process
    api_base: str
    restaurant_file: Path
    # The API's RECORDINGS_DIR.
    recordings: Path


def records(stack: PhoneStack, message: str, since: int) -> list[dict[str, object]]:
    """The worker's log records with this message, from record `since` on."""
    return [r for r in stack.worker.records()[since:] if r.get("message") == message]


def call_session(stack: PhoneStack, since: int) -> str:
    """The room of the one phone call since record `since`."""
    [started] = records(stack, "phone call", since)
    return str(started["room"])


async def rooms(stack: PhoneStack) -> list[str]:
    http = stack.livekit.url.replace("ws://", "http://")
    async with api.LiveKitAPI(http, LIVEKIT_KEY, LIVEKIT_SECRET) as server:
        listed = await server.room.list_rooms(api.ListRoomsRequest())
        return [room.name for room in listed.rooms]


async def until_no_rooms(stack: PhoneStack, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while await rooms(stack):
        assert time.monotonic() < deadline, "a call's room outlived the call"
        await asyncio.sleep(0.2)


def hung_up(phone: Phone) -> bool:
    return "terminated" in phone.output()
