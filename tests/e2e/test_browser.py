"""The call page in real headless Chromium, with a fake microphone, against the real stack."""

from __future__ import annotations

import wave
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from livekit import api
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright, expect

from core.db.reservations import ReservationStore
from testkit.stack import LIVEKIT_KEY, LIVEKIT_SECRET
from testkit.standins import AUDIO_FIXTURES
from tests.support.browser import ARTIFACTS, QUIET, accessibility_problems, chromium_path
from tests.support.stacks import Stack


def microphone_script(path: Path) -> Path:
    """What the fake microphone says: pause, the booking, pause, "yes", then silence."""
    pieces: list[bytes] = []
    second = bytes(16000 * 2)
    for part in ["", "booking.wav", "", "", "", "", "confirm.wav"]:
        if not part:
            pieces.append(second)
            continue
        with wave.open(str(AUDIO_FIXTURES / part)) as wav:
            pieces.append(wav.readframes(wav.getnframes()))
    pieces.append(second * 40)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"".join([second, second, *pieces]))
    return path


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Browser]:
    """Chromium whose microphone is granted and plays the caller's script."""
    executable = chromium_path()
    microphone = microphone_script(tmp_path / "microphone.wav")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable,
            args=[
                *QUIET,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={microphone}%noloop",
            ],
        )
        yield browser
        await browser.close()


@pytest.fixture
async def wary_browser() -> AsyncIterator[Browser]:
    """Chromium with a microphone whose use the person refuses."""
    executable = chromium_path()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable,
            args=[*QUIET, "--use-fake-device-for-media-stream", "--deny-permission-prompts"],
        )
        yield browser
        await browser.close()


async def participants_left(stack: Stack) -> list[str]:
    """Identities of the non-agent participants still in any room on the server."""
    async with api.LiveKitAPI(
        stack.livekit.url.replace("ws://", "http://"), LIVEKIT_KEY, LIVEKIT_SECRET
    ) as server:
        rooms = await server.room.list_rooms(api.ListRoomsRequest())
        left = []
        for room in rooms.rooms:
            found = await server.room.list_participants(api.ListParticipantsRequest(room=room.name))
            left += [p.identity for p in found.participants if p.identity.startswith("caller-")]
        return left


async def test_a_caller_books_from_the_call_page(
    stack: Stack, store: ReservationStore, browser: Browser
) -> None:
    page: Page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))

    await page.goto(stack.api_base)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Call Tanjong Table")
    assert await accessibility_problems(page) == []
    call = page.get_by_role("button", name="Call the restaurant")
    await call.focus()
    await page.keyboard.press("Enter")  # reachable and usable from the keyboard

    await expect(page.locator("#connection-state")).to_have_text("Connected", timeout=20_000)
    hang_up = page.get_by_role("button", name="Hang up")
    await expect(hang_up).to_be_visible()
    agent_state = page.locator("#agent-state")
    await expect(agent_state).to_have_attribute("data-state", "speaking", timeout=20_000)
    await expect(agent_state).to_have_attribute("data-state", "listening", timeout=20_000)

    caller_lines = page.locator("#transcript li.caller")
    agent_lines = page.locator("#transcript li.agent")
    await expect(caller_lines.first).to_contain_text("table for four", timeout=30_000)
    await expect(agent_lines.first).to_be_visible()

    card = page.get_by_role("region", name="Your booking")
    await expect(card).to_be_visible(timeout=40_000)
    code = (await page.locator("#booking-code").inner_text()).strip()
    booked = await store.get_by_code(code)
    assert booked is not None and booked.status == "confirmed"
    await expect(page.locator("#booking-time")).to_have_text(f"{booked.reservation_time:%H:%M}")
    await expect(page.locator("#booking-party")).to_have_text(str(booked.party_size))
    await expect(page.locator("#booking-status")).to_have_text("Confirmed")
    await expect(caller_lines).to_have_count(2, timeout=10_000)
    # The receptionist says the card's code, and has finished saying it before the screenshot.
    confirmation = agent_lines.last
    await expect(confirmation).to_contain_text(f"confirmation code is {code}", timeout=10_000)
    await expect(confirmation).to_contain_text("Anything else I can help with?", timeout=10_000)
    # In the call too: state, transcript and the confirmation card.
    assert await accessibility_problems(page) == []

    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "call-page.png"), full_page=True)

    await hang_up.click()
    await expect(page.locator("#connection-state")).to_have_text("Call ended")
    await expect(call).to_be_visible()
    assert await participants_left(stack) == []
    assert problems == []


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (
            {"status": 429, "json": {"detail": "Too many token requests from this address."}},
            "The call could not be started: Too many token requests from this address.",
        ),
        (
            {"status": 503, "json": {"detail": "The LiveKit server is not configured."}},
            "The call could not be started: The LiveKit server is not configured.",
        ),
        (None, "Can't reach the restaurant's server. Check your connection and try again."),
    ],
)
async def test_a_refused_or_unreachable_token_is_explained(
    stack: Stack, browser: Browser, answer: dict[str, object] | None, shown: str
) -> None:
    page = await browser.new_page()
    if answer is None:
        await page.route("**/api/token", lambda route: route.abort("connectionrefused"))
    else:
        await page.route("**/api/token", lambda route: route.fulfill(**answer))
    await page.goto(stack.api_base)
    await page.get_by_role("button", name="Call the restaurant").click()
    await expect(page.get_by_role("alert")).to_have_text(shown)
    await expect(page.get_by_role("button", name="Call the restaurant")).to_be_enabled()
    await expect(page.locator("#connection-state")).not_to_have_text("Connected")


async def test_a_refused_microphone_is_explained_and_the_room_left(
    stack: Stack, wary_browser: Browser
) -> None:
    page = await wary_browser.new_page()
    await page.goto(stack.api_base)
    await page.get_by_role("button", name="Call the restaurant").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "Microphone access was refused. Allow the microphone for this page, then call again."
    )
    await expect(page.get_by_role("button", name="Call the restaurant")).to_be_visible()
    assert await participants_left(stack) == []
