"""The call watch's rooms in the database (sql/migrations/0009_watched_rooms.sql): marked due by
LiveKit's webhooks in any API process, looked at by the one process leading the watch, with
each room's deadlines kept where the next leader finds them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

from core.db.base import QUERIES, Database, bounded, rows

# Rooms looked at per round; the rest wait for the next round, a moment later.
BATCH = 100


@dataclass
class RoomState:
    """What the leader remembers of one room between looks."""

    room: str
    # The due time it was read with: an event that moves it meanwhile is not lost.
    due_at: datetime | None = None
    # Since when the room has had a caller and no live agent.
    agentless_since: datetime | None = None
    dispatched_at: datetime | None = None
    told_at: datetime | None = None
    # Phone callers already put through or hung up on.
    released: set[str] = field(default_factory=set)


class WatchedRooms(Database):
    """One watch's rooms (`watch`: its LiveKit server and agent name)."""

    def __init__(self, pool: asyncpg.Pool, watch: str, *, timeout: float = 2.0) -> None:
        super().__init__(pool, timeout=timeout)
        self.watch = watch

    @bounded
    async def event(self, room: str) -> None:
        """Something happened in `room`: the leader looks at it now."""
        async with self._guard():
            await QUERIES.note_room_event(self._pool, watch=self.watch, room=room)

    @bounded
    async def forget(self, room: str) -> None:
        async with self._guard():
            await QUERIES.forget_room(self._pool, watch=self.watch, room=room)

    @bounded
    async def due(self) -> list[RoomState]:
        async with self._guard():
            found = await rows(QUERIES.due_rooms(self._pool, watch=self.watch, batch=BATCH))
        return [
            RoomState(
                room=row["room"],
                due_at=row["due_at"],
                agentless_since=row["agentless_since"],
                dispatched_at=row["dispatched_at"],
                told_at=row["told_at"],
                released=set(row["released"]),
            )
            for row in found
        ]

    @bounded
    async def looked(self, state: RoomState, *, ours: bool | None, due_in: float | None) -> None:
        """What the leader saw in the room (`ours` None: it could not tell); it looks again in
        `due_in` seconds (None: when an event or the sweep says)."""
        async with self._guard():
            await QUERIES.room_looked(
                self._pool,
                watch=self.watch,
                room=state.room,
                seen_due=state.due_at,
                ours=ours,
                due_in=due_in,
                agentless_since=state.agentless_since,
                dispatched_at=state.dispatched_at,
                told_at=state.told_at,
                released=sorted(state.released),
            )

    @bounded
    async def reconcile(self, listed: list[str]) -> None:
        """The rooms the LiveKit server lists now: each looked at soon, the others forgotten."""
        async with self._guard():
            await QUERIES.reconcile_rooms(self._pool, watch=self.watch, rooms=listed)

    @bounded
    async def call_rooms(self) -> list[str]:
        """The rooms the leader found this deployment answers."""
        async with self._guard():
            found = await rows(QUERIES.call_rooms(self._pool, watch=self.watch))
        return [row["room"] for row in found]

    @bounded
    async def sweep_failed(self) -> None:
        async with self._guard():
            await QUERIES.sweep_failed(self._pool, watch=self.watch)

    @bounded
    async def swept_ago(self) -> float | None:
        """Seconds since the leader last listed the server's rooms; None if its last try
        failed or none was made."""
        async with self._guard():
            found = await QUERIES.swept_ago(self._pool, watch=self.watch)
        return None if found is None else float(found)
