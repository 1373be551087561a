"""Callers who would hold the line: one who stays silent, one who talks for ever, and more callers
than the deployment carries. The real stack (livekit-server, the API, a worker over WebRTC) with
low limits (tests/support/stacks.py: LIMITED) and a model that only greets and says goodbye.
"""

from __future__ import annotations

import asyncio
import time

import httpx
from playwright.async_api import Browser, expect

from api.live_calls import JOIN_WINDOW
from testkit.caller import Caller
from tests.support.e2e_models import LONGEST_GOODBYE, SILENT_GOODBYE
from tests.support.stacks import LIMITED, Deployment, until

SILENCE = float(LIMITED["WEB_SILENCE_SECONDS"])
LONGEST = float(LIMITED["MAX_CALL_SECONDS"])


async def token(api_base: str) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(f"{api_base}/api/token", json={}, timeout=10)


async def when_the_line_is_free(api_base: str) -> dict[str, str]:
    """A token, once the call before (of an earlier test) has ended and been counted out."""
    deadline = time.monotonic() + 30
    while (answer := await token(api_base)).status_code == 503:
        assert "Retry-After" in answer.headers
        assert time.monotonic() < deadline, "the line stayed busy"
        await asyncio.sleep(0.5)
    assert answer.status_code == 201, answer.text
    body: dict[str, str] = answer.json()
    return body


async def greeted(limited: Deployment) -> Caller:
    caller = Caller()
    answer = await when_the_line_is_free(limited.api_base)
    await caller.connect(answer["server_url"], answer["participant_token"])
    await until(lambda: caller.agent_voiced_frames > 0, "the agent's greeting", 60)
    return caller


# agent/call/limits.py's log lines as it ends a call.
ENDINGS = {"caller silent, ending the call", "call at its longest, ending it"}


def ended_because(limited: Deployment, room: str) -> list[str]:
    records = limited.worker.records()
    return [
        str(r["message"]) for r in records if r.get("session") == room and r["message"] in ENDINGS
    ]


async def test_a_silent_caller_is_told_goodbye_and_the_call_ends(limited: Deployment) -> None:
    caller = await greeted(limited)
    try:
        quiet_since = time.monotonic()
        await until(lambda: not caller.room.isconnected(), "the agent to end the call", 60)
        lasted = time.monotonic() - quiet_since
    finally:
        await caller.leave()
    assert lasted >= SILENCE
    assert any(SILENT_GOODBYE in line for line in caller.said_by("agent"))
    assert ended_because(limited, caller.room.name) == ["caller silent, ending the call"]


async def test_a_call_that_never_pauses_ends_at_its_longest_and_holds_the_only_line(
    limited: Deployment, chromium: Browser
) -> None:
    asked_at = time.monotonic()
    caller = await greeted(limited)

    async def keep_talking() -> None:
        # Never SILENCE seconds without speech: only the length limit can end this call.
        while caller.room.isconnected():
            await caller.say("confirm.wav", trailing_silence=1.0)

    talking = asyncio.create_task(keep_talking())
    try:
        # The deployment carries one call: the next caller finds the line busy, on the page too.
        busy = await token(limited.api_base)
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "30"
        page = await chromium.new_page()
        await page.goto(limited.api_base)
        await page.get_by_role("button", name="Call the restaurant").click()
        await expect(page.get_by_role("alert")).to_have_text(busy.json()["detail"])
        assert busy.json()["detail"].startswith("The line is busy: please try again in 30 seconds")

        # Once its token no longer counts, the room the LiveKit server lists still does.
        await until(lambda: time.monotonic() - asked_at > JOIN_WINDOW + 2, "the join window", 60)
        assert caller.room.isconnected()
        assert (await token(limited.api_base)).status_code == 503

        await until(lambda: not caller.room.isconnected(), "the call to reach its end", 90)
        lasted = time.monotonic() - asked_at
    finally:
        talking.cancel()
        await asyncio.gather(talking, return_exceptions=True)
        await caller.leave()
    assert lasted >= LONGEST
    assert any(LONGEST_GOODBYE in line for line in caller.said_by("agent"))
    assert ended_because(limited, caller.room.name) == ["call at its longest, ending it"]
    # The line is free again as soon as the watch sees the room gone (every 2 s).
    freed_at = time.monotonic()
    await when_the_line_is_free(limited.api_base)
    assert time.monotonic() - freed_at < 15
