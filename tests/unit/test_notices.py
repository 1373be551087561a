"""Unit tests for staff notices: the webhook body, the backoff, and the settings that shape them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from core.errors import StartupError
from core.notices.delivery import DeliveryPolicy
from core.notices.messages import OutboxNotice, staff_notice
from core.restaurant import Restaurant
from core.settings import Settings, get_settings

WRITTEN = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
BOOKING = {
    "id": 7,
    "confirmation_code": "HRZT1N",
    "phone_number": "+6598207272",
    "name": "Mei Ling",
    "reservation_date": "2026-11-28",
    "reservation_time": "19:00:00",
    "party_size": 4,
    "other_info": {"notes": "birthday"},
    "status": "confirmed",
    "idempotency_key": "room-1:abc",
    "session_id": "room-1",
    "created_at": "2026-11-24T02:00:00+00:00",
    "updated_at": "2026-11-24T02:00:00+00:00",
}


def notice(event_type: str, subject: dict[str, object]) -> OutboxNotice:
    return OutboxNotice.model_validate(
        {
            "id": 1,
            "event_id": uuid4(),
            "event_type": event_type,
            "subject": subject,
            "attempts": 1,
            "created_at": WRITTEN,
        }
    )


def test_a_booking_notice_says_what_happened_and_carries_the_booking(
    restaurant: Restaurant,
) -> None:
    made = notice("reservation.created", BOOKING)
    body = staff_notice(made, restaurant).model_dump(mode="json", exclude_none=True)
    assert body == {
        "event_id": str(made.event_id),
        "type": "reservation.created",
        "occurred_at": "2026-11-24T02:00:00Z",
        "restaurant": "Tanjong Table",
        "text": (
            "New booking by the voice agent: 4 guests on Sat 28 Nov at 19:00, Mei Ling (HRZT1N)."
        ),
        "reservation": {
            "confirmation_code": "HRZT1N",
            "name": "Mei Ling",
            "phone_number": "+6598207272",
            "reservation_date": "2026-11-28",
            "reservation_time": "19:00",
            "party_size": 4,
            "other_info": {"notes": "birthday"},
            "status": "confirmed",
        },
    }


def test_a_callback_notice_leads_with_urgency_and_the_number(restaurant: Restaurant) -> None:
    subject = {
        "id": 3,
        "name": "Aisha",
        "phone_number": "+6591234567",
        "reason": "private event",
        "summary": "A buyout for 40.",
        "urgency": "normal",
        "status": "open",
        "session_id": None,
        "staff_note": None,
        "created_at": "2026-11-24T02:00:00+00:00",
        "updated_at": "2026-11-24T02:00:00+00:00",
    }
    body = staff_notice(notice("escalation.created", subject), restaurant)
    assert body.text == (
        "Callback needed (normal urgency): Aisha, +6591234567. private event: A buyout for 40."
    )
    assert body.escalation is not None and body.escalation.id == 3
    assert body.reservation is None


POLICY = DeliveryPolicy(
    url="http://127.0.0.1:9/",
    events=frozenset({"escalation.created"}),
    timeout=5,
    retry_first=2,
    retry_max=60,
    give_up=timedelta(hours=24),
    poll=1,
)


@pytest.mark.parametrize(("attempts", "longest"), [(1, 2), (2, 4), (3, 8), (6, 60), (500, 60)])
def test_backoff_doubles_up_to_the_maximum_with_half_of_it_random(
    attempts: int, longest: float
) -> None:
    waits = {POLICY.backoff(attempts).total_seconds() for _ in range(200)}
    assert all(longest / 2 <= w <= longest for w in waits)
    assert len(waits) > 1  # random, so notices that failed together spread out


def test_a_receivers_retry_after_is_honoured_within_the_maximum() -> None:
    assert POLICY.backoff(1, retry_after=30).total_seconds() == 30
    assert POLICY.backoff(1, retry_after=3600).total_seconds() == 60
    assert POLICY.lease > timedelta(seconds=POLICY.timeout)


def test_webhook_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAFF_WEBHOOK_URL", "https://hooks.example.com/T000/B000/xyz")
    monkeypatch.setenv("STAFF_WEBHOOK_EVENTS", " reservation.created , ")
    policy = DeliveryPolicy.from_settings(Settings(_env_file=None))
    assert policy is not None
    assert policy.events == {"escalation.created", "reservation.created"}  # callbacks always
    monkeypatch.setenv("STAFF_WEBHOOK_URL", "")
    assert DeliveryPolicy.from_settings(Settings(_env_file=None)) is None


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("STAFF_WEBHOOK_EVENTS", "reservation.updated", "STAFF_WEBHOOK_EVENTS"),
        ("STAFF_WEBHOOK_URL", "hooks.example.com", "STAFF_WEBHOOK_URL"),
        ("STAFF_WEBHOOK_RETRY_MAX_SECONDS", "1", "STAFF_WEBHOOK_RETRY_MAX_SECONDS"),
    ],
)
def test_a_bad_webhook_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, named: str
) -> None:
    monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(StartupError, match=named):
            get_settings()
    finally:
        get_settings.cache_clear()
