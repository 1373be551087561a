"""A real phone call whose From header carries someone else's number.

baresip dials through livekit-sip as the victim's number (anyone can put any number in a SIP
From header) and asks after "my booking"; the worker runs the leakiest stand-in model there is
(tests/support/e2e_models.py:spoofed_caller: it says aloud whatever a tool tells it, and cancels
the booking it found). A hidden listener in the room takes down what the agent said to the phone.
"""

from __future__ import annotations

import re

import asyncpg
import pytest

from core.db.reservations import ReservationStore
from core.restaurant import load_restaurant
from core.services.reservations import ReservationService
from tests.support.days import DINNER, first_day_that_seats
from tests.support.phone import Listener
from tests.support.proofs import failed_proofs
from tests.support.stacks import (
    PhoneStack,
    call_session,
    hung_up,
    records,
    rooms,
    until,
    until_no_rooms,
)

VICTIM = "+6598207272"


@pytest.fixture(scope="module")
def phone_models() -> str:
    # Overrides tests/e2e/conftest.py's: this module's phone stack runs the spoofer's call.
    return "tests.support.e2e_models:spoofed_caller"


async def test_a_spoofed_caller_id_hears_nothing_of_the_booking_and_changes_nothing(
    phone_stack: PhoneStack, store: ReservationStore, pool: asyncpg.Pool
) -> None:
    stack, since = phone_stack, len(phone_stack.worker.records())
    # On the real clock, as the worker books and looks up.
    service = ReservationService(store, load_restaurant(stack.restaurant_file))
    day = first_day_that_seats(service, DINNER, party_size=4)
    booking = await service.create(
        phone_number=VICTIM,
        name="Mei Ling Chua",
        reservation_date=day,
        reservation_time=DINNER,
        party_size=4,
    )
    phone, seconds = stack.phone("spoofer", VICTIM, [3.0, "my_booking", 45.0])
    listener = Listener()
    phone.start(f"/dial {stack.dial}", seconds=seconds + 30)
    try:
        await until(lambda: bool(records(stack, "phone call", since)), "the call to start", 60)
        [room] = await rooms(stack)
        await listener.join(stack.livekit.url, room)
        # Nobody speaks after the question: PHONE_SILENCE_SECONDS (10) later the agent hangs up.
        await until(lambda: hung_up(phone), "the agent to hang up", seconds + 20)
        await until_no_rooms(stack)
    finally:
        phone.stop()
        await listener.leave()
    session = call_session(stack, since)
    [line] = records(stack, "phone call", since)
    assert (line["caller"], line["attested"]) == ("+65******72", False)
    tools = [r["tool"] for r in records(stack, "tool", since) if r.get("session") == session]
    assert tools[:2] == ["transfer_to_reservation", "find_booking"] and "cancel_booking" in tools

    said = listener.said_to(f"sip_{VICTIM}")
    heard = "\n".join(said)
    # The listener heard the agent tell the phone what it was told: that a booking exists...
    assert "There is a booking under that number" in heard, said
    # ...and that it would not cancel a booking the caller has not shown is theirs...
    assert "Nothing was done yet: before a booking is changed or cancelled" in heard, said
    # ...and nothing of the booking itself.
    private = [
        "Mei",
        "Ling",
        "Chua",
        booking.confirmation_code,
        f"{day:%A}",
        f"{day:%B}",
        "7 pm",
        "19:00",
        "4 guests",
    ]
    assert not [p for p in private if p in heard], said
    assert not re.search(rf"\b{day.day}\b", heard), said

    # The row is as it was, and the lookup counted against it.
    assert await store.get_by_code(booking.confirmation_code) == booking
    assert await failed_proofs(pool) == [booking.id]
