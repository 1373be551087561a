"""Typed records the stores return, and the shapes the staff API and the staff notices derive
from them (api/schemas.py, core/notices/messages.py); field names follow the reservation API."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

ReservationStatus = Literal["confirmed", "cancelled", "seated", "completed", "no_show"]
Urgency = Literal["low", "normal", "high"]
EscalationStatus = Literal["open", "in_progress", "resolved"]


T = TypeVar("T")


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Page(_Record, Generic[T]):
    """One page of a longer list, and how long the whole list is.

    The API's pages are this too (api/schemas.py), so every page reads the same in JSON."""

    items: list[T]
    total: int
    page: int
    page_size: int


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
    # Which caller in which live room booked it (agent/call/start.py:caller_key); never shown.
    caller_key: str | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def starts_at(self) -> datetime:
        """Local wall-clock start of the meal."""
        return datetime.combine(self.reservation_date, self.reservation_time)


class EscalationBase(_Record):
    """A callback as every reader of it sees it: the record, the staff API and the webhook body
    (api/schemas.py, core/notices/messages.py) add what each of them shows."""

    id: int
    # None once anonymised, some time after the callback was resolved.
    name: str | None
    phone_number: str | None
    reason: str
    summary: str
    urgency: Urgency


class Escalation(EscalationBase):
    status: EscalationStatus
    session_id: str | None
    # What staff wrote when they started or resolved the callback.
    staff_note: str | None = None
    created_at: datetime
    updated_at: datetime


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


CallOutcome = Literal[
    "in_progress",
    "dropped",
    "failed",
    "transferred",
    "callback",
    "booked",
    "changed",
    "cancelled",
    "answered",
    "hung_up",
    "no_action",
]


class CallLine(_Record):
    """One line of a call's transcript: the caller, the agent, or a tool it ran."""

    at: datetime
    speaker: Literal["caller", "agent", "tool"]
    agent: str | None
    text: str


class Call(_Record):
    """A call's record (sql/migrations/0007_call_records.sql)."""

    id: int
    session_id: str
    channel: Literal["web", "phone"]
    caller_number: str | None
    started_at: datetime
    ended_at: datetime | None
    duration_seconds: float | None
    agents: list[str]
    outcome: CallOutcome
    booked: list[str]
    changed: list[str]
    cancelled: list[str]
    covers_booked: int
    questions: int
    callbacks: int
    transferred: bool
    caller_hung_up: bool
    failed: str | None
    dropped_at: datetime | None
    drops: int
    resumptions: int
    reply_delay_p50: float | None
    reply_delay_worst: float | None
    transcript_removed_at: datetime | None
    anonymised_at: datetime | None


class CallDay(_Record):
    """One day of the owner's week: calls started in each hour, 0 to 23 (local time)."""

    day: date
    calls: int
    hours: list[int]


class CallWeek(_Record):
    """Seven days of calls, for the owner."""

    start: date
    days: list[CallDay]
    calls: int
    # Calls the agent saw through without staff: not put through, no callback, not dropped.
    handled_without_staff: int
    handled_share: float | None
    bookings: int
    covers: int
    callbacks: int
    transfers: int
    dropped: int
    average_seconds: float | None
    reply_delay_p50: float | None
