"""The tokens issued and not yet joined, shared by every API process through Redis.

Without it each API process counts only its own tokens against MAX_CONCURRENT_CALLS
(api/live_calls.py), so N processes could each let the cap's remainder through in the seconds
before the callers' rooms appear. With REDIS_URL the tokens are one sorted set (room, when
issued), and one script counts and claims atomically in Redis, so two processes cannot both take
the last place. The rooms already under way come from each process's own listing of the LiveKit
server, passed in with each claim.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Set
from urllib.parse import urlparse

from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.live_calls import JOIN_WINDOW
from core.errors import StartupError

logger = logging.getLogger(__name__)

KEY = "receptionist.calls.issued"
REDIS_TIMEOUT_SECONDS = 1.0

# KEYS[1]: the issued set. ARGV: now, the join window, the limit, the room, then the rooms the
# LiveKit server lists. Forgets tokens older than the window, counts the listed rooms and the
# tokens whose rooms are not listed, and claims the room if one more fits: 1, else 0.
ADMIT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local listed = {}
for i = 5, #ARGV do listed[ARGV[i]] = true end
local count = #ARGV - 4
for _, room in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    if not listed[room] then count = count + 1 end
end
if count >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) * 2)
return 1
"""


def checked_redis_url(url: str) -> str:
    """REDIS_URL, if it is one a Redis client can use."""
    if urlparse(url).scheme not in ("redis", "rediss"):
        raise StartupError(f"REDIS_URL: {url!r} is not a redis:// URL (redis://host:6379/0).")
    return url


class SharedIssued:
    def __init__(self, redis_url: str) -> None:
        self._redis = Redis.from_url(
            checked_redis_url(redis_url),
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self._admit = self._redis.register_script(ADMIT)

    async def admit(self, room: str, listed: Set[str], limit: int) -> bool | None:
        """Claim a place for `room` if one more fits; None when Redis cannot be reached."""
        args: list[str | float] = [time.time(), JOIN_WINDOW, limit, room, *sorted(listed)]
        try:
            return bool(await self._admit(keys=[KEY], args=args))
        except RedisError as exc:
            logger.warning(
                "call cap counted in this process: Redis unavailable",
                extra={"error": type(exc).__name__},
            )
            return None

    async def aclose(self) -> None:
        await self._redis.aclose()
