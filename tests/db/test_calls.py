"""What calls leave behind, against the real database: handoffs, their analytics, and
messages for staff."""

from __future__ import annotations

from core.services.calls import CallService
from core.services.reservations import ReservationService
from tests.db.test_booking import book


async def test_handoff_summary_counts_routes_and_conversion(
    service: ReservationService, calls: CallService
) -> None:
    for session, to_agent in [
        ("room-1", "reservation"),
        ("room-2", "reservation"),
        ("room-2", "information"),
        ("room-3", "escalation"),
    ]:
        await calls.record_handoff(
            session_id=session, from_agent="greeter", to_agent=to_agent, entities={}
        )
    await book(service)  # made in room-1
    summary = await calls.handoff_summary()
    routes = {(r.from_agent, r.to_agent): r.handoffs for r in summary.routes}
    assert routes == {
        ("greeter", "reservation"): 2,
        ("greeter", "information"): 1,
        ("greeter", "escalation"): 1,
    }
    assert summary.total_handoffs == 4
    assert (summary.reservation_sessions, summary.booked_sessions) == (2, 1)
    assert summary.booking_conversion == 0.5


async def test_escalation_is_recorded(calls: CallService) -> None:
    made = await calls.create_escalation(
        name=" Ahmad ",
        phone_number="+6591112222",
        reason="complaint",
        summary="Cold food last Friday.",
        urgency="high",
        session_id="room-9",
    )
    assert made.status == "open" and made.name == "Ahmad"
    assert [e.id for e in await calls.store.open_escalations()] == [made.id]
