"""What a call leaves behind besides bookings: its handoffs, the messages callers leave for
staff (escalations), and the handoff analytics the staff API shows."""

from __future__ import annotations

from typing import Unpack

from core.db.call_records import CallRecords, Handoff, NewEscalation
from core.models import Escalation, HandoffSummary

# The agent whose calls count towards booking conversion (agent/agents/reservation.py).
RESERVATION_AGENT = "reservation"


class CallService:
    """Record handoffs and escalations, and sum the handoffs up for staff.

    `store` answers read-only lookups as they are (a call's history, open escalations). With
    `notify_staff` (the voice agent's service), escalations are announced to staff through the
    outbox; the staff's own service (the API) and the sample data announce nothing.

    Escalations are here rather than with reservations: a caller leaves one on a call, as they
    do handoffs, and the same records (core/db/call_records.py) keep both; staff take them up
    at the desk (core/services/desk.py).
    """

    def __init__(self, store: CallRecords, *, notify_staff: bool = True) -> None:
        self.store = store
        self.notify_staff = notify_staff

    async def record_handoff(self, **handoff: Unpack[Handoff]) -> None:
        await self.store.record_handoff(**handoff)

    async def create_escalation(self, **escalation: Unpack[NewEscalation]) -> Escalation:
        escalation["name"] = escalation["name"].strip()
        escalation["reason"] = escalation["reason"].strip()
        escalation["summary"] = escalation["summary"].strip()
        return await self.store.create_escalation(**escalation, announce=self.notify_staff)

    async def handoff_summary(self) -> HandoffSummary:
        routes = await self.store.handoff_routes()
        sessions, booked = await self.store.reservation_conversion(RESERVATION_AGENT)
        return HandoffSummary(
            routes=routes,
            total_handoffs=sum(r.handoffs for r in routes),
            reservation_sessions=sessions,
            booked_sessions=booked,
            booking_conversion=round(booked / sessions, 4) if sessions else None,
        )
