"""Attacks on the staff channel, in pieces: caller text with Slack or Teams markup is shown as
typed, a signature a receiver checks with nothing but hmac, and a webhook that must be https."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from core.errors import StartupError
from core.notices.delivery import DeliveryPolicy
from core.notices.messages import OutboxNotice, chat_text, staff_notice
from core.notices.signature import secret_key, signature_headers
from core.restaurant import Restaurant
from tests.support.settings import settings_from

# What a caller can make the model write into a callback or a booking.
EVERYONE = "<!channel> Aisha"
SLACK_LINK = "Refund due, <https://evil.example/login|open the staff page>"
TEAMS_LINK = "[Open the staff page](https://evil.example/login) ![](https://evil.example/p.gif)"
FORGED_LINE = "Aisha.\nCallback needed (high urgency): Boss, +6500000000."
KEY = bytes(range(32))
SECRET = "whsec_" + base64.b64encode(KEY).decode()


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        (EVERYONE, "&lt;!channel&gt; Aisha"),
        ("<@U024BE7LH> & <#C024BE7LR>", "&lt;@U024BE7LH&gt; &amp; &lt;#C024BE7LR&gt;"),
        (SLACK_LINK, "Refund due, &lt;https://evil.example/login|open the staff page&gt;"),
        (
            TEAMS_LINK,
            "[Open the staff page]\u200b(https://evil.example/login) "
            "![]\u200b(https://evil.example/p.gif)",
        ),
        # An entity a caller typed stays what they typed, not the character it names.
        ("&lt;!here&gt;", "&amp;lt;!here&amp;gt;"),
        (FORGED_LINE, "Aisha. Callback needed (high urgency): Boss, +6500000000."),
        ("Mei Ling (birthday)", "Mei Ling (birthday)"),
    ],
)
def test_caller_text_is_shown_as_typed(said: str, shown: str) -> None:
    assert chat_text(said) == shown


def escalation(name: str, summary: str) -> OutboxNotice:
    subject = {
        "id": 3,
        "name": name,
        "phone_number": "+6591234567",
        "reason": "complaint",
        "summary": summary,
        "urgency": "high",
        "status": "open",
        "session_id": None,
        "created_at": "2026-11-24T02:00:00+00:00",
        "updated_at": "2026-11-24T02:00:00+00:00",
    }
    return OutboxNotice(
        id=1,
        event_id=uuid4(),
        event_type="escalation.created",
        subject=subject,
        attempts=1,
        created_at=datetime(2026, 11, 24, 2, 0, tzinfo=UTC),
    )


def test_a_callback_with_markup_is_inert_in_the_text_and_exact_in_the_fields(
    restaurant: Restaurant,
) -> None:
    body = staff_notice(escalation(EVERYONE, f"{SLACK_LINK} {TEAMS_LINK}"), restaurant)
    assert "<" not in body.text and ">" not in body.text and "](" not in body.text
    assert body.text.startswith("Callback needed (high urgency): &lt;!channel&gt; Aisha, ")
    # Programs reading the fields get what the caller said, unchanged.
    assert body.escalation is not None
    assert body.escalation.name == EVERYONE
    assert body.escalation.summary == f"{SLACK_LINK} {TEAMS_LINK}"


def test_a_signature_is_the_hmac_of_id_time_and_the_exact_body() -> None:
    event_id, now, sent = uuid4(), 1_790_000_000, b'{"text":"Callback needed"}'
    headers = signature_headers(secret_key(SECRET), event_id, now, sent)
    # Computed here as a receiver would, from the shared secret and what arrived.
    expected = hmac.new(KEY, f"{event_id}.{now}.".encode() + sent, hashlib.sha256).digest()
    assert headers == {
        "webhook-timestamp": str(now),
        "webhook-signature": "v1," + base64.b64encode(expected).decode(),
    }
    # Another body, or the same one at another time, has another signature.
    assert signature_headers(KEY, event_id, now, sent + b" ") != headers
    assert (
        signature_headers(KEY, event_id, now + 600, sent)["webhook-signature"]
        != (headers["webhook-signature"])
    )


@pytest.mark.parametrize(
    "secret",
    [
        "change-me",
        base64.b64encode(KEY).decode(),  # no whsec_ prefix
        "whsec_" + base64.b64encode(bytes(16)).decode(),  # 16 bytes: too short to guess-proof
        "whsec_not*base64",
    ],
)
def test_a_signing_secret_that_is_not_one_is_refused(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    with pytest.raises(StartupError, match="STAFF_WEBHOOK_SECRET: use 'whsec_'") as refused:
        settings_from(monkeypatch, STAFF_WEBHOOK_SECRET=secret)
    assert secret not in str(refused.value)


def test_a_signing_secret_signs_and_none_leaves_notices_unsigned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "https://hooks.example.com/T000/B000/xyz"
    signed = DeliveryPolicy.from_settings(
        settings_from(monkeypatch, STAFF_WEBHOOK_URL=url, STAFF_WEBHOOK_SECRET=SECRET)
    )
    assert signed is not None and signed.key == KEY
    unsigned = DeliveryPolicy.from_settings(settings_from(monkeypatch, STAFF_WEBHOOK_SECRET=""))
    assert unsigned is not None and unsigned.key is None


@pytest.mark.parametrize(
    "url", ["http://hooks.example.com/T000/B000/xyz", "http://10.0.0.5/notices", "http://0.0.0.0/"]
)
def test_a_plain_http_webhook_beyond_this_machine_is_refused(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    with pytest.raises(StartupError, match="STAFF_WEBHOOK_URL: use an https:// URL"):
        settings_from(monkeypatch, STAFF_WEBHOOK_URL=url)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/T000/B000/xyz",
        "http://127.0.0.1:9000/notices",
        "http://localhost:9000/notices",
        "http://[::1]:9000/notices",
    ],
)
def test_https_or_this_machine_is_accepted(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    assert str(settings_from(monkeypatch, STAFF_WEBHOOK_URL=url).staff_webhook_url) == url
