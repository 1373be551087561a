"""Typed records the store returns; field names follow the reservation API."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

ReservationStatus = Literal["confirmed", "cancelled", "seated", "completed", "no_show"]
Urgency = Literal["low", "normal", "high"]
EscalationStatus = Literal["open", "in_progress", "resolved"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Reservation(_Record):
    id: int
    confirmation_code: str
    # None once anonymised (restaurant.toml [retention]); always set on upcoming bookings.
    phone_number: str | None
    name: str | None
    reservation_date: date
    reservation_time: time
    party_size: int
    other_info: dict[str, Any]
    status: ReservationStatus
    session_id: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def starts_at(self) -> datetime:
        """Local wall-clock start of the meal."""
        return datetime.combine(self.reservation_date, self.reservation_time)


class ReservationPage(_Record):
    items: list[Reservation]
    total: int
    page: int
    page_size: int


class Escalation(_Record):
    id: int
    # None once anonymised, some time after the callback was resolved.
    name: str | None
    phone_number: str | None
    reason: str
    summary: str
    urgency: Urgency
    status: EscalationStatus
    session_id: str | None
    # What staff wrote when they started or resolved the callback.
    staff_note: str | None = None
    created_at: datetime
    updated_at: datetime


class EscalationPage(_Record):
    items: list[Escalation]
    total: int
    page: int
    page_size: int


class RouteCount(_Record):
    from_agent: str
    to_agent: str
    handoffs: int


class HandoffSummary(_Record):
    routes: list[RouteCount]
    total_handoffs: int
    reservation_sessions: int
    booked_sessions: int
    # Share of calls handed to the reservation agent that made a booking; None before any.
    booking_conversion: float | None
