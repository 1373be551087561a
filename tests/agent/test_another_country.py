"""Another country is a different restaurant.toml, not different code.

The sample's [locale] and time zone are swapped for a London and a New York restaurant; the
same agents then read that country's phone numbers and numeric dates and speak to its callers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

import pytest
from livekit.agents import RunResult

from agent.call.start import new_call
from agent.call.state import CallState
from core.db.reservations import ReservationStore
from core.restaurant import Restaurant, load_restaurant
from core.services.calls import CallService
from core.services.proofs import FailedProofs
from core.services.reservations import ReservationService
from testkit.scripted_llm import Rule, call
from tests.support.calls import LIMITS, Call, Notices, script
from tests.support.days import NOW
from tests.support.restaurants import SAMPLE_RESTAURANT


@dataclass(frozen=True)
class Country:
    region: str
    timezone: str
    date_order: str
    languages: tuple[str, ...]
    local_phone: str  # as a caller there says it, without the country code
    e164: str
    national: str  # as the agent reads it back
    numeric_date: str  # Saturday 28 November 2026, written the country's way
    restaurant_phone: str


LONDON = Country(
    "GB", "Europe/London", "day_first", ("English",), "020 7946 0958", "+442079460958",
    "020 7946 0958", "28/11", "+44 20 7946 0000",
)  # fmt: skip
NEW_YORK = Country(
    "US", "America/New_York", "month_first", ("English", "Spanish"), "(212) 555 2368",
    "+12125552368", "(212) 555-2368", "11/28", "+1 212 555 0100",
)  # fmt: skip


def restaurant_in(country: Country, folder: Path) -> Restaurant:
    text = (
        SAMPLE_RESTAURANT.replace('phone_region = "SG"', f'phone_region = "{country.region}"')
        .replace('timezone = "Asia/Singapore"', f'timezone = "{country.timezone}"')
        .replace('date_order = "day_first"', f'date_order = "{country.date_order}"')
        .replace('["English", "Mandarin", "Malay", "Tamil"]', json.dumps(country.languages))
        .replace('phone = "+65 6221 4780"', f'phone = "{country.restaurant_phone}"')
    )
    assert text.count(country.region) and country.timezone in text
    path = folder / "restaurant.toml"
    path.write_text(text)
    return load_restaurant(path)


@pytest.fixture(params=[LONDON, NEW_YORK], ids=["london", "new-york"])
def country(request: pytest.FixtureRequest) -> Country:
    chosen: Country = request.param
    return chosen


@pytest.fixture
def service(store: ReservationStore, country: Country, tmp_path: Path) -> ReservationService:
    # Replaces tests/conftest.py's Singapore service for every fixture built on it.
    return ReservationService(store, restaurant_in(country, tmp_path), clock=lambda: NOW)


@pytest.fixture
def state(
    service: ReservationService, calls: CallService, proofs: FailedProofs, notices: Notices
) -> CallState:
    return new_call(service, calls, proofs, "room-abroad", notices, LIMITS)


async def test_a_caller_books_with_the_countrys_numbers_and_dates(
    phone_call: Call, country: Country, service: ReservationService
) -> None:
    details = {
        "party_size": "2",
        "date": country.numeric_date,
        "time": "seven",
        "name": "Sam Taylor",
        "phone": country.local_phone,
    }
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", **details)]),
        Rule(user="available", then=[call("check_availability")]),
        Rule(user="yes", then=[call("confirm_booking")]),
    )
    async with phone_call(model) as session:
        await session.run(user_input="A table for two please")
        checked: RunResult[None] = await session.run(user_input="Is it available?")
        await session.run(user_input="yes")
    quote = checked.expect.next_event(type="function_call_output").event().item
    # Read back as the country writes it, never as E.164.
    assert f"phone {country.national}" in quote.output
    page = await service.list_for_date(date(2026, 11, 28), status="confirmed")
    [row] = page.items
    assert (row.phone_number, row.reservation_time) == (country.e164, time(19, 0))


def test_the_agents_speak_the_countrys_languages_and_name_its_number(
    state: CallState, country: Country
) -> None:
    instructions = str(state.agents["greeter"].instructions)
    assert f"callers here may use {', '.join(country.languages)})" in instructions
    assert "Mandarin" not in instructions
    assert country.restaurant_phone in str(state.agents["information"].instructions)
