"""Realistic sample data for development: two weeks of bookings, handoffs and an escalation."""

from __future__ import annotations

import logging
import random
from datetime import date, datetime, time, timedelta
from typing import Any

import phonenumbers

from core.errors import AlreadyBooked, BookingRejected, StartupError
from core.services.calls import CallService
from core.services.reservations import ReservationService

logger = logging.getLogger(__name__)

NAMES = [
    "Tan Wei Ming", "Nurul Huda", "Rajesh Kumar", "Chloe Lim", "Ahmad Faizal", "Priya Nair",
    "Jonathan Ong", "Siti Aminah", "Marcus Goh", "Mei Ling Chua", "Daniel Wong", "Farah Ismail",
    "Arjun Menon", "Grace Teo", "Hafiz Rahman", "Rachel Koh", "Benjamin Lee", "Aisha Bakar",
]  # fmt: skip
NOTES: list[dict[str, Any]] = [
    {},
    {},
    {},
    {"occasion": "birthday"},
    {"occasion": "anniversary", "seating": "quiet corner"},
    {"allergies": "peanuts"},
    {"seating": "outdoor"},
    {"allergies": "shellfish", "occasion": "business dinner"},
    {"high_chair": True},
]


def _sample_phone(rng: random.Random, region: str) -> str:
    """A random valid mobile number of the restaurant's country."""
    # The country's example mobile gives the length and the leading digit, which is where
    # numbering plans differ (Singapore mobiles start with 8 or 9, British ones with 7).
    example = str(_example_mobile(region).national_number)
    while True:
        digits = example[0] + "".join(rng.choice("0123456789") for _ in example[1:])
        number = phonenumbers.parse(digits, region)
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _example_mobile(region: str) -> phonenumbers.PhoneNumber:
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        raise StartupError(f"No sample mobile number is known for {region}.")
    return example


async def load_sample_data(
    service: ReservationService,
    calls: CallService,
    *,
    days: int = 14,
    per_day: int = 12,
    seed: int = 65,
) -> int:
    """Book up to `per_day` parties on each open day ahead; re-running adds nothing new."""
    rng = random.Random(seed)
    region = service.restaurant.locale.phone_region
    today = service.restaurant.local_now(service.now()).date()
    made = 0
    sessions: list[str] = []
    for offset in range(1, days + 1):
        day = today + timedelta(days=offset)
        for n in range(per_day):
            at = _popular_time(service, day, rng)
            if at is None:
                break
            try:
                await service.create(
                    phone_number=_sample_phone(rng, region),
                    name=rng.choice(NAMES),
                    reservation_date=day,
                    reservation_time=at,
                    party_size=rng.choices([1, 2, 2, 2, 3, 4, 4, 5, 6, 8], k=1)[0],
                    other_info=rng.choice(NOTES),
                    idempotency_key=f"seed:{day.isoformat()}:{n}",
                    session_id=f"seed-room-{day.isoformat()}-{n}",
                )
                made += 1
                sessions.append(f"seed-room-{day.isoformat()}-{n}")
            except (BookingRejected, AlreadyBooked):
                continue
    if (await calls.handoff_summary()).total_handoffs:
        return made  # analytics were seeded before; keep re-runs from inflating them
    # Most calls handed to the reservation agent booked; some only asked, some hung up.
    for n, session in enumerate(sessions):
        await calls.record_handoff(
            session_id=session, from_agent="greeter", to_agent="reservation", entities={}
        )
        if n % 4 == 0:
            await calls.record_handoff(
                session_id=session, from_agent="reservation", to_agent="information", entities={}
            )
    for n in range(len(sessions) // 3):
        to_agent = rng.choice(["reservation", "information", "information", "escalation"])
        await calls.record_handoff(
            session_id=f"seed-room-unbooked-{n}",
            from_agent="greeter",
            to_agent=to_agent,
            entities={},
        )
    await calls.create_escalation(
        name="Sample Caller",
        phone_number=phonenumbers.format_number(
            _example_mobile(region), phonenumbers.PhoneNumberFormat.E164
        ),
        reason="private event",
        summary="Asked about a buyout for 40 guests in December.",
        urgency="normal",
        session_id="seed-room-escalation",
    )
    logger.info("sample data loaded", extra={"reservations": made, "days": days})
    return made


def _popular_time(service: ReservationService, day: date, rng: random.Random) -> time | None:
    services = service.restaurant.services_on(day)
    if not services:
        return None
    sitting = rng.choices(services, weights=[1] * (len(services) - 1) + [3], k=1)[0]
    slot = timedelta(minutes=service.restaurant.booking.slot_minutes)
    start = datetime.combine(day, sitting.opens)
    last = datetime.combine(day, sitting.closes) - service.restaurant.booking.dining
    slots = int((last - start) / slot) + 1
    return (start + slot * rng.randrange(slots)).time()
