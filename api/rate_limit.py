"""Per-client rate limits: in this process's memory, or shared through Redis.

With REDIS_URL set, every API process counts against the same windows (a `limits` Redis
storage), so N processes behind a balancer still allow the rate once, not N times. Without it
each process keeps its own, which is exact for the one process `receptionist up` runs.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time

from limits import parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from api.shared_calls import checked_redis_url

logger = logging.getLogger(__name__)

# An IPv6 client's own network: providers hand each customer a /64 (or more), so an address
# alone would give one attacker 2^64 fresh allowances.
IPV6_CLIENT_PREFIX = 64
# The keys' prefix in a Redis other programs (livekit-server, livekit-sip) share.
KEY_PREFIX = "receptionist.limits"
# A Redis that does not answer within this is treated as down for that request.
REDIS_TIMEOUT_SECONDS = 1.0


def client_of(address: str) -> str:
    """Whom requests from `address` count against: the IPv4 address, or the IPv6 /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        # Not an address ("unknown", a Unix socket's peer): counted under its own name.
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            # A dual-stack socket's view of an IPv4 client.
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_CLIENT_PREFIX), strict=False))
    return str(ip)


def limits_storage(redis_url: str | None) -> Storage:
    """Redis's when REDIS_URL is set, else this process's memory."""
    if not redis_url:
        return MemoryStorage()
    return RedisStorage(
        f"async+{checked_redis_url(redis_url)}",
        implementation="redispy",
        key_prefix=KEY_PREFIX,
        wrap_exceptions=True,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )


class AddressRateLimit:
    """At most `rate` (e.g. "10/minute") requests per client in any window of that length."""

    def __init__(self, rate: str, redis_url: str | None = None) -> None:
        # A moving window, unlike a fixed one, never lets a burst straddling a boundary through
        # at twice the rate.
        self.item = parse(rate)
        self._limiter = MovingWindowRateLimiter(limits_storage(redis_url))

    async def retry_after(self, address: str) -> int | None:
        """Count one request from `address`: None if allowed, else whole seconds to wait.

        A shared store that cannot be reached lets the request through (and says so in the
        log): callers are not turned away because Redis is down; the cap on concurrent calls
        still holds.
        """
        client = client_of(address)
        try:
            if await self._limiter.hit(self.item, client):
                return None
            stats = await self._limiter.get_window_stats(self.item, client)
        except StorageError as exc:
            logger.warning(
                "rate limit not counted: Redis unavailable",
                extra={"error": type(exc.storage_error).__name__},
            )
            return None
        return max(1, math.ceil(stats.reset_time - time.time()))
