"""How many calls this deployment carries now, for the cap on concurrent calls.

Two things count: this deployment's call rooms, read every second from the call watch's rows
(api/call_watch.py: kept by LiveKit's webhooks and the leader's sweep), and the tokens this
process issued whose rooms that listing does not show yet (a room exists only once its caller
joins). A token counts from the moment it is issued, so a burst of requests between two
listings cannot slip past the cap; it stops counting once its room is listed (then the room
counts) or after JOIN_WINDOW, when a caller who meant to join would have.

A listing older than STALE_AFTER (the database unreachable, or the leader unable to list the
LiveKit server's rooms) is not trusted: only the tokens count then, rather than refusing every
caller on a count nobody can check.

With REDIS_URL the tokens are counted across every API process (api/shared_calls.py); if Redis
cannot be reached, this process's own are.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api.shared_calls import SharedIssued

# The call page joins within a second or two of its token; a slow phone network takes longer.
JOIN_WINDOW = 30.0
# The watch reads the rooms every second; a few missed readings mean it cannot.
STALE_AFTER = 10.0


@dataclass
class LiveCalls:
    """The calls under way, and whether one more fits under `limit`."""

    limit: int
    rooms: frozenset[str] = frozenset()
    listed_at: float | None = None
    # Rooms of tokens issued here and not listed yet, with when (time.monotonic()).
    issued: dict[str, float] = field(default_factory=dict)
    # The tokens of every API process, with REDIS_URL.
    shared: SharedIssued | None = None

    def listed(self, rooms: Iterable[str]) -> None:
        """The call rooms the LiveKit server has now."""
        self.rooms = frozenset(rooms)
        self.listed_at = time.monotonic()
        self._forget(self.listed_at)

    def count(self) -> int:
        now = time.monotonic()
        self._forget(now)
        rooms = self._fresh_rooms(now)
        return len(rooms) + len(self.issued.keys() - rooms)

    async def claim(self, room: str) -> bool:
        """Count a call about to join `room`, if one more fits across every API process that
        shares Redis (else in this one); False when the line is full."""
        if self.shared is not None:
            listed = self._fresh_rooms(time.monotonic())
            admitted = await self.shared.admit(room, listed, self.limit)
            if admitted is not None:
                return admitted
        return self.admit(room)

    def _fresh_rooms(self, now: float) -> frozenset[str]:
        fresh = self.listed_at is not None and now - self.listed_at < STALE_AFTER
        return self.rooms if fresh else frozenset()

    def admit(self, room: str) -> bool:
        """Count a call about to join `room`, if one more fits; False when the line is full."""
        # No await between the count and the claim: concurrent requests cannot both take the
        # last place.
        if self.count() >= self.limit:
            return False
        self.issued[room] = time.monotonic()
        return True

    def _forget(self, now: float) -> None:
        for room, at in list(self.issued.items()):
            if room in self.rooms or now - at > JOIN_WINDOW:
                del self.issued[room]
