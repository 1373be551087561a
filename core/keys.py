"""Keys and secrets: how logs and the operator's screen name one without showing it, which are
too weak to guard anything reachable from another machine, and which addresses are this one."""

from __future__ import annotations

import hashlib
import ipaddress
from urllib.parse import urlparse

# Shorter than this is guessable offline (a LiveKit token is an HMAC an attacker can test keys
# against); livekit-server asks the same of its secrets.
MIN_LENGTH = 32
# Values people copy from samples and guides, this project's .env.example first; compared
# without case or spaces. Short ones are refused anyway; they are listed to say why.
PLACEHOLDERS = frozenset(
    {
        "change-me",
        "changeme",
        "secret",
        "devkey",
        "password",
        "a-secret-of-at-least-32-characters-long",
    }
)


def fingerprint(key: str) -> str:
    """Eight hex digits of the key's SHA-256: enough to tell keys apart in logs."""
    return hashlib.sha256(key.encode()).hexdigest()[:8]


def weakness(value: str) -> str | None:
    """Why `value` guards nothing (a sample's placeholder, too short), or None."""
    if value.strip().lower() in PLACEHOLDERS:
        return "is a placeholder from a sample"
    if len(value) < MIN_LENGTH:
        return f"is shorter than {MIN_LENGTH} characters"
    return None


def is_loopback(host: str) -> bool:
    """Whether `host` (a name, an address, or an IPv6 address in brackets) is this machine only;
    an empty host or 0.0.0.0 listens on every interface, so is not."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exposed_weak_keys(
    api_host: str, api_keys: list[str], livekit_url: str, livekit_secret: str | None
) -> str | None:
    """What is wrong when a weak key guards more than this machine, or None.

    A key that guards only this machine may be a sample's; one that others can reach may not.
    The staff keys are reachable when the API listens beyond loopback (API_HOST); the LiveKit
    secret then too (the token endpoint signs with it), and whenever LiveKit is elsewhere.
    """
    api_exposed = not is_loopback(api_host)
    problems = []
    if api_exposed:
        keys = [key.strip() for key in api_keys if key.strip()]
        problems += [f"a key in API_KEY {why}" for key in keys if (why := weakness(key))]
    livekit_exposed = api_exposed or not is_loopback(urlparse(livekit_url).hostname or "")
    if livekit_secret is not None and livekit_exposed and (why := weakness(livekit_secret)):
        problems.append(f"LIVEKIT_API_SECRET {why}")
    if not problems:
        return None
    return (
        f"{' and '.join(problems)}, and guards more than this machine (API_HOST={api_host}, "
        f"LIVEKIT_URL={livekit_url}): use a random one, e.g. from "
        "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
    )
