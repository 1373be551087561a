"""One call's state with its four agents, ready to start at the greeter; and a call picked up
again by a new agent after the last one was lost."""

from __future__ import annotations

import hashlib
import logging

from agent.agents.escalation import EscalationAgent
from agent.agents.greeter import Greeter
from agent.agents.information import InformationAgent
from agent.agents.reservation import ReservationAgent
from agent.call.state import CallLimits, CallState, Notifier
from core.errors import DatabaseUnavailable
from core.services.calls import CallService
from core.services.proofs import FailedProofs
from core.services.reservations import ReservationService

logger = logging.getLogger(__name__)


def new_call(
    service: ReservationService,
    calls: CallService,
    proofs: FailedProofs,
    session_id: str,
    notify: Notifier,
    limits: CallLimits,
) -> CallState:
    state = CallState(
        restaurant=service.restaurant,
        service=service,
        calls=calls,
        proofs=proofs,
        session_id=session_id,
        notify=notify,
        limits=limits,
    )
    # One instance of each agent per call, so an agent the caller returns to keeps its context.
    state.agents = {
        agent.id: agent
        for agent in (
            Greeter(state),
            ReservationAgent(state),
            InformationAgent(state),
            EscalationAgent(state),
        )
    }
    return state


def caller_key(room_sid: str, participant_identity: str) -> str | None:
    """Which caller in which live room, as a digest kept with the bookings they make.

    A room's name may be used again once the room has gone (a client of the token endpoint
    may name its room), its SID never; a web caller's identity is random unless their client
    chose it, a phone caller's is `sip_<caller ID>`. Neither alone says it is the same caller.
    """
    if not room_sid or not participant_identity:
        return None
    return hashlib.sha256(f"{room_sid}\n{participant_identity}".encode()).hexdigest()[:32]


async def resume(state: CallState) -> None:
    """Pick up what this call already did, if an earlier agent of the same room was lost (its
    job crashed, its worker went away) and the API dispatched a new one.

    Only the bookings made for this caller (`state.caller_key`: the same participant in the
    same live room) are theirs without more proof; any other booking the room's name has is
    left unsaid, as a stranger's."""
    try:
        booked, handoffs = await state.calls.store.call_history(state.session_id)
    except DatabaseUnavailable:
        logger.warning("call history unavailable", extra={"session": state.session_id})
        return
    if not booked and not handoffs:
        return
    state.resumed = True
    mine = [r for r in booked if state.caller_key is not None and r.caller_key == state.caller_key]
    # Every booking made in this room counts toward the call's limit (cancelled ones too: the
    # limit is on bookings made, however they ended); only the caller's own are proven.
    state.booked.update((r.confirmation_code, r.confirmation_code) for r in booked)
    state.booked_earlier = [r for r in mine if r.status == "confirmed"]
    for reservation in state.booked_earlier:
        # Made by this caller earlier in this very call.
        state.identity.prove(reservation, "holds_code")
    state.found_bookings = list(state.booked_earlier)
    if len(state.booked_earlier) == 1:
        state.selected_booking = state.booked_earlier[0]
    logger.info(
        "call resumed",
        extra={
            "session": state.session_id,
            "bookings": len(state.booked_earlier),
            "not_this_callers": len(booked) - len(mine),
            "handoffs": handoffs,
        },
    )
