"""The staff page in real headless Chromium against the real API process and database: sign in,
work a day's bookings and callbacks, seat a walk-in; a second tablet sees every change live."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from pathlib import Path

import av
import numpy as np
import pytest
from playwright.async_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    ViewportSize,
    async_playwright,
    expect,
)

from core.db.call_log import CallLog, no_facts
from core.db.reservations import ReservationStore
from core.models import Reservation
from core.recordings.folder import RecordingFolder
from core.restaurant import Restaurant, load_restaurant
from core.services.calls import CallService
from core.services.reservations import ReservationService
from testkit.stack import API_KEY
from tests.support.browser import ARTIFACTS, QUIET, accessibility_problems, chromium_path
from tests.support.stacks import StaffStack

TABLET: ViewportSize = {"width": 1180, "height": 820}  # a 10.9" tablet, landscape
# The page polls every 4 s; a busy shared machine gets generous room beyond that.
LIVE = 30_000


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(), args=QUIET)
        yield browser
        await browser.close()


@pytest.fixture
def midday(staff_stack: StaffStack) -> Restaurant:
    """The restaurant the staff stack's API serves."""
    return load_restaurant(staff_stack.restaurant_file)


class Tablet:
    """One staff tablet: a page in its own browser context (its own sessionStorage)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(str(error)))

    def _console(self, message: ConsoleMessage) -> None:
        # Chromium reports the answers the test provokes (401 for a wrong key, 409 for a refused
        # change) as failed resource loads; the page showing them is the page working.
        expected = re.search(r"status of 40[19]", message.text)
        if message.type == "error" and not expected:
            self.problems.append(message.text)

    def row(self, name: str) -> Locator:
        return self.page.locator("tbody tr", has_text=name)

    def callback(self, name: str) -> Locator:
        return self.page.locator("#callbacks li", has_text=name)

    async def sign_in(self, base: str, key: str = API_KEY) -> None:
        await self.page.goto(f"{base}/staff")
        await self.page.get_by_label("Staff key", exact=True).fill(key)
        await self.page.get_by_role("button", name="Sign in").click()


async def tablet(browser: Browser) -> Tablet:
    context = await browser.new_context(viewport=TABLET)
    return Tablet(await context.new_page())


def clock_at(restaurant: Restaurant, hour: int) -> datetime:
    """Today at `hour`, at the restaurant, as an aware time for a service's clock."""
    today = restaurant.local_now(datetime.now(restaurant.tz)).date()
    return datetime.combine(today, time(hour), tzinfo=restaurant.tz)


async def agent_books(
    service: ReservationService, name: str, phone: str, at: time, party: int, notes: str = ""
) -> Reservation:
    """A booking for today as the voice agent makes it, through the service."""
    return await service.create(
        phone_number=phone,
        name=name,
        reservation_date=service.restaurant.local_now(service.now()).date(),
        reservation_time=at,
        party_size=party,
        other_info={"notes": notes} if notes else {},
        session_id=f"room-{phone}",
    )


async def a_days_bookings(
    store: ReservationStore, calls: CallService, restaurant: Restaurant
) -> ReservationService:
    """The day so far: bookings made this morning for lunch and tonight, and two callbacks."""
    morning = ReservationService(store, restaurant, clock=lambda: clock_at(restaurant, 8))
    day = [
        ("Tan Wei Ming", "+6591230001", time(11, 30), 2, ""),
        ("Priya Nair", "+6591230002", time(12, 0), 4, "birthday"),
        ("Jonathan Ong", "+6591230003", time(18, 0), 2, ""),
        ("Mei Ling Tan", "+6598207272", time(19, 0), 4, "anniversary, quiet corner"),
        ("Rajesh Kumar", "+6591230004", time(19, 0), 6, "peanut allergy"),
        ("Grace Teo", "+6591230005", time(19, 30), 8, "business dinner"),
        ("Hafiz Rahman", "+6591230006", time(20, 30), 3, ""),
    ]
    for name, phone, at, party, notes in day:
        await agent_books(morning, name, phone, at, party, notes)
    await calls.create_escalation(
        name="Aisha Bakar",
        phone_number="+6591234567",
        reason="complaint",
        summary="Cold food at dinner last Friday; wants the manager to call.",
        urgency="high",
    )
    await calls.create_escalation(
        name="Marcus Goh",
        phone_number="+6587654321",
        reason="private event",
        summary="A buyout for 40 guests on a Saturday in December.",
        urgency="normal",
    )
    # From now on, on the real clock: what the voice agent books while staff watch.
    return ReservationService(store, restaurant)


async def test_staff_work_a_day_from_the_staff_page_and_a_second_tablet_sees_it_live(
    staff_stack: StaffStack,
    store: ReservationStore,
    calls: CallService,
    midday: Restaurant,
    browser: Browser,
) -> None:
    agent = await a_days_bookings(store, calls, midday)
    host, manager = await tablet(browser), await tablet(browser)

    # Signing in: a wrong key says so; the right one is kept in this tab's sessionStorage only.
    page = host.page
    await host.sign_in(staff_stack.api_base, "not-the-key")
    await expect(page.get_by_role("alert")).to_have_text(
        "That staff key is not right. Check it and try again."
    )
    assert await accessibility_problems(page) == []
    await page.get_by_label("Staff key", exact=True).fill(API_KEY)
    await page.get_by_label("Staff key", exact=True).press("Enter")
    await expect(page.get_by_role("heading", name=re.compile("^Bookings for"))).to_be_visible()
    assert await page.evaluate("sessionStorage.getItem('staff-key')") == API_KEY
    assert await page.context.cookies() == []
    assert API_KEY not in page.url
    await expect(page.locator("#restaurant-name")).to_have_text("Tanjong Table")

    # The day's book: the agent's booking, by service and time, with its party and notes.
    mei_ling = host.row("Mei Ling Tan")
    await expect(mei_ling).to_contain_text("19:00")
    await expect(mei_ling).to_contain_text("anniversary, quiet corner")
    await expect(mei_ling.locator(".pill")).to_have_text("Confirmed")
    dinner = page.get_by_role("region", name=re.compile("^Dinner"))
    await expect(dinner).to_contain_text("5 bookings, 23 guests")
    await expect(dinner.get_by_text("19:30: 18 of 40 covers")).to_be_attached()
    await expect(host.callback("Aisha Bakar")).to_contain_text("High urgency")
    await expect(host.callback("Aisha Bakar").get_by_role("link")).to_have_attribute(
        "href", "tel:+6591234567"
    )

    await manager.sign_in(staff_stack.api_base)
    await expect(manager.row("Mei Ling Tan").locator(".pill")).to_have_text("Confirmed")

    # Seated, from the keyboard alone: Tab from the day picker reaches the row's button.
    await page.get_by_label("Day", exact=True).focus()
    seat = "Seated: Mei Ling Tan at 19:00"
    for _ in range(60):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.getAttribute('aria-label')") == seat:
            break
    else:
        pytest.fail(f"Tab never reached {seat!r}")
    await page.keyboard.press("Enter")
    await expect(mei_ling.locator(".pill")).to_have_text("Seated")
    await expect(page.get_by_role("status")).to_have_text("Mei Ling Tan (19:00) seated.")
    await expect(manager.row("Mei Ling Tan").locator(".pill")).to_have_text("Seated", timeout=LIVE)
    assert (await agent.by_code(await code_of(mei_ling))).status == "seated"

    # A refused change says why, in the API's words.
    await host.row("Grace Teo").get_by_role("button", name="No-show: Grace Teo at 19:30").click()
    await expect(page.locator("#error")).to_contain_text(
        "a no-show can be marked once that time has passed"
    )

    # Resolving a callback, with a note; it leaves both tablets.
    aisha = host.callback("Aisha Bakar")
    await aisha.get_by_label("Note", exact=True).fill("Apologised; voucher sent.")
    await aisha.get_by_role("button", name="Resolve: Aisha Bakar").click()
    await expect(page.get_by_role("status")).to_have_text("Callback to Aisha Bakar resolved.")
    await expect(aisha).to_have_count(0)
    await expect(manager.callback("Aisha Bakar")).to_have_count(0, timeout=LIVE)
    await host.callback("Marcus Goh").get_by_role("button", name="Start: Marcus Goh").click()
    await expect(host.callback("Marcus Goh")).to_contain_text("In progress")

    # A walk-in, seated at once at the current slot.
    form = page.get_by_role("region", name="Add a walk-in")
    await form.get_by_label("Name", exact=True).fill("Nurul Huda")
    await form.get_by_label("Phone", exact=True).fill("9001 2345")
    await form.get_by_label("Guests", exact=True).fill("3")
    await form.get_by_label("Notes", exact=True).fill("high chair")
    await form.get_by_role("button", name="Seat walk-in now").click()
    await expect(page.get_by_role("status")).to_contain_text("Walk-in seated: Nurul Huda, 3 guests")
    await expect(host.row("Nurul Huda").locator(".pill")).to_have_text("Seated")
    await expect(form.get_by_label("Name", exact=True)).to_have_value("")
    await expect(manager.row("Nurul Huda").locator(".pill")).to_have_text("Seated", timeout=LIVE)

    # Live: what the voice agent writes now appears on both tablets without a reload.
    await agent_books(agent, "Chloe Lim", "+6591230007", time(21, 0), 2, "window seat")
    await calls.create_escalation(
        name="Daniel Wong",
        phone_number="+6581112222",
        reason="lost property",
        summary="Left a black umbrella at table 12 last night.",
        urgency="normal",
    )
    for screen in (host, manager):
        await expect(screen.row("Chloe Lim")).to_contain_text("window seat", timeout=LIVE)
        await expect(screen.callback("Daniel Wong")).to_be_visible(timeout=LIVE)
    await expect(page.get_by_role("status")).to_have_text(
        "New callback: Daniel Wong (normal urgency)."
    )

    assert await accessibility_problems(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "staff-page.png"), full_page=True)

    # Signing out forgets the key; a reload asks for it again.
    await page.get_by_role("button", name="Sign out").click()
    assert await page.evaluate("sessionStorage.getItem('staff-key')") is None
    await page.reload()
    await expect(page.get_by_label("Staff key", exact=True)).to_be_visible()
    assert host.problems == [] and manager.problems == []


async def code_of(row: Locator) -> str:
    return (await row.locator(".code").inner_text()).strip()


async def test_the_staff_page_on_a_phone_sized_screen_is_still_usable(
    staff_stack: StaffStack,
    store: ReservationStore,
    calls: CallService,
    midday: Restaurant,
    browser: Browser,
) -> None:
    await a_days_bookings(store, calls, midday)
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await page.goto(f"{staff_stack.api_base}/staff")
    await page.get_by_label("Staff key", exact=True).fill(API_KEY)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("tbody tr", has_text="Mei Ling Tan")).to_be_visible()
    assert await accessibility_problems(page) == []
    # Nothing wider than the screen: no sideways scrolling at the host stand.
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390


async def a_booking_call(log: CallLog, agent: ReservationService, room: str) -> int:
    """A phone call as the agent records it, and the booking it made (in the same session)."""
    call_id = await log.open_call(room, "phone", "+6591239999")
    now = datetime.now(UTC)
    await log.note_agent(call_id, "greeter")
    await log.add_line(call_id, now, "agent", "greeter", "Thank you for calling Tanjong Table.")
    await log.add_line(call_id, now, "caller", "greeter", "A table for two tonight at nine.")
    booked = await agent.create(
        phone_number="+6591239999",
        name="Siti Aminah",
        reservation_date=agent.restaurant.local_now(agent.now()).date(),
        reservation_time=time(21, 0),
        party_size=2,
        session_id=room,
    )
    code = booked.confirmation_code
    await log.add_line(call_id, now, "tool", "reservation", f"booked {code} for 2 on Fri 21:00")
    await log.add_line(call_id, now, "agent", "reservation", f"Booked. Your code is {code}.")
    await log.note_facts(call_id, no_facts() | {"booked": [code], "covers": 2})
    await log.end_call(call_id, caller_hung_up=True, failed=None)
    return call_id


async def test_calls_appear_live_open_to_their_transcript_and_a_booking_links_to_its_call(
    staff_stack: StaffStack,
    store: ReservationStore,
    calls: CallService,
    call_log: CallLog,
    midday: Restaurant,
    browser: Browser,
) -> None:
    agent = await a_days_bookings(store, calls, midday)
    question = await call_log.open_call("room-question", "web", None)
    await call_log.note_facts(question, no_facts() | {"questions": 1})
    await call_log.end_call(question, caller_hung_up=True, failed=None)
    host = await tablet(browser)
    page = host.page
    await host.sign_in(staff_stack.api_base)
    listed = page.locator("#calls li")
    await expect(listed).to_have_count(1)
    await expect(listed.first).to_contain_text("Answered")

    # Live: the call the agent takes now appears without a reload, number masked.
    await a_booking_call(call_log, agent, "room-siti")
    siti = listed.filter(has_text="+65******99")
    await expect(siti).to_contain_text("Booked", timeout=LIVE)
    await expect(listed).to_have_count(2)

    # It opens to its transcript, both sides in order and the booking inline; the whole number
    # to call back.
    await siti.get_by_role("button").click()
    detail = page.get_by_role("region", name="Call", exact=True)
    await expect(page.locator("#call-heading")).to_be_focused()
    lines = page.locator("#transcript li")
    await expect(lines).to_have_count(4)
    await expect(lines.nth(0)).to_contain_text("Thank you for calling Tanjong Table.")
    await expect(lines.nth(1)).to_contain_text("A table for two tonight at nine.")
    await expect(lines.nth(2)).to_contain_text(re.compile(r"booked \w{6} for 2"))
    await expect(detail.get_by_role("link")).to_have_attribute("href", "tel:+6591239999")
    assert await accessibility_problems(page) == []

    # Filtered by outcome.
    await page.get_by_label("Outcome", exact=True).select_option("answered")
    await expect(listed).to_have_count(1)
    await expect(listed.first).to_contain_text("web call")
    await page.get_by_label("Outcome", exact=True).select_option("booked")
    await expect(listed).to_have_count(1)
    await expect(listed.first).to_contain_text("+65******99")

    # The booking links to the call that made it.
    await page.get_by_role("button", name="Close the call").click()
    await expect(detail).to_be_hidden()
    await (
        host.row("Siti Aminah")
        .get_by_role("button", name=re.compile("^The call that booked"))
        .click()
    )
    await expect(lines.nth(1)).to_contain_text("A table for two tonight at nine.")
    # The week, in words as well as the chart.
    await expect(page.locator(".week-figures")).to_contain_text("Bookings")
    await expect(page.get_by_role("img", name=re.compile("^Calls per day"))).to_be_visible()
    assert await accessibility_problems(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "staff-page-calls.png"), full_page=True)

    # Readable on a tablet held upright: nothing wider than the screen.
    await page.set_viewport_size({"width": 820, "height": 1180})
    await expect(lines.nth(1)).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 820
    assert host.problems == []


def tone_recording(path: Path, seconds: float = 2.0) -> None:
    """A real Ogg Opus file as livekit-agents' recorder writes one (48 kHz stereo): a tone."""
    rate, frame = 48_000, 960
    wave = (0.3 * np.sin(2 * np.pi * 440 * np.arange(int(rate * seconds)) / rate) * 32767).astype(
        np.int16
    )
    with av.open(str(path), "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=rate, layout="stereo")
        for start in range(0, len(wave), frame):
            chunk = wave[start : start + frame]
            both = np.ascontiguousarray(np.stack([chunk, chunk], axis=1).reshape(1, -1))
            audio = av.AudioFrame.from_ndarray(both, format="s16", layout="stereo")
            audio.sample_rate, audio.pts = rate, start
            for packet in stream.encode(audio):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


async def test_a_calls_recording_plays_on_the_staff_page_and_a_poll_does_not_stop_it(
    staff_stack: StaffStack, call_log: CallLog, browser: Browser, tmp_path: Path
) -> None:
    call_id = await call_log.open_call("room-recorded", "phone", "+6591238888")
    await call_log.end_call(call_id, caller_hung_up=True, failed=None)
    source = tmp_path / "audio.ogg"
    tone_recording(source)
    await call_log.add_recording(
        call_id, await RecordingFolder(staff_stack.recordings).keep(source)
    )
    host = await tablet(browser)
    page = host.page
    await host.sign_in(staff_stack.api_base)
    listed = page.locator("#calls li")
    await listed.first.get_by_role("button").click()

    # Fetched with the staff key (an <audio> element cannot send it) and played from memory.
    await page.get_by_role("button", name="Listen to the recording").click()
    player = page.get_by_label("The call's recording")
    await expect(player).to_be_focused()
    # Its length once the browser has read it; -1 if it refuses it, 0 if nothing in 30 s.
    duration = await player.evaluate(
        """audio => new Promise(resolve => {
            if (audio.readyState >= 1) return resolve(audio.duration);
            audio.addEventListener("loadedmetadata", () => resolve(audio.duration));
            audio.addEventListener("error", () => resolve(-1));
            setTimeout(() => resolve(0), 30000);
        })"""
    )
    assert 1.5 < duration < 2.5, duration
    assert await accessibility_problems(page) == []

    # The next poll redraws the call (a new call arrives live) but leaves the player alone.
    await player.evaluate("audio => { audio.dataset.mark = 'kept' }")
    other = await call_log.open_call("room-later", "web", None)
    await call_log.end_call(other, caller_hung_up=True, failed=None)
    await expect(listed).to_have_count(2, timeout=LIVE)
    await expect(player).to_have_attribute("data-mark", "kept")

    # Closed, the page lets go of it.
    await page.get_by_role("button", name="Close the call").click()
    await expect(page.locator("audio")).to_have_count(0)
    assert host.problems == []
