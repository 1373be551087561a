"""Every call room gets an agent, or the caller is told honestly that none is coming.

livekit-server dispatches an agent when a room is created. A room created while no worker was
registered (livekit-server restarting, the only worker draining) never gets one, and a job
process that dies leaves its agent in the room as a ghost until the server times it out. The
API watches the rooms, because it is the part that is up whenever callers can get a token; the
worker cannot watch for itself when it is not there. What it does in a room is api/room_check.py.

It does not poll LiveKit. livekit-server sends its webhooks (livekit.yaml `webhook:`) to
whichever API process the load balancer picks (api/routes/livekit_webhook.py), which marks the
room due in PostgreSQL (core/db/watched_rooms.py). One API process leads: the one holding a
PostgreSQL advisory lock named after the LiveKit server and agent it watches. Every TICK it asks
the database for the rooms due, looks at each on the LiveKit server, and writes back what it saw
and when the room's next deadline falls; so each room is handled once, and a leader that dies
leaves its deadlines to the next. Every SWEEP_EVERY, and at once on taking the lead, it lists
the rooms, in case an event was missed (livekit-server gives up on a webhook after a few
tries): each listed room is looked at, the rows of rooms gone are dropped.

Every process, leading or not, reads this deployment's rooms from the database every TICK for
the cap on concurrent calls (api/live_calls.py), as long as the leader's last sweep worked. The
lock is its connection's: if the leader dies or stops watching, the connection closes and
another takes over.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from livekit import api

from api.live_calls import LiveCalls
from api.room_check import RoomCheck
from core.db.base import QUERIES
from core.db.call_log import CallLog
from core.db.watched_rooms import WatchedRooms
from core.errors import DatabaseUnavailable
from core.restaurant import Restaurant
from core.settings import Settings

logger = logging.getLogger(__name__)

# How often the leader asks the database for due rooms, and every process counts the rooms.
TICK = 1.0
# The reconciliation: a missed webhook is made good within this.
SWEEP_EVERY = 60.0
# Sweeps a leader may miss (it died; another takes over) before the rooms are not trusted.
STALE_AFTER_SWEEPS = 3
# A look LiveKit refused or could not answer is tried again after this.
RETRY_AFTER = 5.0
_LIVEKIT_DOWN = (api.TwirpError, OSError, TimeoutError)


@dataclass
class CallWatch:
    livekit: api.LiveKitAPI
    # This deployment's agent: "" for a worker that joins every room.
    agent_name: str
    # Whose number a caller no agent can answer is told, and whose staff take phone callers.
    restaurant: Restaurant
    # The calls under way, counted at every tick for the token endpoint's cap.
    live: LiveCalls
    # One leader per LiveKit server and agent, whichever database they share; also the key of
    # this watch's rows.
    lock_name: str = "receptionist.call_watch"
    sweep_every: float = SWEEP_EVERY
    # Where calls are recorded and rooms kept; from the pool `run` is given unless set.
    log: CallLog | None = None
    rooms: WatchedRooms | None = None
    check: RoomCheck = field(init=False)

    def __post_init__(self) -> None:
        self.check = RoomCheck(self.livekit, self.agent_name, self.restaurant)

    async def run(self, pool: asyncpg.Pool) -> None:
        """Watch the rooms while this process leads; count them for the cap otherwise.

        Nothing but cancellation ends this loop: an unforeseen error in one cycle is logged
        and the next cycle starts afresh, and the lead is given up whenever watching stops.
        """
        self.check.log = self.log = self.log or CallLog(pool)
        self.rooms = self.rooms or WatchedRooms(pool, self.lock_name)
        while True:
            try:
                await self._lead(pool)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                logger.warning("call watch paused: database unavailable")
            except Exception as exc:
                logger.warning("call watch: cycle failed", extra={"error": type(exc).__name__})
            # Led or not, this process's token endpoint needs the count of calls.
            await self._cycle(self.count)
            await asyncio.sleep(TICK)

    async def _lead(self, pool: asyncpg.Pool) -> None:
        async with pool.acquire() as conn:
            if not await QUERIES.try_lead_call_watch(conn, watch=self.lock_name):
                return
            logger.info("watching call rooms")
            try:
                await self._watch(conn)
            finally:
                # The lock is this session's, and the pool's reset keeps session locks
                # (core/db/pool.py): a connection handed back would keep the lead with a
                # process that no longer watches. Closed, the server frees it at once.
                conn.terminate()
                logger.info("stopped watching call rooms")

    async def _watch(self, conn: PoolConnectionProxy[asyncpg.Record]) -> None:
        # A new leader reconciles first: events may have come while nobody led.
        next_sweep = time.monotonic()
        while True:
            # The lock lives exactly as long as this session: an error here (the database
            # restarted, the connection dropped) means another process may lead already.
            await QUERIES.keep_leading_call_watch(conn)
            if time.monotonic() >= next_sweep:
                swept = await self._cycle(self.sweep)
                if not swept:
                    await self._cycle(self.rooms_stale)
                next_sweep = time.monotonic() + (self.sweep_every if swept else RETRY_AFTER)
            await self._cycle(self.look_at_due)
            await self._cycle(self.count)
            await asyncio.sleep(TICK)

    async def _cycle(self, step: Callable[[], Awaitable[object]]) -> bool:
        """One step; whatever goes wrong is logged and left to the next. Whether it worked."""
        try:
            await step()
        except api.TwirpError as exc:
            logger.warning("call watch: LiveKit refused a request", extra={"code": exc.code})
        except (OSError, TimeoutError) as exc:
            logger.warning("call watch: LiveKit unreachable", extra={"error": type(exc).__name__})
        except DatabaseUnavailable:
            logger.warning("call watch paused: database unavailable")
        except Exception as exc:
            logger.warning("call watch: cycle failed", extra={"error": type(exc).__name__})
        else:
            return True
        return False

    async def count(self) -> None:
        """This deployment's call rooms, as the database has them, for the cap; nothing while
        the leader cannot list the server's rooms (api/live_calls.py counts the tokens then)."""
        assert self.rooms is not None
        swept = await self.rooms.swept_ago()
        if swept is not None and swept < STALE_AFTER_SWEEPS * self.sweep_every:
            self.live.listed(await self.rooms.call_rooms())

    async def rooms_stale(self) -> None:
        assert self.rooms is not None
        await self.rooms.sweep_failed()

    async def sweep(self) -> None:
        """The rooms the LiveKit server has, all looked at again; the others forgotten."""
        assert self.rooms is not None
        listed = [
            room.name for room in (await self.livekit.room.list_rooms(api.ListRoomsRequest())).rooms
        ]
        await self.rooms.reconcile(listed)
        self.check.forget(self.check.seen_agents.keys() - set(listed))

    async def look_at_due(self) -> None:
        """Each room an event or a deadline made due, looked at once."""
        assert self.rooms is not None
        for state in await self.rooms.due():
            try:
                ours, due_in = await self.check.look(state)
            except _LIVEKIT_DOWN as exc:
                # Counted as it was, and tried again shortly. (A room that has finished meanwhile
                # answers "unavailable" too: the next sweep forgets it.)
                await self.rooms.looked(state, ours=None, due_in=RETRY_AFTER)
                logger.warning(
                    "call watch: room not looked at", extra={"error": type(exc).__name__}
                )
                continue
            await self.rooms.looked(state, ours=ours, due_in=due_in)


def call_watch(settings: Settings, restaurant: Restaurant, live: LiveCalls) -> CallWatch | None:
    """The watch for this deployment's LiveKit server; None when the API has no LiveKit key."""
    if not (settings.livekit_api_key and settings.livekit_api_secret):
        return None
    livekit = api.LiveKitAPI(
        settings.livekit_api_url,
        settings.livekit_api_key.get_secret_value(),
        settings.livekit_api_secret.get_secret_value(),
    )
    return CallWatch(livekit, settings.agent_name, restaurant, live, watch_name(settings))


def watch_name(settings: Settings) -> str:
    """The watch's lock and rows: one per LiveKit server and agent name."""
    return f"receptionist.call_watch {settings.livekit_url} {settings.agent_name}"
