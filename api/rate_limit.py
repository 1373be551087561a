"""Per-client rate limits, kept in this process's memory.

One process serves the API, so memory is enough; several processes behind a balancer would each
allow the full rate, and would need a shared `limits` storage (Redis, memcached) instead.
"""

from __future__ import annotations

import ipaddress
import math
import time

from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

# An IPv6 client's own network: providers hand each customer a /64 (or more), so an address
# alone would give one attacker 2^64 fresh allowances.
IPV6_CLIENT_PREFIX = 64


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


class AddressRateLimit:
    """At most `rate` (e.g. "10/minute") requests per client in any window of that length."""

    def __init__(self, rate: str) -> None:
        # A moving window, unlike a fixed one, never lets a burst straddling a boundary through
        # at twice the rate.
        self.item = parse(rate)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def retry_after(self, address: str) -> int | None:
        """Count one request from `address`: None if allowed, else whole seconds to wait."""
        client = client_of(address)
        if await self._limiter.hit(self.item, client):
            return None
        stats = await self._limiter.get_window_stats(self.item, client)
        return max(1, math.ceil(stats.reset_time - time.time()))
