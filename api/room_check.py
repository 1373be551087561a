"""One look at one call room, and when to look again (api/call_watch.py says when it looks).

- an agent whose job has ended (failed or finished) while the caller stays is a ghost: it is
  removed (the worker also removes the agent of a job process that died, agent/main.py);
- a room with no live agent for GRACE seconds gets one dispatched again (again every
  REDISPATCH_EVERY seconds while it lasts), and its call's record is marked dropped until a
  new agent resumes it (core/db/call_log.py);
- after GIVE_UP_AFTER seconds without an agent, the caller is told or, on the phone, put
  through to staff or hung up on (api/no_agent.py). A phone call still ringing keeps ringing,
  as an unanswered phone does: livekit-sip answers only once an agent listens, and cannot
  transfer a call it has not answered.

The deadlines are the room's row (core/db/watched_rooms.py), so a new leader keeps them. Which
agents were seen and since when a job's agent is expected stay in the leader's memory: a new
leader gives a joining agent at most JOIN_WITHIN more.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from livekit import api

from api.no_agent import release_phone_caller, tell_caller
from core.db.call_log import CallLog
from core.db.watched_rooms import RoomState
from core.errors import DatabaseUnavailable
from core.restaurant import Restaurant

logger = logging.getLogger("api.call_watch")

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
class RoomCheck:
    livekit: api.LiveKitAPI
    # This deployment's agent: "" for a worker that joins every room.
    agent_name: str
    restaurant: Restaurant
    log: CallLog | None = None
    # Agents seen in each room, and when each job's agent was first expected (monotonic).
    seen_agents: dict[str, set[str]] = field(default_factory=dict)
    joining_since: dict[tuple[str, str], float] = field(default_factory=dict)

    def forget(self, rooms: set[str]) -> None:
        """Rooms no longer on the server."""
        for room in rooms:
            self.seen_agents.pop(room, None)
        for key in [key for key in self.joining_since if key[0] in rooms]:
            del self.joining_since[key]

    async def look(self, state: RoomState) -> tuple[bool, float | None]:
        """Whether the room is this deployment's, and in how many seconds to look again (None:
        at the next event). Acts on what it sees; `state` is updated in place."""
        room = state.room
        dispatches = await self.livekit.agent_dispatch.list_dispatch(room_name=room)
        if not self.ours(dispatches):
            return False, None
        participants = (
            await self.livekit.room.list_participants(api.ListParticipantsRequest(room=room))
        ).participants
        if not any(p.kind in _CALLERS for p in participants):
            _reset(state)
            return True, None
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
        joining: float | None = None
        for job in jobs:
            if job.status in _UNDER_WAY and job.participant_identity not in seen:
                since = self.joining_since.setdefault((room, job.participant_identity), now)
                if now - since < JOIN_WITHIN:
                    left = JOIN_WITHIN - (now - since)
                    joining = left if joining is None else min(joining, left)
        if live:
            if state.agentless_since is not None:
                logger.info("agent back in the room", extra={"room": room})
            _reset(state)
            return True, None
        if joining is not None:
            # Its joining is an event; if it never comes, look again once it is overdue.
            return True, joining
        return True, await self._agentless(state, participants)

    async def _agentless(
        self, state: RoomState, participants: Sequence[api.ParticipantInfo]
    ) -> float:
        room, now = state.room, datetime.now(UTC)
        since = state.agentless_since = state.agentless_since or now
        waited = (now - since).total_seconds()
        if waited >= GRACE and state.dispatched_at is None:
            await self._mark_dropped(room)
        if waited >= GRACE and _ago(state.dispatched_at, now) >= REDISPATCH_EVERY:
            await self.livekit.agent_dispatch.create_dispatch(
                api.CreateAgentDispatchRequest(agent_name=self.agent_name, room=room)
            )
            state.dispatched_at = now
            logger.warning(
                "agent dispatched again", extra={"room": room, "waited_s": round(waited, 1)}
            )
        if waited >= GIVE_UP_AFTER and _ago(state.told_at, now) >= REDISPATCH_EVERY:
            await tell_caller(self.livekit, self.restaurant, room)
            state.told_at = now
        if waited >= GIVE_UP_AFTER:
            for phone in (p for p in participants if p.kind == api.ParticipantInfo.Kind.SIP):
                answered = phone.attributes.get(SIP_CALL_STATUS) == "active"
                if answered and phone.identity not in state.released:
                    state.released.add(phone.identity)
                    await release_phone_caller(self.livekit, self.restaurant, room, phone.identity)
        # The next deadline: the grace, the give-up, or the next dispatch or telling.
        deadlines = [GRACE - waited, GIVE_UP_AFTER - waited]
        if state.dispatched_at is not None:
            deadlines.append(REDISPATCH_EVERY - _ago(state.dispatched_at, now))
        if state.told_at is not None:
            deadlines.append(REDISPATCH_EVERY - _ago(state.told_at, now))
        return min([d for d in deadlines if d > 0], default=REDISPATCH_EVERY)

    async def _mark_dropped(self, room: str) -> None:
        """The call's record says its agent is gone (nothing to mark if it never had one)."""
        if self.log is None:
            return
        try:
            await self.log.mark_dropped(room)
        except DatabaseUnavailable:
            logger.warning("call watch: call not marked dropped", extra={"room": room})

    def ours(self, dispatches: list[api.AgentDispatch]) -> bool:
        """A room this deployment answers: one its agent was dispatched to, or, for a worker
        that joins every room, one dispatched to nobody else."""
        names = {dispatch.agent_name for dispatch in dispatches}
        if self.agent_name:
            return self.agent_name in names
        return names <= {""}


def _reset(state: RoomState) -> None:
    state.agentless_since = state.dispatched_at = state.told_at = None
    state.released = set()


def _ago(then: datetime | None, now: datetime) -> float:
    return float("inf") if then is None else (now - then).total_seconds()
