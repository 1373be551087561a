"""Signed notices, as Standard Webhooks (standardwebhooks.com) signs them: an HMAC-SHA256 over
the notice's id, the attempt's time and the exact body bytes, so a receiver can tell a notice
from us from a forged one, and refuse an old one replayed (docs/notices.md says how)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from uuid import UUID

SECRET_PREFIX = "whsec_"
# The scheme's bounds for a shared secret, in bytes.
SHORTEST, LONGEST = 24, 64


def secret_key(secret: str) -> bytes:
    """The key a `whsec_...` secret stands for; a ValueError says what is wrong with it."""
    encoded = secret.strip().removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        key = b""
    if not secret.strip().startswith(SECRET_PREFIX) or not SHORTEST <= len(key) <= LONGEST:
        raise ValueError(
            f"use '{SECRET_PREFIX}' and the base64 of {SHORTEST} to {LONGEST} random bytes, "
            f"e.g. {SECRET_PREFIX}$(openssl rand -base64 32)"
        )
    return key


def signature_headers(key: bytes, event_id: UUID, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers that sign `body`, posted at `timestamp` (Unix seconds); the caller sends
    `webhook-id` (the event's id) already."""
    signed = f"{event_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return {
        "webhook-timestamp": str(timestamp),
        "webhook-signature": f"v1,{base64.b64encode(digest).decode()}",
    }
