"""One call's state with its four agents, ready to start at the greeter."""

from __future__ import annotations

from agent.escalation import EscalationAgent
from agent.greeter import Greeter
from agent.information import InformationAgent
from agent.reservation import ReservationAgent
from agent.state import CallState, Notifier
from core.booking import ReservationService


def new_call(service: ReservationService, session_id: str, notify: Notifier) -> CallState:
    state = CallState(
        restaurant=service.restaurant, service=service, session_id=session_id, notify=notify
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
