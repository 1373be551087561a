"""Staff API keys: several may be valid at once, so a key can be rotated without downtime.

API_KEY holds them comma-separated ("new-key,old-key"): add the new key, move staff over,
then drop the old one. Logs name a key by a short fingerprint, never the key itself.
"""

from __future__ import annotations

import secrets

from core.errors import StartupError
from core.keys import fingerprint


def parse_staff_keys(raw: str) -> dict[str, bytes]:
    """Fingerprint -> key, from API_KEY's comma-separated list."""
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    if not keys:
        raise StartupError("Set API_KEY: staff routes need it as their bearer token.")
    return {fingerprint(key): key.encode() for key in keys}


def matching_key(presented: bytes, keys: dict[str, bytes]) -> str | None:
    """The fingerprint of the key presented, if it is one of `keys`."""
    found = None
    # Every key is compared, in constant time each, so timing does not tell which matched.
    for name, key in keys.items():
        if secrets.compare_digest(presented, key):
            found = name
    return found
