"""A caller who writes markup into what the staff channel shows: the API's own delivery posts
the notices to a real HTTP receiver on 127.0.0.1, which finds the markup inert in the text,
exact in the fields, and every attempt signed as docs/notices.md tells receivers to check."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

import pytest

from core.services.calls import CallService
from core.services.reservations import ReservationService
from tests.support.api import the_api_posting_to
from tests.support.days import DINNER, SATURDAY
from tests.support.receiver import Arrival, Receiver

EVERYONE = "<!channel> Aisha"
LINKS = "Refund due: <https://evil.example/login|staff page> or [staff page](https://evil.example)"
# A Teams-style link as a name, on a booking the agent announces.
NAME = "[Mei Ling](https://evil.example/login)"
# The receiver's copy of the shared secret, and the secret as the operator sets it.
KEY = secrets.token_bytes(32)
SECRET = "whsec_" + base64.b64encode(KEY).decode()
# How far from now a receiver accepts a timestamp (Standard Webhooks' libraries: 5 minutes).
TOLERANCE = 300


def verified(arrival: Arrival, key: bytes = KEY) -> dict[str, Any]:
    """The body, once its signature is checked the way docs/notices.md tells receivers to."""
    event_id = arrival.headers["webhook-id"]
    timestamp = arrival.headers["webhook-timestamp"]
    assert abs(time.time() - int(timestamp)) < TOLERANCE
    signed = f"{event_id}.{timestamp}.".encode() + arrival.raw
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    version, signature = arrival.headers["webhook-signature"].split(",", 1)
    assert version == "v1" and hmac.compare_digest(signature, expected)
    body: dict[str, Any] = json.loads(arrival.raw)
    assert body["event_id"] == event_id
    return body


async def test_markup_from_callers_arrives_inert_and_every_attempt_signed(
    service: ReservationService,
    calls: CallService,
    api_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each notice's first attempt fails, so a retry shows it is signed afresh.
    receiver = Receiver(lambda attempt: "fail" if attempt == 1 else "accept")
    await receiver.start()
    try:
        monkeypatch.setenv("STAFF_WEBHOOK_SECRET", SECRET)
        async with the_api_posting_to(receiver.url, monkeypatch):
            await calls.create_escalation(
                name=EVERYONE, phone_number="+6591234567", reason="complaint", summary=LINKS
            )
            booked = await service.create(
                phone_number="+6598207272",
                name=NAME,
                reservation_date=SATURDAY,
                reservation_time=DINNER,
                party_size=4,
                session_id="room-1",
            )
            await receiver.wait_until(lambda r: len(r.accepted) == 2)
    finally:
        await receiver.stop()

    assert len(receiver.arrivals) == 4
    bodies = {}
    for arrival in receiver.arrivals:
        bodies[arrival.body["type"]] = verified(arrival)
    callback, booking = bodies["escalation.created"], bodies["reservation.created"]
    assert callback["text"] == (
        "Callback needed (normal urgency): &lt;!channel&gt; Aisha, +6591234567. complaint: "
        "Refund due: &lt;https://evil.example/login|staff page&gt; or "
        "[staff page]\u200b(https://evil.example)"
    )
    assert booking["text"] == (
        "New booking by the voice agent: 4 guests on Sat 28 Nov at 19:00, "
        f"[Mei Ling]\u200b(https://evil.example/login) ({booked.confirmation_code})."
    )
    # The fields are for programs: what the caller said, exactly.
    assert (callback["escalation"]["name"], callback["escalation"]["summary"]) == (EVERYONE, LINKS)
    assert booking["reservation"]["name"] == NAME

    # Checked with another secret, or changed on the way, a notice does not verify.
    [last] = [a for a in receiver.arrivals if a.answer == "accept" and b"Aisha" in a.raw]
    with pytest.raises(AssertionError):
        verified(last, key=secrets.token_bytes(32))
    last.raw = last.raw.replace(b"Aisha", b"Boss!")
    with pytest.raises(AssertionError):
        verified(last)
