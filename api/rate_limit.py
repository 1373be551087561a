"""Per-client-address rate limits, kept in this process's memory.

One process serves the API, so memory is enough; several processes behind a balancer would each
allow the full rate, and would need a shared `limits` storage (Redis, memcached) instead.
"""

from __future__ import annotations

import math
import time

from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter


class AddressRateLimit:
    """At most `rate` (e.g. "10/minute") requests per address in any window of that length."""

    def __init__(self, rate: str) -> None:
        # A moving window, unlike a fixed one, never lets a burst straddling a boundary through
        # at twice the rate.
        self.item = parse(rate)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def retry_after(self, address: str) -> int | None:
        """Count one request from `address`: None if allowed, else whole seconds to wait."""
        if await self._limiter.hit(self.item, address):
            return None
        stats = await self._limiter.get_window_stats(self.item, address)
        return max(1, math.ceil(stats.reset_time - time.time()))
