"""Every call room gets an agent, or the caller is told honestly that none is coming.

livekit-server dispatches an agent when a room is created. A room created while no worker was
registered (livekit-server restarting, the only worker draining) never gets one, and a job
process that dies leaves its agent in the room as a ghost until the server times it out. The
API process watches the rooms, because it is the part that is up whenever callers can get a
token; the worker cannot watch for itself when it is not there. Every few seconds it looks at
each room with a caller in it:

- an agent whose job has ended (failed or finished) while the caller stays is a ghost: it is
  removed (the worker also removes the agent of a job process that died, agent/main.py);
- a room with no live agent for GRACE seconds gets one dispatched again (again every
  REDISPATCH_EVERY seconds while it lasts), and its call's record is marked dropped until a
  new agent resumes it (core/db/call_log.py);
- after GIVE_UP_AFTER seconds without an agent, the caller is told or, on the phone, put
  through to staff or hung up on (api/no_agent.py). A phone call still ringing keeps ringing,
  as an unanswered phone does: livekit-sip answers only once an agent listens, and cannot
  transfer a call it has not answered.

Each look also counts this deployment's call rooms, for the cap on concurrent calls
(api/live_calls.py).

Several API processes may run: only the one holding a PostgreSQL advisory lock (named after
the LiveKit server and agent it watches) watches, so each room is handled once; the others
only count. The lock is its connection's: if that process dies or stops watching, the
connection closes and another takes over.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from livekit import api

from api.live_calls import LiveCalls
from api.no_agent import release_phone_caller, tell_caller
from core.db.base import QUERIES
from core.db.call_log import CallLog
from core.errors import DatabaseUnavailable
from core.restaurant import Restaurant
from core.settings import Settings

logger = logging.getLogger(__name__)

INTERVAL = 2.0
# A dispatch normally has its agent in the room within a second or two; on a busy machine a
# job process can take a few more to start.
GRACE = 6.0
REDISPATCH_EVERY = 10.0
GIVE_UP_AFTER = 15.0
# A job whose agent has not joined by then never will.
JOIN_WITHIN = 20.0
# livekit-sip's participant attribute: "ringing" until the call is answered, then "active".
SIP_CALL_STATUS = "sip.callStatus"

_CALLERS = (api.ParticipantInfo.Kind.STANDARD, api.ParticipantInfo.Kind.SIP)
_ENDED = (api.JobStatus.JS_FAILED, api.JobStatus.JS_SUCCESS)
_UNDER_WAY = (api.JobStatus.JS_PENDING, api.JobStatus.JS_RUNNING)


@dataclass
class _Agentless:
    """A room seen with a caller and no live agent, since `since` (monotonic)."""

    since: float
    dispatched_at: float = 0.0
    told_at: float = 0.0
    # Phone callers already put through or hung up on.
    released: set[str] = field(default_factory=set)


@dataclass
class CallWatch:
    livekit: api.LiveKitAPI
    # This deployment's agent: "" for a worker that joins every room.
    agent_name: str
    # Whose number a caller no agent can answer is told, and whose staff take phone callers.
    restaurant: Restaurant
    # The calls under way, counted at every look for the token endpoint's cap.
    live: LiveCalls
    # One leader per LiveKit server and agent, whichever database they share.
    lock_name: str = "receptionist.call_watch"
    agentless: dict[str, _Agentless] = field(default_factory=dict)
    # Agents seen in each room, and when each job's agent was first expected.
    seen_agents: dict[str, set[str]] = field(default_factory=dict)
    joining_since: dict[tuple[str, str], float] = field(default_factory=dict)
    # Where calls are recorded; the pool `run` is given unless set.
    log: CallLog | None = None

    async def run(self, pool: asyncpg.Pool) -> None:
        """Watch the rooms while this process leads; count them for the cap otherwise.

        Nothing but cancellation ends this loop: an unforeseen error in one cycle is logged
        and the next cycle starts afresh, and the lead is given up whenever watching stops.
        """
        self.log = self.log or CallLog(pool)
        while True:
            try:
                await self._lead(pool)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                logger.warning("call watch paused: database unavailable")
            except Exception as exc:
                logger.warning("call watch: cycle failed", extra={"error": type(exc).__name__})
            # Led or not, this process's token endpoint needs the count of calls.
            await self._cycle(self.census)
            await asyncio.sleep(INTERVAL)

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
        while True:
            # The lock lives exactly as long as this session: an error here (the database
            # restarted, the connection dropped) means another process may lead already.
            await QUERIES.keep_leading_call_watch(conn)
            await self._cycle(self.sweep)
            await asyncio.sleep(INTERVAL)

    async def _cycle(self, step: Callable[[], Awaitable[object]]) -> None:
        """One look at the rooms; whatever goes wrong is logged and left to the next."""
        try:
            await step()
        except api.TwirpError as exc:
            logger.warning("call watch: LiveKit refused a request", extra={"code": exc.code})
        except (OSError, TimeoutError) as exc:
            logger.warning("call watch: LiveKit unreachable", extra={"error": type(exc).__name__})
        except Exception as exc:
            logger.warning("call watch: cycle failed", extra={"error": type(exc).__name__})

    async def census(self) -> dict[str, list[api.AgentDispatch]]:
        """This deployment's call rooms, with their dispatches; the count for the cap."""
        rooms = (await self.livekit.room.list_rooms(api.ListRoomsRequest())).rooms
        ours = {}
        for room in rooms:
            dispatches = await self.livekit.agent_dispatch.list_dispatch(room_name=room.name)
            if self._ours(dispatches):
                ours[room.name] = dispatches
        self.live.listed(ours)
        return ours

    async def sweep(self) -> None:
        rooms = await self.census()
        for gone in self.agentless.keys() - rooms.keys():
            del self.agentless[gone]
        for gone in self.seen_agents.keys() - rooms.keys():
            del self.seen_agents[gone]
        for key in [key for key in self.joining_since if key[0] not in rooms]:
            del self.joining_since[key]
        for room, dispatches in rooms.items():
            await self.check(room, dispatches)

    async def check(self, room: str, dispatches: list[api.AgentDispatch]) -> None:
        participants = (
            await self.livekit.room.list_participants(api.ListParticipantsRequest(room=room))
        ).participants
        if not any(p.kind in _CALLERS for p in participants):
            self.agentless.pop(room, None)
            return
        jobs = [job.state for dispatch in dispatches for job in dispatch.state.jobs]
        ended = {job.participant_identity for job in jobs if job.status in _ENDED}
        live = False
        for agent in (p for p in participants if p.kind == api.ParticipantInfo.Kind.AGENT):
            if agent.identity in ended:
                await self.livekit.room.remove_participant(
                    api.RoomParticipantIdentity(room=room, identity=agent.identity)
                )
                logger.warning("ghost agent removed", extra={"room": room})
            else:
                live = True
        # A job a worker has taken whose agent is still joining (a job process starting on a
        # busy machine takes seconds): another dispatch now would put two agents in the call.
        # An agent that was here and left is not joining, whatever its job's state says.
        seen = self.seen_agents.setdefault(room, set())
        seen.update(p.identity for p in participants if p.kind == api.ParticipantInfo.Kind.AGENT)
        now = time.monotonic()
        joining = False
        for job in jobs:
            if job.status in _UNDER_WAY and job.participant_identity not in seen:
                since = self.joining_since.setdefault((room, job.participant_identity), now)
                joining = joining or now - since < JOIN_WITHIN
        if live or joining:
            if live and self.agentless.pop(room, None) is not None:
                logger.info("agent back in the room", extra={"room": room})
            return
        await self._agentless(room, participants)

    async def _agentless(self, room: str, participants: Sequence[api.ParticipantInfo]) -> None:
        now = time.monotonic()
        seen = self.agentless.setdefault(room, _Agentless(since=now))
        waited = now - seen.since
        if waited >= GRACE and not seen.dispatched_at:
            await self._mark_dropped(room)
        if waited >= GRACE and now - seen.dispatched_at >= REDISPATCH_EVERY:
            await self.livekit.agent_dispatch.create_dispatch(
                api.CreateAgentDispatchRequest(agent_name=self.agent_name, room=room)
            )
            seen.dispatched_at = now
            logger.warning(
                "agent dispatched again", extra={"room": room, "waited_s": round(waited, 1)}
            )
        if waited >= GIVE_UP_AFTER and now - seen.told_at >= REDISPATCH_EVERY:
            await tell_caller(self.livekit, self.restaurant, room)
            seen.told_at = now
        if waited >= GIVE_UP_AFTER:
            for phone in (p for p in participants if p.kind == api.ParticipantInfo.Kind.SIP):
                answered = phone.attributes.get(SIP_CALL_STATUS) == "active"
                if answered and phone.identity not in seen.released:
                    seen.released.add(phone.identity)
                    await release_phone_caller(self.livekit, self.restaurant, room, phone.identity)

    async def _mark_dropped(self, room: str) -> None:
        """The call's record says its agent is gone (nothing to mark if it never had one)."""
        if self.log is None:
            return
        try:
            await self.log.mark_dropped(room)
        except DatabaseUnavailable:
            logger.warning("call watch: call not marked dropped", extra={"room": room})

    def _ours(self, dispatches: list[api.AgentDispatch]) -> bool:
        """A room this deployment answers: one its agent was dispatched to, or, for a worker
        that joins every room, one dispatched to nobody else."""
        names = {dispatch.agent_name for dispatch in dispatches}
        if self.agent_name:
            return self.agent_name in names
        return names <= {""}


def call_watch(settings: Settings, restaurant: Restaurant, live: LiveCalls) -> CallWatch | None:
    """The watch for this deployment's LiveKit server; None when the API has no LiveKit key."""
    if not (settings.livekit_api_key and settings.livekit_api_secret):
        return None
    livekit = api.LiveKitAPI(
        settings.livekit_api_url,
        settings.livekit_api_key.get_secret_value(),
        settings.livekit_api_secret.get_secret_value(),
    )
    lock_name = f"receptionist.call_watch {settings.livekit_url} {settings.agent_name}"
    return CallWatch(livekit, settings.agent_name, restaurant, live, lock_name)
